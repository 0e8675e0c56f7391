package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"parley/internal/handlers"
)

// ---- Accounts: one's own password, initial passwords, the sign-in form ----

func passwordForm(current, next, confirm string) url.Values {
	return url.Values{"current_password": {current}, "new_password": {next}, "confirm_password": {confirm}}
}

func TestChangingYourPasswordEndsYourOtherSessions(t *testing.T) {
	e := newEnv(t, false)
	here := e.signIn(t, "ed@example.org", "editor")
	elsewhere := e.browser(t)
	if res, _ := elsewhere.login(t, "ed@example.org", testPassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in = %d, want 303", res.StatusCode)
	}
	other := e.signIn(t, "other@example.org", "editor")
	body := here.mustGet(t, "/account/password")
	if len(byTestID(body, "password-form")) == 0 {
		t.Fatal("no password form on /account/password")
	}
	if len(byTestID(body, "password-required")) != 0 {
		t.Errorf("the form says a change is required for an account that chose its own password")
	}

	hash := func() string {
		u, err := e.store.GetUserByEmail(context.Background(), "ed@example.org")
		if err != nil {
			t.Fatal(err)
		}
		return u.PasswordHash
	}
	before := hash()
	tests := []struct {
		name, field string
		form        url.Values
	}{
		{"no current password", "current_password", passwordForm("", "a brand new passphrase", "a brand new passphrase")},
		{"wrong current password", "current_password", passwordForm("not my password", "a brand new passphrase", "a brand new passphrase")},
		{"too short", "new_password", passwordForm(testPassword, "short", "short")},
		{"common", "new_password", passwordForm(testPassword, "Sunshine", "Sunshine")},
		{"the same as before", "new_password", passwordForm(testPassword, testPassword, testPassword)},
		{"not confirmed", "confirm_password", passwordForm(testPassword, "a brand new passphrase", "a brand new passphrase!")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := here.post(t, "/account/password", tt.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422", res.StatusCode)
			}
			if errs := fieldErrors(body); len(errs) != 1 || errs[0] != tt.field {
				t.Errorf("fields marked wrong = %v, want [%s]", errs, tt.field)
			}
			if strings.Contains(body, tt.form.Get("new_password")) && len(tt.form.Get("new_password")) > 5 {
				t.Errorf("the page shows the password typed")
			}
			if hash() != before {
				t.Errorf("a refused change changed the password")
			}
		})
	}
	if msg := text(one(t, func() string {
		_, b := here.post(t, "/account/password", passwordForm(testPassword, "iloveyou", "iloveyou"))
		return b
	}(), "error-new_password")); !strings.Contains(msg, "common") {
		t.Errorf("message for a common password = %q, want it to say so", msg)
	}

	if loc := here.mustPost(t, "/account/password", passwordForm(testPassword, "a brand new passphrase", "a brand new passphrase")); loc != "/" {
		t.Errorf("after the change, redirected to %q, want /", loc)
	}
	if got := here.signedInAs(t); got != "ed@example.org" {
		t.Errorf("this session after the change is signed in as %q, want ed@example.org", got)
	}
	if got := elsewhere.signedInAs(t); got != "" {
		t.Errorf("the other session is still signed in as %q", got)
	}
	if got := other.signedInAs(t); got != "other@example.org" {
		t.Errorf("another account's session was ended too: %q", got)
	}
	if n := e.count(t, `SELECT count(*) FROM sessions`); n != 2 {
		t.Errorf("sessions stored = %d, want 2 (this one and the other account's)", n)
	}
	if hash() == before {
		t.Errorf("the stored password is unchanged")
	}
	if res, _ := e.browser(t).login(t, "ed@example.org", "a brand new passphrase", ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the new password does not sign in: %d, want 303", res.StatusCode)
	}

	// From another site, the form is refused and nothing changes.
	before = hash()
	req := httptest.NewRequest(http.MethodPost, e.srv.URL+"/account/password",
		strings.NewReader(passwordForm("a brand new passphrase", "chosen by evil", "chosen by evil").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	if res, _ := here.e.do(t, req); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST /account/password = %d, want 403", res.StatusCode)
	}
	if hash() != before {
		t.Errorf("a cross-site POST changed the password")
	}
	if res, _ := e.browser(t).get(t, "/account/password"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /account/password signed out = %d, want 303 to sign in", res.StatusCode)
	}
}

