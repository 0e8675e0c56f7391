package handlers_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"parley"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"

	"parley/internal/auth"
	"parley/internal/handlers"
)

// The editor side, seen as an editor's browser sees it: sign-in, the write
// routes and who may use them, forms that keep what was typed, conflicts,
// history, delete with undo, the change log and account administration.

const testPassword = "correct horse battery staple"

var (
	hashOnce sync.Once
	testHash string
	hashErr  error
)

// passwordHash is testPassword hashed once (argon2id is slow on purpose).
func passwordHash(t *testing.T) string {
	t.Helper()
	hashOnce.Do(func() { testHash, hashErr = auth.HashPassword(testPassword) })
	if hashErr != nil {
		t.Fatal(hashErr)
	}
	return testHash
}

// newUser creates an account whose password is testPassword.
func (e *env) newUser(t *testing.T, email, role string) parley.User {
	t.Helper()
	u, err := e.store.CreateUser(context.Background(), email, passwordHash(t), parley.Role(role))
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

// newEnvWith is newEnv with a server configuration.
func newEnvWith(t *testing.T, seeded bool, cfg handlers.Config) *env {
	t.Helper()
	e := newEnv(t, seeded)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(handlers.NewServer(log, e.store, pgxstore.NewWithCleanupInterval(e.pool, 0), cfg))
	t.Cleanup(srv.Close)
	e.srv = srv
	return e
}

// browser is one user agent: a cookie jar, redirects not followed.
type browser struct {
	e   *env
	jar http.CookieJar
	c   *http.Client
}

func (e *env) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{e: e, jar: jar, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// send makes a request without failing the test, for use in goroutines.
func (b *browser) send(method, path string, form url.Values, header http.Header) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := b.c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return res, string(data), err
}

func (b *browser) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	res, body, err := b.send(http.MethodGet, path, nil, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res, body
}

func (b *browser) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	res, body, err := b.send(http.MethodPost, path, form, nil)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return res, body
}

// mustGet fetches path and fails unless it answers 200.
func (b *browser) mustGet(t *testing.T, path string) string {
	t.Helper()
	res, body := b.get(t, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200; message: %q", path, res.StatusCode, errorMessage(body))
	}
	return body
}

// mustPost posts form and fails unless the answer is a 303; it returns
// where the redirect goes.
func (b *browser) mustPost(t *testing.T, path string, form url.Values) string {
	t.Helper()
	res, body := b.post(t, path, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s = %d, want 303; message: %q; errors: %v", path, res.StatusCode, errorMessage(body), fieldErrors(body))
	}
	return res.Header.Get("Location")
}

func (b *browser) login(t *testing.T, email, password, next string) (*http.Response, string) {
	t.Helper()
	return b.post(t, "/login", url.Values{"email": {email}, "password": {password}, "next": {next}})
}

// signIn creates an account with role and returns a browser signed in to it.
func (e *env) signIn(t *testing.T, email, role string) *browser {
	t.Helper()
	e.newUser(t, email, role)
	b := e.browser(t)
	if res, body := b.login(t, email, testPassword, ""); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s = %d, want 303; %q", email, res.StatusCode, loginError(body))
	}
	if got := b.signedInAs(t); got != email {
		t.Fatalf("after signing in, the page says signed in as %q, want %q", got, email)
	}
	return b
}

// signedInAs is the account the dashboard says is signed in, or "".
func (b *browser) signedInAs(t *testing.T) string {
	t.Helper()
	_, body := b.get(t, "/")
	if els := byTestID(body, "signed-in"); len(els) > 0 {
		return text(els[0])
	}
	return ""
}

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

func loginError(body string) string {
	if els := byTestID(body, "login-error"); len(els) > 0 {
		return text(els[0])
	}
	return ""
}

var fieldErrorRe = regexp.MustCompile(`data-testid="error-([a-z_0-9.]+)"`)

// fieldErrors lists the fields a form page marks as wrong.
func fieldErrors(body string) []string {
	var out []string
	for _, m := range fieldErrorRe.FindAllStringSubmatch(body, -1) {
		if m[1] != "message" {
			out = append(out, m[1])
		}
	}
	return out
}

// ---- Forms, read as a browser would submit them ----

