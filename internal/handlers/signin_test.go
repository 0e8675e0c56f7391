package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// sessionCookie is the session cookie's value in the jar, or "".
func (b *browser) sessionCookie(t *testing.T) string {
	t.Helper()
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "parley_session" {
			return c.Value
		}
	}
	return ""
}

// withSession returns a fresh browser presenting the session cookie value.
func (e *env) withSession(t *testing.T, value string) *browser {
	t.Helper()
	b := e.browser(t)
	u, _ := url.Parse(e.srv.URL)
	b.jar.SetCookies(u, []*http.Cookie{{Name: "parley_session", Value: value, Path: "/"}})
	return b
}

// ---- Signing in and out ----

func TestSignInFailuresLookAlike(t *testing.T) {
	e := newEnv(t, false)
	e.newUser(t, "ed@example.org", "editor")
	gone := e.newUser(t, "gone@example.org", "editor")
	if err := e.store.SetUserDisabled(context.Background(), gone.ID, true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, email, password string
	}{
		{"wrong password", "ed@example.org", "not the password"},
		{"unknown email", "nobody@example.org", testPassword},
		{"disabled account", "gone@example.org", testPassword},
	}
	var firstMsg string
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser(t)
			res, body := b.login(t, tt.email, tt.password, "")
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", res.StatusCode)
			}
			msg := loginError(body)
			if msg == "" {
				t.Errorf("no login-error message on the page")
			}
			if i == 0 {
				firstMsg = msg
			} else if msg != firstMsg {
				t.Errorf("message = %q, want the same as for a wrong password: %q", msg, firstMsg)
			}
			if got := b.signedInAs(t); got != "" {
				t.Errorf("signed in as %q after a failed sign-in", got)
			}
			if res, _ := b.get(t, "/statements/new"); res.StatusCode != http.StatusSeeOther {
				t.Errorf("GET /statements/new after a failed sign-in = %d, want 303 to /login", res.StatusCode)
			}
		})
	}
}

func TestSignInThrottlesAfterFiveFailures(t *testing.T) {
	e := newEnv(t, false)
	e.newUser(t, "ed@example.org", "editor")
	b := e.browser(t)
	for i := 1; i <= 5; i++ {
		if res, _ := b.login(t, "ed@example.org", fmt.Sprintf("wrong %d", i), ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status = %d, want 401", i, res.StatusCode)
		}
	}
	res, body := b.login(t, "ed@example.org", testPassword, "")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("6th attempt with the right password = %d, want 429", res.StatusCode)
	}
	if loginError(body) == "" {
		t.Errorf("the throttled page does not say why")
	}
	if got := b.signedInAs(t); got != "" {
		t.Errorf("signed in as %q while throttled", got)
	}
}

func TestSignInIssuesAFreshSessionCookie(t *testing.T) {
	e := newEnv(t, false)
	e.newUser(t, "ed@example.org", "editor")
	b := e.withSession(t, "planted-by-someone-else")

	res, _ := b.login(t, "ed@example.org", testPassword, "")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in = %d, want 303", res.StatusCode)
	}
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "parley_session" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("sign-in sets no parley_session cookie")
	}
	if cookie.Value == "planted-by-someone-else" {
		t.Errorf("sign-in kept the session id from before")
	}
	if !cookie.HttpOnly {
		t.Errorf("session cookie is not HttpOnly")
	}
	if cookie.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie SameSite = %v, want Lax", cookie.SameSite)
	}
	first := b.sessionCookie(t)
	if got := b.signedInAs(t); got != "ed@example.org" {
		t.Fatalf("signed in as %q, want ed@example.org", got)
	}
	res, _ = b.get(t, "/")
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("signed-in page Cache-Control = %q, want no-store", cc)
	}
	res, _ = b.get(t, "/statements/new")
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("signed-in form Cache-Control = %q, want no-store", cc)
	}

	// Signing in again, already signed in, still renews the id.
	if res, _ := b.login(t, "ed@example.org", testPassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign in = %d, want 303", res.StatusCode)
	}
	second := b.sessionCookie(t)
	if second == "" || second == first {
		t.Errorf("session cookie after the second sign-in = %q, want a new value (was %q)", second, first)
	}
	if got := e.withSession(t, first).signedInAs(t); got != "" {
		t.Errorf("the replaced session id still signs in as %q", got)
	}
	if got := e.withSession(t, second).signedInAs(t); got != "ed@example.org" {
		t.Errorf("the new session id signs in as %q, want ed@example.org", got)
	}
}

func TestSignOutEndsTheSessionOnTheServer(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	old := b.sessionCookie(t)
	if old == "" {
		t.Fatal("no session cookie after signing in")
	}
	if n := e.count(t, `SELECT count(*) FROM sessions`); n != 1 {
		t.Fatalf("sessions stored after signing in = %d, want 1", n)
	}
	res, _ := b.post(t, "/logout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /logout = %d, want 303", res.StatusCode)
	}
	if got := b.signedInAs(t); got != "" {
		t.Errorf("still signed in as %q after signing out", got)
	}
	if n := e.count(t, `SELECT count(*) FROM sessions`); n != 0 {
		t.Errorf("sessions stored after signing out = %d, want 0", n)
	}

	// Someone who kept the old cookie cannot use it.
	replay := e.withSession(t, old)
	if got := replay.signedInAs(t); got != "" {
		t.Errorf("the old session cookie still signs in as %q", got)
	}
	before := e.fingerprint(t)
	if res, _ := replay.post(t, "/statements/new", newStatementForm(t, "Replayed after sign-out.")); res.StatusCode != http.StatusForbidden {
		t.Errorf("POST /statements/new with the old cookie = %d, want 403", res.StatusCode)
	}
	if after := e.fingerprint(t); after != before {
		t.Errorf("a POST with the old cookie changed the database")
	}
}

func TestSignInNextIsLocalOnly(t *testing.T) {
	e := newEnv(t, false)
	e.newUser(t, "ed@example.org", "editor")

	// The way there: a form sends the editor to sign in, and back.
	b := e.browser(t)
	res, _ := b.get(t, "/statements/new")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fstatements%2Fnew" {
		t.Fatalf("GET /statements/new signed out = %d to %q, want 303 to /login?next=%%2Fstatements%%2Fnew", res.StatusCode, loc)
	}
	body := b.mustGet(t, loc)
	if !strings.Contains(body, `name="next" value="/statements/new"`) {
		t.Errorf("sign-in form does not carry next=/statements/new")
	}
	body = b.mustGet(t, "/login?next="+url.QueryEscape("https://evil.example"))
	if strings.Contains(body, "evil.example") {
		t.Errorf("sign-in form carries a foreign next")
	}

	tests := []struct {
		name, next, want string
	}{
		{"local path", "/statements/new?actor=x", "/statements/new?actor=x"},
		{"absolute URL", "https://evil.example", "/"},
		{"scheme-relative", "//evil.example/x", "/"},
		{"backslash", `/\evil.example`, "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"none", "", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := e.browser(t).login(t, "ed@example.org", testPassword, tt.next)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in = %d, want 303", res.StatusCode)
			}
			if got := res.Header.Get("Location"); got != tt.want {
				t.Errorf("next=%q: Location = %q, want %q", tt.next, got, tt.want)
			}
		})
	}
}