// Guessing the current password through the form is throttled as
// sign-ins are.
func TestChangingYourPasswordIsThrottled(t *testing.T) {
	e := newEnv(t, false)
	b := e.signIn(t, "ed@example.org", "editor")
	for i := range 5 {
		if res, _ := b.post(t, "/account/password", passwordForm("guess "+strconv.Itoa(i), "a brand new passphrase", "a brand new passphrase")); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password %d = %d, want 422", i+1, res.StatusCode)
		}
	}
	res, body := b.post(t, "/account/password", passwordForm(testPassword, "a brand new passphrase", "a brand new passphrase"))
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("right password after five wrong ones = %d (Retry-After %q), want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if msg := text(one(t, body, "error-current_password")); !strings.Contains(msg, "Try again in") {
		t.Errorf("message = %q, want when to try again", msg)
	}
}

func TestInitialPasswordMustBeChangedAtFirstSignIn(t *testing.T) {
	e := newEnv(t, true)
	admin := e.signIn(t, "admin@example.org", "admin")
	admin.mustPost(t, "/admin/users", url.Values{"email": {"new@example.org"}, "role": {"editor"}, "password": {"initial password"}})

	b := e.browser(t)
	res, _ := b.login(t, "new@example.org", "initial password", "/statements/new")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/account/password" {
		t.Fatalf("first sign-in = %d to %q, want 303 to /account/password", res.StatusCode, loc)
	}
	for _, path := range []string{"/", "/statements", "/statements/new", "/admin/users"} {
		if res, _ := b.get(t, path); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/password" {
			t.Errorf("GET %s before the change = %d to %q, want 303 to /account/password", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	summary := "Written before choosing a password."
	if res, _ := b.post(t, "/statements/new", newStatementForm(t, summary)); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/password" {
		t.Errorf("POST /statements/new before the change = %d to %q, want 303 to /account/password", res.StatusCode, res.Header.Get("Location"))
	}
	if n := e.statementsWithSummary(t, summary); n != 0 {
		t.Errorf("statements saved before the change = %d, want 0", n)
	}
	body := b.mustGet(t, "/account/password")
	if len(byTestID(body, "password-required")) == 0 {
		t.Errorf("the form does not say why a new password is needed")
	}
	b.mustPost(t, "/account/password", passwordForm("initial password", "my own passphrase", "my own passphrase"))
	b.mustGet(t, "/statements/new")
	if got := b.signedInAs(t); got != "new@example.org" {
		t.Errorf("after the change, signed in as %q", got)
	}
	// Accounts made with the password their holder chose (user add) are
	// not asked.
	ed := e.signIn(t, "ed@example.org", "editor")
	ed.mustGet(t, "/statements/new")
}

func TestSignInRefusesAnOverlongEmailBeforeAnyDatabaseWork(t *testing.T) {
	e := newEnv(t, false)
	long := strings.Repeat("a", 243) + "@example.org" // 255 characters
	res, body := e.browser(t).login(t, long, "any password", "")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("255-character email = %d, want 422", res.StatusCode)
	}
	if msg := loginError(body); !strings.Contains(msg, "254 characters") {
		t.Errorf("message = %q, want the limit", msg)
	}
	if n := e.count(t, `SELECT count(*) FROM login_attempts`); n != 0 {
		t.Errorf("attempts recorded = %d, want 0", n)
	}
	if res, _ := e.browser(t).login(t, long[1:], "any password", ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("254-character email = %d, want 401", res.StatusCode)
	}
}