var (
	controlRe = regexp.MustCompile(`(?s)<input\b[^>]*>|<select\b[^>]*>.*?</select>|<textarea\b[^>]*>.*?</textarea>`)
	attrRe    = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?`)
	optionRe  = regexp.MustCompile(`<option\b([^>]*)>`)
)

// tagAttrs reads the attributes of the opening tag that starts tag.
func tagAttrs(tag string) map[string]string {
	end := strings.Index(tag, ">")
	open := strings.TrimSuffix(tag[:end], "/")
	if sp := strings.IndexAny(open, " \t\n"); sp >= 0 {
		open = open[sp:]
	} else {
		open = ""
	}
	out := map[string]string{}
	for _, m := range attrRe.FindAllStringSubmatch(open, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

// formValues returns what submitting the form with data-testid id
// unchanged would send.
func formValues(t *testing.T, body, id string) url.Values {
	t.Helper()
	form := one(t, body, id)
	v := url.Values{}
	for _, c := range controlRe.FindAllString(form, -1) {
		a := tagAttrs(c)
		name, hasName := a["name"]
		if !hasName || name == "" {
			continue
		}
		switch {
		case strings.HasPrefix(c, "<input"):
			switch a["type"] {
			case "submit", "button", "image", "reset":
			case "checkbox", "radio":
				if _, checked := a["checked"]; checked {
					val, ok := a["value"]
					if !ok {
						val = "on"
					}
					v.Add(name, val)
				}
			default:
				v.Add(name, a["value"])
			}
		case strings.HasPrefix(c, "<select"):
			first, chosen, found := "", "", false
			for i, m := range optionRe.FindAllStringSubmatch(c, -1) {
				oa := tagAttrs("<option" + m[1] + ">")
				if i == 0 {
					first = oa["value"]
				}
				if _, sel := oa["selected"]; sel && !found {
					chosen, found = oa["value"], true
				}
			}
			if !found {
				chosen = first
			}
			v.Add(name, chosen)
		case strings.HasPrefix(c, "<textarea"):
			inner := c[strings.Index(c, ">")+1 : strings.LastIndex(c, "</textarea>")]
			v.Add(name, html.UnescapeString(inner))
		}
	}
	return v
}

// newUUID is a random version-4 UUID, as the new-statement form carries.
func newUUID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newStatementForm is a complete, valid new-statement form.
func newStatementForm(t *testing.T, summary string) url.Values {
	t.Helper()
	return url.Values{
		"idempotency_key": {newUUID(t)},
		"actor":           {"vladimir-putin"},
		"date":            {"2024-01-15"},
		"date_precision":  {"day"},
		"quote":           {""},
		"summary":         {summary},
		"occasion":        {""},
		"attribution":     {"on_record"},
		"source_id":       {"1"},
		"regions":         {"donetsk"},
		"demand":          {"ukraine-neutrality", "", ""},
		"stance":          {"insists", "", ""},
	}
}

// formDate writes a date as the forms take it: its form is its precision.
func formDate(d parley.Date) string {
	switch d.Precision {
	case "month":
		return d.Time.Format("2006-01")
	case "year":
		return d.Time.Format("2006")
	}
	return d.ISO()
}

// ---- Looking into the database ----

// fingerprint summarises every editable record and account, so a test can
// tell that a refused request changed nothing.
func (e *env) fingerprint(t *testing.T) string {
	t.Helper()
	var fp string
	err := e.pool.QueryRow(context.Background(), `
		SELECT concat_ws(' | ',
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM statements),
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM actors),
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM demands),
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM regions),
		  (SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || count(deleted_at) FROM sources),
		  (SELECT count(*) FROM positions), (SELECT count(*) FROM statement_regions),
		  (SELECT count(*) FROM revisions),
		  (SELECT count(*) || ' ' || count(disabled_at) || ' ' || coalesce(string_agg(role, ',' ORDER BY id), '') FROM users))`).Scan(&fp)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// count runs a count query.
func (e *env) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (e *env) statementsWithSummary(t *testing.T, summary string) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM statements WHERE summary = $1`, summary)
}

var byEditor = parley.Editor{Email: "setup@example.org"}

// ---- 1. Who may use the write routes ----

type writeRoute struct {
	method, path string
	admin        bool       // needs the admin role
	form         url.Values // a body that would change something if allowed
}

