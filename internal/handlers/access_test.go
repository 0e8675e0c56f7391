package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"parley"
	"strconv"
	"strings"
	"testing"

	"github.com/alexedwards/scs/pgxstore"

	"parley/internal/handlers"
)

var byEditor = parley.Editor{Email: "setup@example.org"}

// ---- Who may use the write routes ----

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
		get("/admin/releases", true),

		post("/statements/new", false, newStatementForm(t, "Access check: a statement nobody may add unsigned.")),
		post("/statements/1/edit", false, stEdit),
		post("/actors/new", false, url.Values{"slug": {"access-check-actor"}, "name": {"Access Check Actor"}, "kind": {"person"}, "side": {"russia"}}),
		post("/actors/dmitry-peskov/edit", false, url.Values{"version": {strconv.Itoa(a.Version)}, "name": {a.Name},
			"aliases": {strings.Join(a.Aliases, "\n")}, "kind": {string(a.Kind)}, "side": {a.Side}, "role": {"Edited role"}, "parent": {a.ParentSlug}}),
		post("/demands/new", false, url.Values{"slug": {"access-check-demand"}, "title": {"Access check demand"}, "side": {"russia"}, "category": {"process"}}),
		post("/demands/ukraine-neutrality/edit", false, url.Values{"version": {strconv.Itoa(d.Version)}, "title": {d.Title + " (edited)"},
			"description": {d.Description}, "side": {d.Side}, "category": {string(d.Category)}, "regions": d.Regions, "converse": {d.Converse}}),
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
		post("/sides/new", true, url.Values{"slug": {"access-check-side"}, "name": {"Access Check Side"}, "role": {"stakeholder"}}),
		post("/sides/belarus/edit", true, url.Values{"version": {"1"}, "name": {"Belarus"}, "role": {"party"}}),
		post("/sides/switzerland/delete", true, nil),
		post("/admin/users", true, url.Values{"email": {"added-by-route@example.org"}, "role": {"admin"}, "password": {"a long enough password"}}),
		post("/admin/users/"+uid+"/role", true, url.Values{"role": {"admin"}}),
		post("/admin/users/"+uid+"/disable", true, url.Values{"disabled": {"1"}}),
		post("/admin/releases", true, url.Values{"name": {"access-check"}}),
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

// ---- Cross-site requests ----

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

// ---- READ_ACCESS=signed-in ----

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
