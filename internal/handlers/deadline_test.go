package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"

	"parley/internal/handlers"
	"parley/internal/store"
	"parley/internal/testdb"
)

// TestSlowQueryDoesNotPinAConnection blocks the statements table from
// another transaction: a page that needs it answers 503 when its deadline
// passes, and its query is cancelled rather than left waiting.
func TestSlowQueryDoesNotPinAConnection(t *testing.T) {
	pool := testdb.New(t)
	srv := httptest.NewServer(handlers.NewServer(slog.New(slog.DiscardHandler), store.New(pool),
		pgxstore.NewWithCleanupInterval(pool, 0), handlers.Config{RequestTimeout: 300 * time.Millisecond}))
	t.Cleanup(srv.Close)
	ctx := context.Background()

	locker, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Rollback(ctx)
	if _, err := locker.Exec(ctx, `LOCK TABLE statements IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, pool: pool}
	res, body := e.get(t, "/statements")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503 once the deadline passes", res.StatusCode)
	}
	mustContain(t, body, "Temporarily unavailable")
	// The request's query must be gone, not still waiting for the lock.
	var waiting int
	deadline := time.Now().Add(2 * time.Second)
	for {
		err := locker.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if waiting != 0 {
		t.Errorf("%d queries still waiting on the lock after their request ended", waiting)
	}
}