// writeRoutes is every write route of routes.go with real keys of the
// seed dataset; target is an account the admin routes act on.
func writeRoutes(t *testing.T, e *env, target int64) []writeRoute {
	t.Helper()
	ctx := context.Background()
	st, err := e.store.GetStatement(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	stEdit := url.Values{"version": {strconv.Itoa(st.Version)}, "actor": {st.ActorSlug}, "date": {formDate(st.Date)},
		"date_precision": {string(st.Date.Precision)}, "quote": {st.Quote}, "summary": {st.Summary + " (edited)"},
		"occasion": {st.Occasion}, "attribution": {string(st.Attribution)}}
	if st.Source != nil {
		stEdit.Set("source_id", strconv.FormatInt(st.Source.ID, 10))
	}
	for _, r := range st.Regions {
		stEdit.Add("regions", r.Slug)
	}
	for _, p := range st.Positions {
		stEdit.Add("demand", p.Demand)
		stEdit.Add("stance", string(p.Stance))
	}
	a, err := e.store.GetActor(ctx, "dmitry-peskov")
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.store.GetDemand(ctx, "ukraine-neutrality")
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.store.GetRegion(ctx, "donetsk")
	if err != nil {
		t.Fatal(err)
	}
	src, err := e.store.GetSource(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, admin bool) writeRoute {
		return writeRoute{method: http.MethodGet, path: path, admin: admin}
	}
	post := func(path string, admin bool, form url.Values) writeRoute {
		return writeRoute{method: http.MethodPost, path: path, admin: admin, form: form}
	}
	uid := strconv.FormatInt(target, 10)
	return []writeRoute{
		get("/statements/new", false),
		get("/statements/1/edit", false),
		get("/actors/new", false),
		get("/actors/dmitry-peskov/edit", false),
		get("/demands/new", false),
		get("/demands/ukraine-neutrality/edit", false),
		get("/regions/new", false),
		get("/regions/donetsk/edit", false),
		get("/sources/new", false),
		get("/sources/1/edit", false),
		get("/statements/1/history", false),
		get("/actors/dmitry-peskov/history", false),
		get("/demands/ukraine-neutrality/history", false),
		get("/regions/donetsk/history", false),
		get("/sources/1/history", false),
		get("/changes", false),
		get("/admin/users", true),

		post("/statements/new", false, newStatementForm(t, "Access check: a statement nobody may add unsigned.")),
		post("/statements/1/edit", false, stEdit),
		post("/actors/new", false, url.Values{"slug": {"access-check-actor"}, "name": {"Access Check Actor"}, "kind": {"person"}, "side": {"russia"}}),
		post("/actors/dmitry-peskov/edit", false, url.Values{"version": {strconv.Itoa(a.Version)}, "name": {a.Name},
			"aliases": {strings.Join(a.Aliases, "\n")}, "kind": {string(a.Kind)}, "side": {a.Side}, "role": {"Edited role"}, "parent": {a.ParentSlug}}),
		post("/demands/new", false, url.Values{"slug": {"access-check-demand"}, "title": {"Access check demand"}, "side": {"russia"}, "category": {"process"}}),
		post("/demands/ukraine-neutrality/edit", false, url.Values{"version": {strconv.Itoa(d.Version)}, "title": {d.Title + " (edited)"},
			"description": {d.Description}, "side": {d.Side}, "category": {string(d.Category)}, "regions": d.Regions}),
		post("/regions/new", false, url.Values{"slug": {"access-check-region"}, "name": {"Access Check"}, "country": {"Ukraine"}, "kind": {"other"}}),
		post("/regions/donetsk/edit", false, url.Values{"version": {strconv.Itoa(r.Version)}, "name": {"Donetsk (edited)"}, "country": {r.Country}, "kind": {string(r.Kind)}}),
		post("/sources/new", false, url.Values{"outlet": {"Access Check Outlet"}}),
		post("/sources/1/edit", false, url.Values{"version": {strconv.Itoa(src.Version)}, "outlet": {src.Outlet + " (edited)"},
			"title": {src.Title}, "url": {src.URL}, "published": {formDate(src.Published)}, "via": {src.Via}}),
		post("/statements/1/delete", false, nil),
		post("/actors/dmitry-peskov/delete", false, nil),
		post("/demands/ukraine-neutrality/delete", false, nil),
		post("/regions/donetsk/delete", false, nil),
		post("/sources/1/delete", false, nil),
		// Restores name records deleteForRestore deleted.
		post("/statements/2/restore", false, nil),
		post("/actors/alexander-lukashenko/restore", false, nil),
		post("/demands/deleted-demand/restore", false, nil),
		post("/regions/kursk/restore", false, nil),
		post("/sources/2/restore", false, nil),
		post("/revisions/1/restore", false, nil),
		post("/admin/users", true, url.Values{"email": {"added-by-route@example.org"}, "role": {"admin"}, "password": {"a long enough password"}}),
		post("/admin/users/"+uid+"/role", true, url.Values{"role": {"admin"}}),
		post("/admin/users/"+uid+"/disable", true, url.Values{"disabled": {"1"}}),
	}
}

// deleteForRestore deletes one record of each kind, so that the restore
// routes have something to restore.
func deleteForRestore(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.store.CreateDemand(ctx, byEditor, parley.DemandInput{Slug: "deleted-demand", Title: "A deleted demand",
		Side: "russia", Category: "process"}); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		e.store.DeleteStatement(ctx, byEditor, 2),
		e.store.DeleteActor(ctx, byEditor, "alexander-lukashenko"),
		e.store.DeleteDemand(ctx, byEditor, "deleted-demand"),
		e.store.DeleteRegion(ctx, byEditor, "kursk"),
		e.store.DeleteSource(ctx, byEditor, 2),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriteRoutesNeedTheRightRole(t *testing.T) {
	for _, role := range []string{"anonymous", "signed-out", "editor", "admin"} {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			deleteForRestore(t, e)
			target := e.newUser(t, "target@example.org", "editor")
			var b *browser
			switch role {
			case "anonymous":
				b = e.browser(t)
			case "signed-out":
				b = e.signIn(t, "left@example.org", "editor")
				if res, _ := b.post(t, "/logout", nil); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("POST /logout = %d, want 303", res.StatusCode)
				}
			default:
				b = e.signIn(t, role+"@example.org", role)
			}
			for _, rt := range writeRoutes(t, e, target.ID) {
				allowed := role == "admin" || (role == "editor" && !rt.admin)
				before := e.fingerprint(t)
				res, body, err := b.send(rt.method, rt.path, rt.form, nil)
				if err != nil {
					t.Fatalf("%s %s: %v", rt.method, rt.path, err)
				}
				loc := res.Header.Get("Location")
				switch {
				case allowed && rt.method == http.MethodGet:
					if res.StatusCode != http.StatusOK {
						t.Errorf("%s %s as %s = %d, want 200; message: %q", rt.method, rt.path, role, res.StatusCode, errorMessage(body))
					}
				case allowed:
					if res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized ||
						res.StatusCode >= 500 || strings.HasPrefix(loc, "/login") {
						t.Errorf("%s %s as %s = %d (Location %q), want it allowed; message: %q", rt.method, rt.path, role, res.StatusCode, loc, errorMessage(body))
					}
				default:
					want := http.StatusForbidden
					if rt.method == http.MethodGet && (role == "anonymous" || role == "signed-out") {
						want = http.StatusSeeOther
						if wantLoc := "/login?next=" + url.QueryEscape(rt.path); loc != wantLoc {
							t.Errorf("%s %s as %s: Location = %q, want %q", rt.method, rt.path, role, loc, wantLoc)
						}
					}
					if res.StatusCode != want {
						t.Errorf("%s %s as %s = %d, want %d", rt.method, rt.path, role, res.StatusCode, want)
					}
					if after := e.fingerprint(t); after != before {
						t.Errorf("%s %s as %s changed the database:\n before %s\n after  %s", rt.method, rt.path, role, before, after)
					}
				}
			}
			if role == "anonymous" || role == "signed-out" {
				if got := b.signedInAs(t); got != "" {
					t.Errorf("%s browser is signed in as %q", role, got)
				}
			}
		})
	}
}

