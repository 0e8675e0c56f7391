package handlers_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"parley/internal/handlers"
)

// ---- Sign-in throttling ----

// age moves every recorded sign-in attempt d seconds into the past: the
// passing of time, without waiting for it.
func (e *env) age(t *testing.T, seconds int) {
	t.Helper()
	if _, err := e.pool.Exec(t.Context(), `UPDATE login_attempts SET created_at = created_at - make_interval(secs => $1)`, seconds); err != nil {
		t.Fatal(err)
	}
}

// retryAfter reads a 429's Retry-After in seconds.
func retryAfter(t *testing.T, res *http.Response) int {
	t.Helper()
	n, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After = %q, want whole seconds", res.Header.Get("Retry-After"))
	}
	return n
}

// loginFrom signs in as a client behind a proxy that reports forwardedFor.
func (b *browser) loginFrom(t *testing.T, forwardedFor, email, password string) (*http.Response, string) {
	t.Helper()
	res, body, err := b.send(http.MethodPost, "/login", url.Values{"email": {email}, "password": {password}},
		http.Header{"X-Forwarded-For": {forwardedFor}})
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// A burst of parallel wrong passwords for one account gets no more checks
// than the throttle allows one after another: each attempt is recorded,
// under the account's lock, before its password is checked.
func TestSignInBurstGetsNoMoreGuessesThanAllowed(t *testing.T) {
	e := newEnv(t, false)
	e.newUser(t, "ed@example.org", "editor")
	const n = 30
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			b := e.browser(t)
			res, _, err := b.send(http.MethodPost, "/login", url.Values{"email": {"ed@example.org"}, "password": {fmt.Sprintf("guess %d", i)}}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[http.StatusUnauthorized] > 5 || count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != n {
		t.Errorf("answers to %d parallel wrong passwords: %v; want at most 5 checked (401), the rest 429", n, count)
	}
	checked := e.count(t, `SELECT count(*) FROM login_attempts WHERE outcome = 'failure'`)
	if checked > 5 || checked != count[http.StatusUnauthorized] {
		t.Errorf("passwords checked per the ledger = %d (401s: %d), want at most 5, one per 401", checked, count[http.StatusUnauthorized])
	}
	if got := e.count(t, `SELECT count(*) FROM login_attempts`); got != n {
		t.Errorf("attempts recorded = %d, want every one of the %d", got, n)
	}
}

// Failures make the next attempt wait, twice as long each time; attempts
// refused while waiting are not failures, so the account holder, with the
// right password, gets in once the wait has passed.
func TestSignInDelaysGrowAndTheHolderGetsIn(t *testing.T) {
	e := newEnv(t, false)
	e.newUser(t, "admin@example.org", "admin")
	attacker, holder := e.browser(t), e.browser(t)
	for i := 1; i <= 5; i++ {
		if res, _ := attacker.login(t, "admin@example.org", fmt.Sprintf("wrong %d", i), ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status = %d, want 401", i, res.StatusCode)
		}
	}
	res, body := holder.login(t, "admin@example.org", testPassword, "")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password after five failures = %d, want 429", res.StatusCode)
	}
	if wait := retryAfter(t, res); wait < 1 || wait > 60 {
		t.Errorf("Retry-After after five failures = %d s, want up to a minute", wait)
	}
	if msg := loginError(body); !strings.Contains(msg, "Try again in") {
		t.Errorf("throttled page says %q, want when to try again", msg)
	}
	// The attacker keeps trying meanwhile: refused, and not counted.
	for range 10 {
		if res, _ := attacker.login(t, "admin@example.org", "still wrong", ""); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("attempt while waiting = %d, want 429", res.StatusCode)
		}
	}
	e.age(t, 61)
	if res, _ := attacker.login(t, "admin@example.org", "wrong 6", ""); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password after the wait = %d, want 401 (checked)", res.StatusCode)
	}
	res, _ = holder.login(t, "admin@example.org", testPassword, "")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password after six failures = %d, want 429", res.StatusCode)
	}
	if wait := retryAfter(t, res); wait <= 60 || wait > 120 {
		t.Errorf("Retry-After after six failures = %d s, want between one and two minutes (it doubles)", wait)
	}
	e.age(t, 121)
	if res, body := holder.login(t, "admin@example.org", testPassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password after the wait = %d (%q), want 303: the holder gets in", res.StatusCode, loginError(body))
	}
	if got := holder.signedInAs(t); got != "admin@example.org" {
		t.Errorf("signed in as %q, want admin@example.org", got)
	}
	// A success clears the account's failures.
	if res, _ := attacker.login(t, "admin@example.org", "wrong 7", ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password after the holder signed in = %d, want 401 (no wait)", res.StatusCode)
	}
}

// Behind trusted proxies, each client is counted by the address the
// proxies report (IPv6 by its /64); a client talking to Parley directly
// cannot pick its address by sending X-Forwarded-For.
func TestSignInThrottleCountsClientsBehindTrustedProxies(t *testing.T) {
	// Twenty failures from one client, each on another account (so no
	// account's own limit is reached), make its next attempt wait.
	fail20 := func(t *testing.T, b *browser, from func(i int) string) {
		t.Helper()
		for i := range 20 {
			if res, _ := b.loginFrom(t, from(i), fmt.Sprintf("user%d@example.org", i), "wrong password"); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d from %s = %d, want 401", i+1, from(i), res.StatusCode)
			}
		}
	}
	t.Run("trusted proxy, IPv4", func(t *testing.T) {
		e := newEnvWith(t, false, handlers.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		b := e.browser(t)
		fail20(t, b, func(int) string { return "198.51.100.9, 203.0.113.7" }) // the first entry is the client's own claim
		if res, _ := b.loginFrom(t, "203.0.113.7", "other@example.org", "wrong password"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("21st failure from 203.0.113.7 = %d, want 429", res.StatusCode)
		}
		if res, _ := b.loginFrom(t, "203.0.113.8", "other@example.org", "wrong password"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("first failure from 203.0.113.8 = %d, want 401: another client", res.StatusCode)
		}
		if n := e.count(t, `SELECT count(*) FROM login_attempts WHERE ip = '203.0.113.7'`); n != 21 {
			t.Errorf("attempts recorded from 203.0.113.7 = %d, want 21", n)
		}
	})
	t.Run("trusted proxy, IPv6 by /64", func(t *testing.T) {
		e := newEnvWith(t, false, handlers.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
		b := e.browser(t)
		fail20(t, b, func(i int) string { return fmt.Sprintf("2001:db8:1:2::%x", i+1) })
		if res, _ := b.loginFrom(t, "2001:db8:1:2:ffff::1", "other@example.org", "wrong password"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("21st failure from the same /64 = %d, want 429", res.StatusCode)
		}
		if res, _ := b.loginFrom(t, "2001:db8:1:3::1", "other@example.org", "wrong password"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("first failure from another /64 = %d, want 401", res.StatusCode)
		}
	})
	t.Run("no trusted proxy: the header is ignored", func(t *testing.T) {
		e := newEnv(t, false)
		b := e.browser(t)
		fail20(t, b, func(i int) string { return fmt.Sprintf("203.0.113.%d", i+1) })
		if res, _ := b.loginFrom(t, "198.51.100.1", "other@example.org", "wrong password"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("21st failure claiming yet another address = %d, want 429: all came from 127.0.0.1", res.StatusCode)
		}
		if n := e.count(t, `SELECT count(*) FROM login_attempts WHERE ip <> '127.0.0.1'`); n != 0 {
			t.Errorf("attempts recorded under a claimed address = %d, want 0", n)
		}
	})
}
