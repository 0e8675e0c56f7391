package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/handlers"
	"parley/internal/seed"
	"parley/internal/store"
	"parley/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// env is a running Parley over a fresh database.
type env struct {
	srv   *httptest.Server
	pool  *pgxpool.Pool
	store *store.Store
}

// newEnv starts Parley over a fresh database; seeded loads the seed dataset.
func newEnv(t *testing.T, seeded bool) *env {
	t.Helper()
	pool := testdb.New(t)
	st := store.New(pool)
	if seeded {
		data, err := seed.Data()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.LoadSeed(context.Background(), data); err != nil {
			t.Fatalf("LoadSeed: %v", err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The session store production uses, so every scs feature a handler
	// relies on (iterating sessions) must exist on it.
	srv := httptest.NewServer(handlers.NewServer(log, st, store.NewSessions(pool), handlers.Config{}))
	t.Cleanup(srv.Close)
	return &env{srv: srv, pool: pool, store: st}
}

// get fetches path and returns the response and its body.
func (e *env) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	return e.do(t, httptest.NewRequest(http.MethodGet, e.srv.URL+path, nil))
}

func (e *env) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	req.RequestURI = ""
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// mustContain fails unless body contains every string of want.
func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page does not contain %q", w)
		}
	}
}