func TestSessionCookieOverHTTPSIsHostPrefixed(t *testing.T) {
	e := newEnvWith(t, false, handlers.Config{CookieSecure: true})
	e.newUser(t, "ed@example.org", "editor")
	res, _ := e.browser(t).login(t, "ed@example.org", testPassword, "")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in = %d, want 303", res.StatusCode)
	}
	var raw string
	for _, c := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "__Host-parley_session=") {
			raw = c
		}
		if strings.HasPrefix(c, "parley_session=") {
			t.Errorf("over HTTPS the cookie is still called parley_session: %s", c)
		}
	}
	if raw == "" {
		t.Fatalf("no __Host-parley_session cookie set; Set-Cookie: %v", res.Header.Values("Set-Cookie"))
	}
	for _, want := range []string{"Secure", "Path=/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(raw, want) {
			t.Errorf("cookie %q lacks %s", raw, want)
		}
	}
	if strings.Contains(strings.ToLower(raw), "domain=") {
		t.Errorf("cookie %q names a Domain, which __Host- forbids", raw)
	}
	var device string
	for _, c := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "__Host-parley_device=") {
			device = c
		}
	}
	if !strings.Contains(device, "Secure") || !strings.Contains(device, "Path=/") || strings.Contains(strings.ToLower(device), "domain=") {
		t.Errorf("device cookie over HTTPS = %q, want __Host-parley_device, Secure, Path=/, no Domain", device)
	}
}

func TestSecurityHeadersOverHTTPS(t *testing.T) {
	plain := newEnv(t, false)
	secure := newEnvWith(t, false, handlers.Config{CookieSecure: true})
	for _, path := range []string{"/", "/healthz", "/static/parley.css", "/missing"} {
		res, _ := plain.get(t, path)
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy = %q, want %s", path, csp, want)
			}
		}
		if pp := res.Header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
			t.Errorf("%s: Permissions-Policy = %q, want camera and geolocation off", path, pp)
		}
		if h := res.Header.Get("Strict-Transport-Security"); h != "" {
			t.Errorf("%s over plain HTTP: Strict-Transport-Security = %q, want none", path, h)
		}
		res, _ = secure.get(t, path)
		if h := res.Header.Get("Strict-Transport-Security"); h != "max-age=31536000; includeSubDomains" {
			t.Errorf("%s with COOKIE_SECURE: Strict-Transport-Security = %q, want a year, subdomains included", path, h)
		}
	}
}

func TestLastActiveAdminKeepsTheRole(t *testing.T) {
	e := newEnv(t, false)
	admin := e.signIn(t, "admin@example.org", "admin")
	me, err := e.store.GetUserByEmail(context.Background(), "admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(me.ID, 10)
	before := e.fingerprint(t)
	res, body := admin.post(t, "/admin/users/"+id+"/role", url.Values{"role": {"editor"}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("the last admin demoting themselves = %d, want 409", res.StatusCode)
	}
	if msg := text(one(t, body, "users-error")); !strings.Contains(msg, "last active admin") {
		t.Errorf("users page says %q, want that this is the last active admin", msg)
	}
	if len(byTestID(body, "users")) == 0 {
		t.Errorf("the refusal does not show the users page")
	}
	if after := e.fingerprint(t); after != before {
		t.Errorf("the refused demotion changed the database")
	}

	// With a second admin, one may step down; then the other is the last.
	second := e.newUser(t, "second@example.org", "admin")
	admin.mustPost(t, "/admin/users/"+strconv.FormatInt(second.ID, 10)+"/disable", url.Values{"disabled": {"1"}})
	if res, _ := admin.post(t, "/admin/users/"+id+"/role", url.Values{"role": {"editor"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("demoting the last active admin (the other is disabled) = %d, want 409", res.StatusCode)
	}
	admin.mustPost(t, "/admin/users/"+strconv.FormatInt(second.ID, 10)+"/disable", url.Values{"disabled": {"0"}})
	admin.mustPost(t, "/admin/users/"+id+"/role", url.Values{"role": {"editor"}})
	if u, _ := e.store.GetUser(context.Background(), me.ID); u.Role != "editor" {
		t.Errorf("role after stepping down with another admin left = %q, want editor", u.Role)
	}
}
