package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/handlers"
	"parley/internal/seed"
	"parley/internal/store"
	"parley/internal/testdb"
)

// TestSynchronousStandbyDown runs Parley on a primary whose every commit
// waits for its one synchronous standby, and stops the standby: an
// editor's save answers 503 when the page deadline passes (PostgreSQL has
// committed it on the primary and waits for the standby), so do the
// editor's other pages, visitors who are not signed in read on, and once
// the standby is back the same form, saved again, shows the statement,
// stored once on both servers.
func TestSynchronousStandbyDown(t *testing.T) {
	primary, standby := testdb.Replicated(t, "synchronous_standby_names="+testdb.StandbyName, "synchronous_commit=on")
	primaryURL, standbyURL := testdb.ReplicatedDatabase(t, primary, standby)
	ctx := context.Background()
	pool, err := store.Open(ctx, primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	m, err := store.NewMigrator(pool)
	if err != nil {
		t.Fatal(err)
	}
	err = m.Up(ctx)
	m.Close()
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(pool)
	data, err := seed.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LoadSeed(ctx, data); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handlers.NewServer(slog.New(slog.DiscardHandler), st,
		store.NewSessions(pool), handlers.Config{RequestTimeout: 2 * time.Second}))
	t.Cleanup(srv.Close)
	e := &env{srv: srv, pool: pool, store: st}
	ed := e.signIn(t, "ed@example.org", "editor")
	ed.c.Timeout = 20 * time.Second // a hang fails the test instead of holding it

	if err := standby.Down("immediate"); err != nil {
		t.Fatal(err)
	}
	const summary = "Synchronous standby test: saved while the standby was down"
	form := newStatementForm(t, summary)
	start := time.Now()
	res, body, err := ed.send(http.MethodPost, "/statements/new", form, nil)
	if err != nil {
		t.Fatalf("POST /statements/new with the synchronous standby down: %v; want 503 at the page deadline", err)
	}
	waited := time.Since(start)
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("POST /statements/new with the synchronous standby down = %d, want 503", res.StatusCode)
	}
	mustContain(t, body, "Temporarily unavailable")
	// Every signed-in request saves its session (the idle expiry moves
	// on), and that commit waits for the standby too; visitors who are
	// not signed in write nothing and read on.
	res, body, err = ed.send(http.MethodGet, "/statements", nil, nil)
	if err != nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("editor GET /statements with the synchronous standby down: %v; want 503 at the page deadline", statusOrErr(res, err))
	}
	mustContain(t, body, "Temporarily unavailable")
	if res, _ := e.get(t, "/statements"); res.StatusCode != http.StatusOK {
		t.Errorf("anonymous GET /statements with the synchronous standby down = %d, want 200", res.StatusCode)
	}

	if err := standby.Up(ctx); err != nil {
		t.Fatal(err)
	}
	testdb.WaitForStandby(t, primary)
	loc := ed.mustPost(t, "/statements/new", form)
	mustContain(t, ed.mustGet(t, loc), summary)
	for name, u := range map[string]string{"primary": primaryURL, "standby": standbyURL} {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM statements WHERE summary = $1`, summary).Scan(&n); err != nil {
			t.Fatal(err)
		}
		conn.Close(ctx)
		if n != 1 {
			t.Errorf("the %s holds %d copies of the statement, want 1", name, n)
		}
	}
	t.Logf("with the synchronous standby down, a save answered %d after %v (page deadline 2 s)", res.StatusCode, waited.Round(time.Millisecond))
}

func statusOrErr(res *http.Response, err error) any {
	if err != nil {
		return err
	}
	return res.StatusCode
}
