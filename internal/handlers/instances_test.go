package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/alexedwards/scs/pgxstore"

	"parley/internal/auth"
	"parley/internal/handlers"
	"parley/internal/store"
	"parley/internal/testdb"
)

// TestSessionsWorkAcrossInstances signs in on one instance and carries on
// on another over the same database, as behind a load balancer: no state
// lives in a process.
func TestSessionsWorkAcrossInstances(t *testing.T) {
	pool := testdb.New(t)
	st := store.New(pool)
	hash, _ := auth.HashPassword("two instances pw")
	if _, err := st.CreateUser(context.Background(), "ed@example.org", hash, "editor"); err != nil {
		t.Fatal(err)
	}
	newInstance := func() *httptest.Server {
		// Each instance has its own pool, store and session manager.
		p, err := store.Open(context.Background(), testdb.URLOf(pool))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		srv := httptest.NewServer(handlers.NewServer(slog.New(slog.DiscardHandler), store.New(p), pgxstore.NewWithCleanupInterval(p, 0), handlers.Config{}))
		t.Cleanup(srv.Close)
		return srv
	}
	a, b := newInstance(), newInstance()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(a.URL+"/login", url.Values{"email": {"ed@example.org"}, "password": {"two instances pw"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in on A: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	// Same cookie, other instance (cookies are per host, not per port).
	ua, _ := url.Parse(a.URL)
	ub, _ := url.Parse(b.URL)
	jar.SetCookies(ub, jar.Cookies(ua))
	res, err = c.Get(b.URL + "/statements/new")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-testid="signed-in"`) {
		t.Fatalf("instance B: status %d, signed in: %v", res.StatusCode, strings.Contains(string(body), "ed@example.org"))
	}
	// Sign out on B ends the session on A too.
	res, err = c.PostForm(b.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	jar.SetCookies(ua, jar.Cookies(ub))
	res, err = c.Get(a.URL + "/statements/new")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("instance A after sign-out on B: status %d, want 303 to sign in", res.StatusCode)
	}
}
