package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"parley"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/store"
	"parley/internal/testdb"
)

// wideStore is a store over a fresh database whose pool holds enough
// connections for every goroutine of a concurrency test to be inside
// PostgreSQL at once, and a second pool for the test's own work.
func wideStore(t *testing.T) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	u, err := url.Parse(testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "20")
	u.RawQuery = q.Encode()
	pool, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return store.New(pool), pool
}

// holdWrites makes writes to table wait (a SHARE lock, in a transaction of
// its own) while reads go on, until release is called: every concurrent
// writer is then known to have read before any of them writes.
func holdWrites(t *testing.T, pool *pgxpool.Pool, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE `+table+` IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := tx.Commit(ctx); err != nil {
			t.Error(err)
		}
	}
}

// waitForLockWaits returns once n sessions of the test's database are
// waiting for a lock.
func waitForLockWaits(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	for range 3000 { // a bound, not a timing assumption: 30 s at most
		var waiting int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("fewer than %d sessions ever waited for a lock", n)
}

// Two admins removing each other at the same moment (one demotes, the
// other disables) cannot both succeed: one active admin always remains.
// Both changes are let in together, so each could see the other admin
// still there if they were not serialised.
func TestLastActiveAdminSurvivesConcurrentChanges(t *testing.T) {
	t.Parallel()
	s, pool := wideStore(t)
	ctx := context.Background()
	a, err := s.CreateUser(ctx, "a@example.org", "hash", "admin")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateUser(ctx, "b@example.org", "hash", "admin")
	if err != nil {
		t.Fatal(err)
	}
	release := holdWrites(t, pool, "users")
	var wg sync.WaitGroup
	var errA, errB error
	wg.Go(func() { errA = s.SetUserRole(ctx, a.ID, "editor") })
	wg.Go(func() { errB = s.SetUserDisabled(ctx, b.ID, true) })
	waitForLockWaits(t, pool, 2)
	release()
	wg.Wait()
	refused := 0
	for _, err := range []error{errA, errB} {
		switch {
		case errors.Is(err, parley.ErrLastAdmin):
			refused++
		case err != nil:
			t.Fatal(err)
		}
	}
	if refused != 1 {
		t.Errorf("%d of the two changes refused, want exactly 1 (demote: %v, disable: %v)", refused, errA, errB)
	}
	var active int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL`).Scan(&active); err != nil {
		t.Fatal(err)
	}
	if active != 1 {
		t.Errorf("active admins = %d, want 1", active)
	}
}

// Parallel sign-in attempts on one account are counted one after another:
// of ten let in together, with none before, five may check their password
// and five must wait.
func TestLoginAttemptsAreCountedOneAtATime(t *testing.T) {
	t.Parallel()
	s, pool := wideStore(t)
	ctx := context.Background()
	release := holdWrites(t, pool, "login_attempts")
	const n = 10
	waits := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, waits[i], errs[i] = s.BeginLoginAttempt(ctx, "Ed@example.org", "192.0.2.1", fmt.Sprintf("192.0.2.%d", i+1), "")
		})
	}
	waitForLockWaits(t, pool, n)
	release()
	wg.Wait()
	allowed := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if waits[i] == 0 {
			allowed++
		}
	}
	if allowed != 5 {
		t.Errorf("attempts allowed a password check = %d of %d, want 5", allowed, n)
	}
	var pending, throttled int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE outcome = 'pending'), count(*) FILTER (WHERE outcome = 'throttled')
		FROM login_attempts WHERE email = 'ed@example.org'`).Scan(&pending, &throttled); err != nil {
		t.Fatal(err)
	}
	if pending != 5 || throttled != 5 {
		t.Errorf("ledger: %d pending, %d throttled, want 5 and 5", pending, throttled)
	}
}

func TestLastActiveAdminCannotBeDemotedOrDisabled(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	ed, err := s.CreateUser(ctx, "ed@example.org", "hash", "editor")
	if err != nil {
		t.Fatal(err)
	}
	// Before any admin exists (accounts from "user add -role editor"),
	// editors may still be changed.
	if err := s.SetUserDisabled(ctx, ed.ID, true); err != nil {
		t.Errorf("disabling an editor with no admin around: %v", err)
	}
	admin, err := s.CreateUser(ctx, "admin@example.org", "hash", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserRole(ctx, admin.ID, "editor"); !errors.Is(err, parley.ErrLastAdmin) {
		t.Errorf("demoting the only admin: err = %v, want ErrLastAdmin", err)
	}
	if err := s.SetUserDisabled(ctx, admin.ID, true); !errors.Is(err, parley.ErrLastAdmin) {
		t.Errorf("disabling the only admin: err = %v, want ErrLastAdmin", err)
	}
	if err := s.SetUserRole(ctx, admin.ID, "admin"); err != nil {
		t.Errorf("setting the only admin's role to admin again: %v", err)
	}
	if u, _ := s.GetUser(ctx, admin.ID); u.Role != "admin" || u.Disabled {
		t.Errorf("the only admin after refused changes: role %q, disabled %v", u.Role, u.Disabled)
	}
	if err := s.SetUserRole(ctx, 999999, "editor"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("unknown account: err = %v, want ErrNotFound", err)
	}
}

func TestInitialPasswordIsFlaggedUntilChanged(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	u, err := s.CreateUserWithInitialPassword(ctx, "new@example.org", "hash", "editor")
	if err != nil {
		t.Fatal(err)
	}
	if !u.MustChangePassword {
		t.Errorf("an account with an initial password is not asked to change it")
	}
	if err := s.ChangePassword(ctx, u.ID, "new hash"); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MustChangePassword || got.PasswordHash != "new hash" {
		t.Errorf("after ChangePassword: must change %v, hash %q", got.MustChangePassword, got.PasswordHash)
	}
	if err := s.ChangePassword(ctx, 999999, "x"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("ChangePassword(unknown) err = %v, want ErrNotFound", err)
	}
}
