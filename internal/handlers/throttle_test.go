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

// failuresFrom records n failed attempts (on other accounts) from the
// client counted under key: the ledger a client's failures leave, without
// spending a password check on each.
func (e *env) failuresFrom(t *testing.T, key string, n int) {
	t.Helper()
	if _, err := e.pool.Exec(t.Context(), `
		INSERT INTO login_attempts (email, ip, client, outcome)
		SELECT 'user' || i || '@example.org', $1, $1, 'failure' FROM generate_series(1, $2) AS i`, key, n); err != nil {
		t.Fatal(err)
	}
}

// Behind trusted proxies, each client is counted by the address the
// proxies report (IPv6 by its /64); a client talking to Parley directly
// cannot pick its address by sending X-Forwarded-For. Twenty failures from
// one client (each on another account, so no account's own limit is
// reached) make its next attempt wait.
func TestSignInThrottleCountsClientsBehindTrustedProxies(t *testing.T) {
	t.Run("trusted proxy, IPv4", func(t *testing.T) {
		e := newEnvWith(t, false, handlers.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		b := e.browser(t)
		e.newUser(t, "other@example.org", "editor")
		e.failuresFrom(t, "203.0.113.7", 19)
		// The first entry is the client's own claim: not believed.
		if res, _ := b.loginFrom(t, "198.51.100.9, 203.0.113.7", "other@example.org", "wrong password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("20th failure from 203.0.113.7 = %d, want 401", res.StatusCode)
		}
		if res, _ := b.loginFrom(t, "203.0.113.7", "other@example.org", "wrong password"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("21st attempt from 203.0.113.7 = %d, want 429", res.StatusCode)
		}
		if res, _ := b.loginFrom(t, "203.0.113.8", "other@example.org", "wrong password"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("first failure from 203.0.113.8 = %d, want 401: another client", res.StatusCode)
		}
		if n := e.count(t, `SELECT count(*) FROM login_attempts WHERE ip = '203.0.113.7' AND email = 'other@example.org'`); n != 2 {
			t.Errorf("attempts recorded from 203.0.113.7 = %d, want 2", n)
		}
	})
	t.Run("trusted proxy, IPv6 by /64", func(t *testing.T) {
		e := newEnvWith(t, false, handlers.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
		b := e.browser(t)
		e.newUser(t, "other@example.org", "editor")
		e.failuresFrom(t, "2001:db8:1:2::/64", 19)
		if res, _ := b.loginFrom(t, "2001:db8:1:2::1", "other@example.org", "wrong password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("20th failure from the /64 = %d, want 401", res.StatusCode)
		}
		if res, _ := b.loginFrom(t, "2001:db8:1:2:ffff::1", "other@example.org", "wrong password"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("21st attempt from another address of the same /64 = %d, want 429", res.StatusCode)
		}
		if res, _ := b.loginFrom(t, "2001:db8:1:3::1", "other@example.org", "wrong password"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("first failure from another /64 = %d, want 401", res.StatusCode)
		}
	})
	t.Run("no trusted proxy: the header is ignored", func(t *testing.T) {
		e := newEnv(t, false)
		b := e.browser(t)
		e.newUser(t, "other@example.org", "editor")
		e.failuresFrom(t, "127.0.0.1", 19)
		if res, _ := b.loginFrom(t, "203.0.113.1", "other@example.org", "wrong password"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("20th failure = %d, want 401", res.StatusCode)
		}
		if res, _ := b.loginFrom(t, "198.51.100.1", "other@example.org", "wrong password"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("21st attempt claiming yet another address = %d, want 429: all came from 127.0.0.1", res.StatusCode)
		}
		if n := e.count(t, `SELECT count(*) FROM login_attempts WHERE ip <> '127.0.0.1'`); n != 0 {
			t.Errorf("attempts recorded under a claimed address = %d, want 0", n)
		}
	})
}

// cookieValue is the value of the cookie name in b's jar, or "".
func (b *browser) cookieValue(name string) string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// A browser the account holder has signed in from is throttled on its own
// failures only: however many failures others pile onto the account, the
// holder signs in there at once. A new browser, a forged cookie or another
// account's cookie earn nothing, and a stolen cookie gets five guesses.
func TestSignInFromAKnownBrowserIsNotHeldUp(t *testing.T) {
	e := newEnv(t, false)
	e.newUser(t, "admin@example.org", "admin")
	e.newUser(t, "ed@example.org", "editor")
	holder := e.browser(t)
	if res, _ := holder.login(t, "admin@example.org", testPassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in = %d, want 303", res.StatusCode)
	}
	device := holder.cookieValue("parley_device")
	if device == "" {
		t.Fatal("signing in sets no parley_device cookie")
	}
	holder.mustPost(t, "/logout", nil)

	attacker := e.browser(t)
	for i := range 12 {
		attacker.login(t, "admin@example.org", fmt.Sprintf("guess %d", i), "")
	}
	if res, _ := e.browser(t).login(t, "admin@example.org", testPassword, ""); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password from a new browser while the account waits = %d, want 429", res.StatusCode)
	}
	withCookie := func(value string) *browser {
		b := e.browser(t)
		u, _ := url.Parse(e.srv.URL)
		b.jar.SetCookies(u, []*http.Cookie{{Name: "parley_device", Value: value, Path: "/"}})
		return b
	}
	if res, _ := withCookie("forged-device-token").login(t, "admin@example.org", testPassword, ""); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password with a forged device cookie = %d, want 429", res.StatusCode)
	}
	if res, body := holder.login(t, "admin@example.org", testPassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password from the holder's browser = %d (%q), want 303 at once", res.StatusCode, loginError(body))
	}
	if renewed := holder.cookieValue("parley_device"); renewed == "" || renewed == device {
		t.Errorf("device cookie after signing in again = %q, want a new token (was %q)", renewed, device)
	}

	// Others try again; the old token (say, copied from the browser) no
	// longer counts, and a token never counts for another account.
	for i := range 6 {
		attacker.login(t, "admin@example.org", fmt.Sprintf("again %d", i), "")
	}
	stolen := withCookie(device)
	if res, _ := stolen.login(t, "admin@example.org", testPassword, ""); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password with the replaced device token = %d, want 429", res.StatusCode)
	}
	edDevice := e.browser(t)
	if res, _ := edDevice.login(t, "ed@example.org", testPassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("editor signs in = %d", res.StatusCode)
	}
	if res, _ := withCookie(edDevice.cookieValue("parley_device")).login(t, "admin@example.org", testPassword, ""); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password with another account's device cookie = %d, want 429", res.StatusCode)
	}

	// A current device token in the wrong hands: five guesses, then waits.
	current := withCookie(holder.cookieValue("parley_device"))
	for i := range 5 {
		if res, _ := current.login(t, "admin@example.org", fmt.Sprintf("thief %d", i), ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d with a device cookie = %d, want 401", i+1, res.StatusCode)
		}
	}
	if res, _ := current.login(t, "admin@example.org", "thief 6", ""); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sixth guess with a device cookie = %d, want 429", res.StatusCode)
	}
}
