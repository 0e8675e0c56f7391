package store_test

import (
	"context"
	"errors"
	"parley"
	"sync"
	"testing"
)

// Two admins removing each other at the same moment (one demotes, the
// other disables) cannot both succeed: one active admin always remains.
func TestLastActiveAdminSurvivesConcurrentChanges(t *testing.T) {
	t.Parallel()
	s, pool := newStoreWithPool(t)
	ctx := context.Background()
	for round := range 20 {
		a, err := s.CreateUser(ctx, "a"+string(rune('a'+round))+"@example.org", "hash", "admin")
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateUser(ctx, "b"+string(rune('a'+round))+"@example.org", "hash", "admin")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var errA, errB error
		start := make(chan struct{})
		wg.Go(func() { <-start; errA = s.SetUserRole(ctx, a.ID, "editor") })
		wg.Go(func() { <-start; errB = s.SetUserDisabled(ctx, b.ID, true) })
		close(start)
		wg.Wait()
		refused := 0
		for _, err := range []error{errA, errB} {
			switch {
			case errors.Is(err, parley.ErrLastAdmin):
				refused++
			case err != nil:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if refused != 1 {
			t.Fatalf("round %d: %d of the two changes refused, want exactly 1 (demote: %v, disable: %v)", round, refused, errA, errB)
		}
		var active int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL`).Scan(&active); err != nil {
			t.Fatal(err)
		}
		if active != 1 {
			t.Fatalf("round %d: active admins = %d, want 1", round, active)
		}
		// Back to no admin for the next round.
		if _, err := pool.Exec(ctx, `UPDATE users SET role = 'editor'`); err != nil {
			t.Fatal(err)
		}
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
