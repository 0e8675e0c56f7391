package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"parley/internal/handlers"
	"parley/internal/seed"
	"parley/internal/store"
	"parley/internal/testdb"
)

// TestSessionWaitEndsWithTheRequest makes the sessions table wait (as it
// does behind a lock, or with a synchronous standby down, when every
// commit waits for the standby): a signed-in editor's request answers 503
// when its deadline passes instead of hanging, and resubmitting the same
// form once the database answers saves the statement exactly once.
func TestSessionWaitEndsWithTheRequest(t *testing.T) {
	pool := testdb.New(t)
	st := store.New(pool)
	data, err := seed.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LoadSeed(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handlers.NewServer(slog.New(slog.DiscardHandler), st,
		store.NewSessions(pool), handlers.Config{RequestTimeout: 2 * time.Second}))
	t.Cleanup(srv.Close)
	e := &env{srv: srv, pool: pool, store: st}
	ctx := context.Background()

	for _, tc := range []struct {
		name, lock string
	}{
		// Reading the session waits: nothing the request does gets through.
		{"reading the session", `LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE`},
		// Saving the session waits: the statement is saved, the answer is not sent.
		{"saving the session", `SELECT 1 FROM sessions FOR UPDATE`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ed := e.signIn(t, "ed-"+newUUID(t)[:8]+"@example.org", "editor")
			ed.c.Timeout = 15 * time.Second // a hang fails the test instead of holding it
			locker, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer locker.Rollback(ctx)
			if _, err := locker.Exec(ctx, tc.lock); err != nil {
				t.Fatal(err)
			}
			summary := "Session wait test: " + tc.name
			form := newStatementForm(t, summary)
			form.Set("confirm_duplicate", "1") // the other case's statement is much like this one
			res, body, err := ed.send(http.MethodPost, "/statements/new", form, nil)
			if err != nil {
				t.Fatalf("POST /statements/new while the sessions wait: %v; want 503 once the deadline passes", err)
			}
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("POST /statements/new while the sessions wait = %d, want 503", res.StatusCode)
			}
			mustContain(t, body, "Temporarily unavailable")
			if err := locker.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			loc := ed.mustPost(t, "/statements/new", form) // the editor saves again
			mustContain(t, ed.mustGet(t, loc), summary)
			if n := e.statementsWithSummary(t, summary); n != 1 {
				t.Errorf("%d statements saved, want 1", n)
			}
		})
	}
}