// ---- 2. Signing in and out ----

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

// ---- 3. Cross-site requests ----

func TestCrossSitePostBySignedInEditorIsRefused(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	summary := "Cross-site forged statement."
	before := e.fingerprint(t)
	h := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}
	res, _, err := b.send(http.MethodPost, "/statements/new", newStatementForm(t, summary), h)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", res.StatusCode)
	}
	if after := e.fingerprint(t); after != before {
		t.Errorf("the cross-site POST changed the database")
	}
	if n := e.statementsWithSummary(t, summary); n != 0 {
		t.Errorf("statements created by the cross-site POST = %d, want 0", n)
	}
	// The same form from the site itself is saved.
	b.mustPost(t, "/statements/new", newStatementForm(t, summary))
}

// ---- 4. Forms keep what was typed ----

func TestStatementFormKeepsInputAndNamesErrors(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	future := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	quote := `“We will not” — <never> & 'ever'`
	tests := []struct {
		name       string
		change     map[string]string
		wantErrors []string
		wantKept   []string // fields whose typed value the page must show again
	}{
		{"impossible date and no summary", map[string]string{"date": "2025-13-40", "summary": "", "quote": quote},
			[]string{"date", "summary"}, []string{"date", "quote"}},
		{"future date", map[string]string{"date": future, "summary": "Said in the future."},
			[]string{"date"}, []string{"date", "summary"}},
		{"day date with month precision", map[string]string{"date": "2024-06-14", "date_precision": "month", "summary": "Precision mismatch."},
			[]string{"date_precision"}, []string{"date", "summary"}},
		{"javascript source address", map[string]string{"summary": "Source with a script address.", "source_id": "",
			"source_outlet": "Evil Daily", "source_url": "javascript:alert(1)"},
			[]string{"source_url"}, []string{"source_outlet", "source_url", "summary"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := newStatementForm(t, "")
			for k, v := range tt.change {
				form.Set(k, v)
			}
			before := e.fingerprint(t)
			res, body := b.post(t, "/statements/new", form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422; errors: %v", res.StatusCode, fieldErrors(body))
			}
			for _, f := range tt.wantErrors {
				if len(byTestID(body, "error-"+f)) == 0 {
					t.Errorf("no error-%s on the page; errors shown: %v", f, fieldErrors(body))
				}
			}
			if len(byTestID(body, "form-errors")) == 0 {
				t.Errorf("no error summary (form-errors) on the page")
			}
			shown := formValues(t, body, "statement-form")
			for _, f := range tt.wantKept {
				if got := shown.Get(f); got != form.Get(f) {
					t.Errorf("field %s shows %q, want what was typed: %q", f, got, form.Get(f))
				}
			}
			if shown.Get("actor") != "vladimir-putin" || shown.Get("idempotency_key") != form.Get("idempotency_key") {
				t.Errorf("form lost its actor or idempotency key: actor %q, key %q", shown.Get("actor"), shown.Get("idempotency_key"))
			}
			if after := e.fingerprint(t); after != before {
				t.Errorf("a rejected form changed the database")
			}
		})
	}
}

func TestActorFormKeepsInputAndNamesErrors(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	form := url.Values{"slug": {"Bad Slug"}, "name": {"Typed Name «Ünïcode»"}, "aliases": {"One\nTwo"},
		"kind": {"person"}, "side": {"russia"}, "role": {"Typed role"}}
	before := e.fingerprint(t)
	res, body := b.post(t, "/actors/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST /actors/new with a bad slug = %d, want 422", res.StatusCode)
	}
	if len(byTestID(body, "error-slug")) == 0 {
		t.Errorf("no error-slug on the page; errors shown: %v", fieldErrors(body))
	}
	shown := formValues(t, body, "record-form")
	for _, f := range []string{"slug", "name", "aliases", "kind", "side", "role"} {
		if got := shown.Get(f); got != form.Get(f) {
			t.Errorf("field %s shows %q, want what was typed: %q", f, got, form.Get(f))
		}
	}
	if after := e.fingerprint(t); after != before {
		t.Errorf("a rejected actor form changed the database")
	}
	if res, _ := b.get(t, "/actors/bad-slug"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /actors/bad-slug = %d, want 404", res.StatusCode)
	}
}

