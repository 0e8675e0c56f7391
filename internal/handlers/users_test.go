package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// ---- Accounts ----

func TestAdminManagesUsers(t *testing.T) {
	e := newEnv(t, false)
	admin := e.signIn(t, "admin@example.org", "admin")
	ed := e.newUser(t, "ed@example.org", "editor")

	body := admin.mustGet(t, "/admin/users")
	users := one(t, body, "users")
	mustContain(t, users, "admin@example.org", "ed@example.org")
	if len(byTestID(body, "user-"+strconv.FormatInt(ed.ID, 10))) == 0 {
		t.Errorf("no row user-%d", ed.ID)
	}

	tests := []struct {
		name      string
		form      url.Values
		wantError string
	}{
		{"short password", url.Values{"email": {"new@example.org"}, "role": {"editor"}, "password": {"short"}}, "password"},
		{"duplicate email", url.Values{"email": {"ED@example.org"}, "role": {"editor"}, "password": {"long enough password"}}, "email"},
		{"bad email", url.Values{"email": {"not-an-email"}, "role": {"editor"}, "password": {"long enough password"}}, "email"},
		{"common password", url.Values{"email": {"new@example.org"}, "role": {"editor"}, "password": {"Sunshine"}}, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.fingerprint(t)
			res, body := admin.post(t, "/admin/users", tt.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422", res.StatusCode)
			}
			if len(byTestID(body, "error-"+tt.wantError)) == 0 {
				t.Errorf("no error-%s; errors shown: %v", tt.wantError, fieldErrors(body))
			}
			if got := formValues(t, body, "record-form").Get("email"); got != tt.form.Get("email") {
				t.Errorf("email field shows %q, want %q", got, tt.form.Get("email"))
			}
			if after := e.fingerprint(t); after != before {
				t.Errorf("a rejected account changed the database")
			}
		})
	}

	if loc := admin.mustPost(t, "/admin/users", url.Values{"email": {"new@example.org"}, "role": {"editor"}, "password": {"new user password"}}); loc != "/admin/users" {
		t.Errorf("create redirects to %q", loc)
	}
	mustContain(t, admin.mustGet(t, "/admin/users"), "new@example.org")
	newcomer := e.browser(t)
	if res, _ := newcomer.login(t, "new@example.org", "new user password", ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new account cannot sign in: %d", res.StatusCode)
	}
	// The password the admin chose must be replaced first.
	newcomer.mustPost(t, "/account/password", url.Values{"current_password": {"new user password"},
		"new_password": {"my own passphrase"}, "confirm_password": {"my own passphrase"}})
	if res, _ := newcomer.get(t, "/admin/users"); res.StatusCode != http.StatusForbidden {
		t.Errorf("new editor GET /admin/users = %d, want 403", res.StatusCode)
	}

	nu, err := e.store.GetUserByEmail(context.Background(), "new@example.org")
	if err != nil {
		t.Fatal(err)
	}
	admin.mustPost(t, "/admin/users/"+strconv.FormatInt(nu.ID, 10)+"/role", url.Values{"role": {"admin"}})
	if u, _ := e.store.GetUser(context.Background(), nu.ID); u.Role != "admin" {
		t.Errorf("role after change = %q, want admin", u.Role)
	}
	if res, _ := newcomer.get(t, "/admin/users"); res.StatusCode != http.StatusOK {
		t.Errorf("promoted user GET /admin/users = %d, want 200", res.StatusCode)
	}
	if res, _ := admin.post(t, "/admin/users/"+strconv.FormatInt(nu.ID, 10)+"/role", url.Values{"role": {"owner"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown role = %d, want 400", res.StatusCode)
	}
}

func TestDisablingAnEditorEndsTheirSession(t *testing.T) {
	e := newEnv(t, true)
	admin := e.signIn(t, "admin@example.org", "admin")
	ed := e.signIn(t, "ed@example.org", "editor")
	edUser, err := e.store.GetUserByEmail(context.Background(), "ed@example.org")
	if err != nil {
		t.Fatal(err)
	}

	admin.mustPost(t, "/admin/users/"+strconv.FormatInt(edUser.ID, 10)+"/disable", url.Values{"disabled": {"1"}})
	if got := ed.signedInAs(t); got != "" {
		t.Errorf("disabled editor is still signed in as %q", got)
	}
	before := e.fingerprint(t)
	if res, _ := ed.post(t, "/statements/new", newStatementForm(t, "Written after being disabled.")); res.StatusCode != http.StatusForbidden {
		t.Errorf("disabled editor POST /statements/new = %d, want 403", res.StatusCode)
	}
	if after := e.fingerprint(t); after != before {
		t.Errorf("the disabled editor's POST changed the database")
	}
	if res, _ := e.browser(t).login(t, "ed@example.org", testPassword, ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled editor signing in again = %d, want 401", res.StatusCode)
	}
	if got := admin.signedInAs(t); got != "admin@example.org" {
		t.Errorf("the admin was signed out too: %q", got)
	}
	if res, _ := admin.post(t, "/admin/users/"+strconv.FormatInt(edUser.ID, 10)+"/disable", url.Values{"disabled": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("re-enable = %d, want 303", res.StatusCode)
	}
	if res, _ := e.browser(t).login(t, "ed@example.org", testPassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("re-enabled editor signing in = %d, want 303", res.StatusCode)
	}
}

// Disabling ends the account's sessions at once, on the server: they are
// gone from the session store, and re-enabling the account later does not
// bring an old session (say, on a lost laptop) back to life.
func TestDisablingEndsSessionsOnTheServerAtOnce(t *testing.T) {
	e := newEnv(t, false)
	admin := e.signIn(t, "admin@example.org", "admin")
	ed := e.signIn(t, "ed@example.org", "editor")
	edUser, err := e.store.GetUserByEmail(context.Background(), "ed@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM sessions`); n != 2 {
		t.Fatalf("sessions = %d, want 2", n)
	}
	id := strconv.FormatInt(edUser.ID, 10)
	admin.mustPost(t, "/admin/users/"+id+"/disable", url.Values{"disabled": {"1"}})
	if n := e.count(t, `SELECT count(*) FROM sessions`); n != 1 {
		t.Errorf("sessions stored after disabling the editor = %d, want 1 (the admin's)", n)
	}
	// The editor makes no request in between.
	admin.mustPost(t, "/admin/users/"+id+"/disable", url.Values{"disabled": {"0"}})
	if got := ed.signedInAs(t); got != "" {
		t.Errorf("after disable and re-enable, the editor's old session is signed in again as %q", got)
	}
}
