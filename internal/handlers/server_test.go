package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/handlers"
	"parley/internal/store"
)

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t, false)
	for _, path := range []string{"/healthz", "/readyz"} {
		res, body := e.get(t, path)
		if res.StatusCode != http.StatusOK || strings.TrimSpace(body) != "ok" {
			t.Errorf("GET %s = %d %q, want 200 ok", path, res.StatusCode, body)
		}
	}
	// With the database gone, readiness fails but the process is still up.
	e.pool.Close()
	if res, _ := e.get(t, "/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with database closed = %d, want 503", res.StatusCode)
	}
	if res, _ := e.get(t, "/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz with database closed = %d, want 200", res.StatusCode)
	}
}

func TestDatabaseOutageShowsUnavailablePage(t *testing.T) {
	// A database nobody listens for: every query fails to connect.
	pool, err := pgxpool.New(context.Background(), "postgres:///parley?host="+t.TempDir()+"&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	srv := httptest.NewServer(handlers.NewServer(slog.New(slog.DiscardHandler), store.New(pool), pgxstore.NewWithCleanupInterval(pool, 0), handlers.Config{}))
	t.Cleanup(srv.Close)
	e := &env{srv: srv, pool: pool}
	res, body := e.get(t, "/")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET / with database closed = %d, want 503", res.StatusCode)
	}
	mustContain(t, body, "Temporarily unavailable", "try again")
}

func TestHomeShowsStatementsFromTheDatabase(t *testing.T) {
	e := newEnv(t, true)
	res, body := e.get(t, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	mustContain(t, body, `data-testid="statement"`, "Pete Hegseth", "not a realistic outcome")
}

func TestUnknownPathIs404Page(t *testing.T) {
	e := newEnv(t, false)
	res, body := e.get(t, "/no/such/page")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d, want 404", res.StatusCode)
	}
	mustContain(t, body, `data-testid="error-message"`, "nothing at this address")
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	e := newEnv(t, false)
	for _, path := range []string{"/", "/healthz", "/static/parley.css", "/missing"} {
		res, _ := e.get(t, path)
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy = %q", path, csp)
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q, want nosniff", path, got)
		}
		if res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: no Referrer-Policy", path)
		}
	}
}

func TestStaticAssetsAreServedFromTheBinary(t *testing.T) {
	e := newEnv(t, false)
	res, body := e.get(t, "/static/parley.css")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, ".stance-insists") {
		t.Errorf("GET /static/parley.css = %d, body starts %.40q", res.StatusCode, body)
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	e := newEnv(t, false)
	req := httptest.NewRequest(http.MethodPost, e.srv.URL+"/logout", strings.NewReader(""))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	if res, _ := e.do(t, req); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST status = %d, want 403", res.StatusCode)
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	e := newEnv(t, false)
	req := httptest.NewRequest(http.MethodPost, e.srv.URL+"/logout", strings.NewReader(strings.Repeat("x", 2<<20)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, _ := e.do(t, req); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB POST status = %d, want 413", res.StatusCode)
	}
}