// ---- 5. The same form twice ----

func TestNewStatementFormIsSavedOnce(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")

	t.Run("twice in a row", func(t *testing.T) {
		body := b.mustGet(t, "/statements/new")
		form := formValues(t, body, "statement-form")
		if form.Get("idempotency_key") == "" {
			t.Fatal("the new-statement form carries no idempotency_key")
		}
		summary := "Double-clicked statement about neutrality."
		for k, v := range newStatementForm(t, summary) {
			if k != "idempotency_key" {
				form[k] = v
			}
		}
		first := b.mustPost(t, "/statements/new", form)
		second := b.mustPost(t, "/statements/new", form)
		if !regexp.MustCompile(`^/statements/\d+$`).MatchString(first) || second != first {
			t.Errorf("redirects = %q and %q, want the same /statements/{id}", first, second)
		}
		if n := e.statementsWithSummary(t, summary); n != 1 {
			t.Errorf("statements saved = %d, want 1", n)
		}
	})

	t.Run("at once", func(t *testing.T) {
		summary := "Kyiv must never host foreign bases, the Kremlin leader told reporters in Minsk."
		form := newStatementForm(t, summary)
		form.Set("date", "2023-03-02")
		const n = 4
		var wg sync.WaitGroup
		res := make([]*http.Response, n)
		bodies := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { res[i], bodies[i], errs[i] = b.send(http.MethodPost, "/statements/new", form, nil) })
		}
		wg.Wait()
		saved := map[string]bool{}
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			switch {
			case res[i].StatusCode == http.StatusSeeOther:
				saved[res[i].Header.Get("Location")] = true
			case res[i].StatusCode == http.StatusUnprocessableEntity && len(byTestID(bodies[i], "duplicates")) > 0:
				// A submission that raced the first one's commit may be
				// warned that the statement now exists; it saves nothing.
			default:
				t.Errorf("submission %d = %d, want 303; errors %v", i, res[i].StatusCode, fieldErrors(bodies[i]))
			}
		}
		if len(saved) != 1 {
			t.Errorf("submissions redirected to %v, want one /statements/{id}", saved)
		}
		if n := e.statementsWithSummary(t, summary); n != 1 {
			t.Errorf("statements saved = %d, want 1", n)
		}
	})
}

// ---- 6. Possible duplicates ----

func TestPossibleDuplicateNeedsConfirmation(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	var existing int64
	var summary string
	err := e.pool.QueryRow(context.Background(), `
		SELECT s.id, s.summary FROM statements s JOIN actors a ON a.id = s.actor_id
		WHERE a.slug = 'vladimir-putin' AND s.date = '2024-06-14' AND s.date_precision = 'day' ORDER BY s.id LIMIT 1`).Scan(&existing, &summary)
	if err != nil {
		t.Fatalf("the seed has no day-precise Putin statement of 14 June 2024: %v", err)
	}
	near := strings.Replace(summary, "Putin proposed", "Putin again proposed", 1)
	if near == summary {
		near = summary + " Again."
	}
	form := newStatementForm(t, near)
	form.Set("date", "2024-06-17")

	res, body := b.post(t, "/statements/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("near-duplicate = %d, want 422", res.StatusCode)
	}
	dups := byTestID(body, "duplicates")
	if len(dups) == 0 {
		t.Fatal("no duplicates warning on the page")
	}
	if want := fmt.Sprintf(`href="/statements/%d"`, existing); !strings.Contains(dups[0], want) {
		t.Errorf("the warning does not link the existing statement %d", existing)
	}
	if n := e.statementsWithSummary(t, near); n != 0 {
		t.Fatalf("saved before confirmation: %d", n)
	}
	shown := formValues(t, body, "statement-form")
	if shown.Get("summary") != near || shown.Get("date") != "2024-06-17" {
		t.Errorf("the warning page lost the typed summary or date: %q, %q", shown.Get("summary"), shown.Get("date"))
	}
	if len(byTestID(body, "confirm-duplicate")) == 0 {
		t.Fatal("no confirm-duplicate box on the page")
	}

	shown.Set("confirm_duplicate", "1")
	loc := b.mustPost(t, "/statements/new", shown)
	if loc == fmt.Sprintf("/statements/%d", existing) {
		t.Errorf("confirmation redirected to the existing statement")
	}
	if n := e.statementsWithSummary(t, near); n != 1 {
		t.Errorf("statements saved after confirmation = %d, want 1", n)
	}
}

// ---- 7. Two editors, one statement ----

func TestConcurrentEditsConflict(t *testing.T) {
	e := newEnv(t, true)
	alice := e.signIn(t, "alice@example.org", "editor")
	bob := e.signIn(t, "bob@example.org", "editor")

	aliceForm := formValues(t, alice.mustGet(t, "/statements/1/edit"), "statement-form")
	bobForm := formValues(t, bob.mustGet(t, "/statements/1/edit"), "statement-form")
	version := aliceForm.Get("version")
	if version == "" || bobForm.Get("version") != version {
		t.Fatalf("edit forms carry versions %q and %q, want the same", version, bobForm.Get("version"))
	}

	aliceForm.Set("summary", "Alice's careful rewording of the Peskov statement.")
	alice.mustPost(t, "/statements/1/edit", aliceForm)

	bobSummary := "Bob's <own> rewording & more."
	bobForm.Set("summary", bobSummary)
	res, body := bob.post(t, "/statements/1/edit", bobForm)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second save with the same version = %d, want 409", res.StatusCode)
	}
	if len(byTestID(body, "conflict")) == 0 {
		t.Errorf("no conflict notice on the page")
	}
	theirs := text(one(t, body, "their-version"))
	if !strings.Contains(theirs, "Alice's careful rewording") {
		t.Errorf("their-version does not show Alice's summary: %.300q", theirs)
	}
	kept := formValues(t, body, "statement-form")
	if kept.Get("summary") != bobSummary {
		t.Errorf("conflict form summary = %q, want Bob's typing %q", kept.Get("summary"), bobSummary)
	}
	v, _ := strconv.Atoi(version)
	if kept.Get("version") != strconv.Itoa(v+1) {
		t.Errorf("conflict form version = %q, want the newer %d", kept.Get("version"), v+1)
	}
	if s, _ := e.store.GetStatement(context.Background(), 1); !strings.HasPrefix(s.Summary, "Alice's") {
		t.Errorf("the conflict overwrote the summary: %q", s.Summary)
	}

	bob.mustPost(t, "/statements/1/edit", kept)
	if s, _ := e.store.GetStatement(context.Background(), 1); s.Summary != bobSummary {
		t.Errorf("summary after Bob saves over the newer version = %q, want %q", s.Summary, bobSummary)
	}

	t.Run("at once", func(t *testing.T) {
		a := formValues(t, alice.mustGet(t, "/statements/1/edit"), "statement-form")
		b := formValues(t, bob.mustGet(t, "/statements/1/edit"), "statement-form")
		a.Set("summary", "Alice, racing.")
		b.Set("summary", "Bob, racing.")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		errs := make([]error, 2)
		for i, who := range []*browser{alice, bob} {
			form := []url.Values{a, b}[i]
			wg.Go(func() {
				res, _, err := who.send(http.MethodPost, "/statements/1/edit", form, nil)
				errs[i] = err
				if err == nil {
					codes[i] = res.StatusCode
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		won, lost := 0, 0
		for _, c := range codes {
			switch c {
			case http.StatusSeeOther:
				won++
			case http.StatusConflict:
				lost++
			}
		}
		if won != 1 || lost != 1 {
			t.Errorf("statuses = %v, want one 303 and one 409", codes)
		}
	})
}

// ---- 8. History and restore ----

var restoreFormRe = regexp.MustCompile(`action="(/revisions/\d+/restore)"[^>]*>\s*<button[^>]*data-testid="restore-revision-(\d+)"`)

// restoreURL finds the restore button of version on a page's history.
func restoreURL(t *testing.T, body string, version int) string {
	t.Helper()
	for _, m := range restoreFormRe.FindAllStringSubmatch(one(t, body, "history"), -1) {
		if m[2] == strconv.Itoa(version) {
			return m[1]
		}
	}
	t.Fatalf("no restore button for version %d in the history", version)
	return ""
}

var changeRowRe = regexp.MustCompile(`(?s)<tr><th scope="row">(.*?)</th><td><del>(.*?)</del></td><td><ins>(.*?)</ins></td></tr>`)

// historyShows reports whether the history lists field changed from
// before to after.
func historyShows(body, field, before, after string) bool {
	for _, h := range byTestID(body, "history") {
		for _, m := range changeRowRe.FindAllStringSubmatch(h, -1) {
			if text(m[1]) == field && html.UnescapeString(m[2]) == before && html.UnescapeString(m[3]) == after {
				return true
			}
		}
	}
	return false
}

func TestHistoryShowsChangesAndRestores(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	ctx := context.Background()

	t.Run("statement", func(t *testing.T) {
		orig, err := e.store.GetStatement(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		form := formValues(t, b.mustGet(t, "/statements/1/edit"), "statement-form")
		edited := "Peskov's words, summarised again."
		form.Set("summary", edited)
		b.mustPost(t, "/statements/1/edit", form)

		body := b.mustGet(t, "/statements/1")
		if !historyShows(body, "summary", orig.Summary, edited) {
			t.Errorf("statement history does not show summary %q → %q", orig.Summary, edited)
		}
		revs := e.count(t, `SELECT count(*) FROM revisions WHERE entity_type = 'statement' AND entity_id = 1`)
		if loc := b.mustPost(t, restoreURL(t, body, orig.Version), nil); loc != "/statements/1" {
			t.Errorf("restore redirects to %q, want /statements/1", loc)
		}
		body = b.mustGet(t, "/statements/1")
		if got := text(one(t, body, "summary")); got != orig.Summary {
			t.Errorf("summary after restore = %q, want %q", got, orig.Summary)
		}
		if n := e.count(t, `SELECT count(*) FROM revisions WHERE entity_type = 'statement' AND entity_id = 1`); n != revs+1 {
			t.Errorf("revisions after restore = %d, want %d", n, revs+1)
		}
		var action string
		if err := e.pool.QueryRow(ctx, `SELECT action FROM revisions WHERE entity_type = 'statement' AND entity_id = 1 ORDER BY id DESC LIMIT 1`).Scan(&action); err != nil {
			t.Fatal(err)
		}
		if action != "restore" {
			t.Errorf("newest revision action = %q, want restore", action)
		}
		if !historyShows(body, "summary", edited, orig.Summary) {
			t.Errorf("statement history does not show the restore as a change back")
		}
		if first := text(one(t, body, "revision")); !strings.Contains(first, "restored") || !strings.Contains(first, "ed@example.org") {
			t.Errorf("newest revision reads %q, want it restored by ed@example.org", first)
		}
	})

	t.Run("actor", func(t *testing.T) {
		orig, err := e.store.GetActor(ctx, "dmitry-peskov")
		if err != nil {
			t.Fatal(err)
		}
		form := formValues(t, b.mustGet(t, "/actors/dmitry-peskov/edit"), "record-form")
		if form.Get("name") != orig.Name || form.Get("version") != strconv.Itoa(orig.Version) {
			t.Fatalf("actor edit form holds name %q version %q, want %q %d", form.Get("name"), form.Get("version"), orig.Name, orig.Version)
		}
		form.Set("role", "Spokesman (edited)")
		if loc := b.mustPost(t, "/actors/dmitry-peskov/edit", form); loc != "/actors/dmitry-peskov" {
			t.Errorf("actor edit redirects to %q", loc)
		}
		body := b.mustGet(t, "/actors/dmitry-peskov/history")
		if !historyShows(body, "role", orig.Role, "Spokesman (edited)") {
			t.Errorf("actor history does not show role %q → %q", orig.Role, "Spokesman (edited)")
		}
		b.mustPost(t, restoreURL(t, body, orig.Version), nil)
		a, err := e.store.GetActor(ctx, "dmitry-peskov")
		if err != nil {
			t.Fatal(err)
		}
		if a.Role != orig.Role || a.Version != orig.Version+2 {
			t.Errorf("after restore: role %q version %d, want %q version %d", a.Role, a.Version, orig.Role, orig.Version+2)
		}
		body = b.mustGet(t, "/actors/dmitry-peskov")
		mustContain(t, body, html.EscapeString(orig.Role))
		if !historyShows(body, "role", "Spokesman (edited)", orig.Role) {
			t.Errorf("actor page history does not show the restore")
		}
	})
}

// ---- 9. Delete and undo ----

func csvHasStatement(t *testing.T, body string, id int64) bool {
	t.Helper()
	for _, row := range parseCSV(t, body)[1:] {
		if row[0] == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}

func TestDeleteStatementAndUndo(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	_, csvBody := b.get(t, "/regions/donetsk/timeline.csv")
	if !csvHasStatement(t, csvBody, 1) {
		t.Fatal("statement 1 is not in the Donetsk timeline to begin with")
	}
	if ids, _, _ := b.e.walk(t, "/statements"); !containsID(ids, 1) {
		t.Fatal("statement 1 is not listed to begin with")
	}

	if loc := b.mustPost(t, "/statements/1/delete", nil); loc != "/statements" {
		t.Errorf("delete redirects to %q, want /statements", loc)
	}
	body := b.mustGet(t, "/statements")
	flash := byTestID(body, "flash")
	if len(flash) == 0 {
		t.Fatal("no flash message after deleting")
	}
	undo := byTestID(flash[0], "undo")
	if len(undo) == 0 || !strings.Contains(flash[0], `action="/statements/1/restore"`) {
		t.Fatalf("flash has no Undo button posting to /statements/1/restore: %s", flash[0])
	}
	if ids, _, _ := b.e.walk(t, "/statements"); containsID(ids, 1) {
		t.Errorf("deleted statement 1 is still listed")
	}
	if res, _ := b.get(t, "/statements/1"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /statements/1 after delete = %d, want 404", res.StatusCode)
	}
	if _, csvBody := b.get(t, "/regions/donetsk/timeline.csv"); csvHasStatement(t, csvBody, 1) {
		t.Errorf("deleted statement 1 is still in the Donetsk timeline CSV")
	}
	// The flash shows once.
	if body := b.mustGet(t, "/statements"); len(byTestID(body, "flash")) != 0 {
		t.Errorf("the flash shows again on the next page")
	}

	if loc := b.mustPost(t, "/statements/1/restore", nil); loc != "/statements/1" {
		t.Errorf("undo redirects to %q, want /statements/1", loc)
	}
	b.mustGet(t, "/statements/1")
	if _, csvBody := b.get(t, "/regions/donetsk/timeline.csv"); !csvHasStatement(t, csvBody, 1) {
		t.Errorf("restored statement 1 is missing from the Donetsk timeline CSV")
	}
	if ids, _, _ := b.e.walk(t, "/statements"); !containsID(ids, 1) {
		t.Errorf("restored statement 1 is not listed")
	}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestDeleteInUseIsRefused(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	tests := []struct {
		name, path, page, usedSQL string
	}{
		{"actor", "/actors/dmitry-peskov/delete", "/actors/dmitry-peskov",
			`SELECT s.id FROM statements s JOIN actors a ON a.id = s.actor_id WHERE a.slug = 'dmitry-peskov' AND s.deleted_at IS NULL`},
		{"demand", "/demands/ukraine-neutrality/delete", "/demands/ukraine-neutrality",
			`SELECT p.statement_id FROM positions p JOIN demands d ON d.id = p.demand_id JOIN statements s ON s.id = p.statement_id
			 WHERE d.slug = 'ukraine-neutrality' AND s.deleted_at IS NULL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var used int64
			if err := e.pool.QueryRow(context.Background(), tt.usedSQL+` ORDER BY 1 LIMIT 1`).Scan(&used); err != nil {
				t.Fatalf("no statement uses the %s: %v", tt.name, err)
			}
			before := e.fingerprint(t)
			res, body := b.post(t, tt.path, nil)
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("POST %s = %d, want 409", tt.path, res.StatusCode)
			}
			list := byTestID(body, "in-use")
			if len(list) == 0 {
				t.Fatal("no in-use list on the page")
			}
			if !strings.Contains(list[0], fmt.Sprintf(`href="/statements/%d"`, used)) {
				t.Errorf("in-use list does not link statement %d", used)
			}
			if after := e.fingerprint(t); after != before {
				t.Errorf("a refused delete changed the database")
			}
			b.mustGet(t, tt.page)
		})
	}
}

// ---- 10. The change log ----

func TestChangesLogFilters(t *testing.T) {
	e := newEnv(t, true)
	alice := e.signIn(t, "alice@example.org", "editor")
	bob := e.signIn(t, "bob@example.org", "editor")

	form := formValues(t, alice.mustGet(t, "/statements/1/edit"), "statement-form")
	form.Set("summary", "Alice edited this statement.")
	alice.mustPost(t, "/statements/1/edit", form)
	aform := formValues(t, alice.mustGet(t, "/actors/dmitry-peskov/edit"), "record-form")
	aform.Set("role", "Alice edited this actor.")
	alice.mustPost(t, "/actors/dmitry-peskov/edit", aform)
	bform := formValues(t, bob.mustGet(t, "/regions/donetsk/edit"), "record-form")
	bform.Set("name", "Donetsk (Bob)")
	bob.mustPost(t, "/regions/donetsk/edit", bform)

	rows := func(t *testing.T, path string) [][]string {
		t.Helper()
		body := alice.mustGet(t, path)
		var out [][]string
		table := one(t, body, "changes")
		tbody := table[strings.Index(table, "<tbody>"):]
		for _, tr := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(tbody, -1) {
			var cells []string
			for _, td := range regexp.MustCompile(`(?s)<td>(.*?)</td>`).FindAllStringSubmatch(tr[1], -1) {
				cells = append(cells, text(td[1]))
			}
			out = append(out, cells)
		}
		return out
	}

	all := rows(t, "/changes")
	if len(all) < 3 || !strings.Contains(all[0][1], "bob@example.org") || !strings.HasPrefix(all[0][2], "region") {
		t.Errorf("newest change = %v, want Bob's region edit first", all[0])
	}

	byAlice := rows(t, "/changes?editor=alice@example.org")
	if len(byAlice) != 2 {
		t.Errorf("changes by alice = %d rows, want 2: %v", len(byAlice), byAlice)
	}
	for _, r := range byAlice {
		if r[1] != "alice@example.org" {
			t.Errorf("editor filter lists a change by %q", r[1])
		}
	}

	statements := rows(t, "/changes?type=statement")
	if len(statements) == 0 {
		t.Fatal("type=statement lists nothing")
	}
	for _, r := range statements {
		if !strings.HasPrefix(r[2], "statement ") {
			t.Errorf("type filter lists %q", r[2])
		}
	}
	both := rows(t, "/changes?editor=alice@example.org&type=statement")
	if len(both) != 1 || !strings.Contains(both[0][3], "Alice edited this statement.") {
		t.Errorf("alice's statement changes = %v, want her one statement edit", both)
	}
	if got := rows(t, "/changes?editor=bob@example.org&type=statement"); len(got) != 0 {
		t.Errorf("bob's statement changes = %v, want none", got)
	}

	res, body := alice.get(t, "/changes?type=bogus")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /changes?type=bogus = %d, want 400", res.StatusCode)
	}
	if !strings.Contains(errorMessage(body), "bogus") {
		t.Errorf("400 page does not name the wrong value: %q", errorMessage(body))
	}
}

// ---- 11. Accounts ----

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

// ---- 12. READ_ACCESS=signed-in ----

func TestReadAccessSignedIn(t *testing.T) {
	e := newEnvWith(t, true, handlers.Config{RequireSignIn: true})
	anon := e.browser(t)
	for _, path := range []string{"/", "/statements", "/statements/1", "/actors/dmitry-peskov", "/regions/donetsk/timeline.csv", "/statements.csv"} {
		res, _ := anon.get(t, path)
		if want := "/login?next=" + url.QueryEscape(path); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("anonymous GET %s = %d to %q, want 303 to %q", path, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	anon.mustGet(t, "/login")
	anon.mustGet(t, "/healthz")

	ed := e.signIn(t, "ed@example.org", "editor")
	body := ed.mustGet(t, "/")
	if len(byTestID(body, "matrix")) == 0 {
		t.Errorf("signed-in dashboard has no matrix")
	}
	ed.mustGet(t, "/statements/1")
	ed.mustGet(t, "/regions/donetsk/timeline.csv")
}
