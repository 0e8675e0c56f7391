package store_test

import (
	"context"
	"errors"
	"testing"

	"parley"
)

// TestSaveLosingConnectionAtCommitIsUnavailable: a save whose connection
// is lost just before its COMMIT (the primary killed during a failover) is
// reported as the database being unavailable (a 503 asking the editor to
// save again), not as an unexplained failure; nothing of it is stored, and
// saving the same form again stores it once.
func TestSaveLosingConnectionAtCommitIsUnavailable(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	statementFixtures(t, s)
	in := validStatement(t)
	in.IdempotencyKey = parley.NewUUID()

	err := s.CreateStatementLosingConnection(ctx, parley.Editor{}, in)
	if !errors.Is(err, parley.ErrUnavailable) {
		t.Fatalf("save whose connection was lost before COMMIT: err = %v; want ErrUnavailable", err)
	}
	if _, err := s.StatementByIdempotencyKey(ctx, in.IdempotencyKey); !errors.Is(err, parley.ErrNotFound) {
		t.Fatalf("after the lost save, the statement lookup err = %v; want ErrNotFound (nothing stored)", err)
	}
	created, err := s.CreateStatement(ctx, parley.Editor{}, in)
	if err != nil {
		t.Fatalf("saving the same form again: %v", err)
	}
	if created.Resubmitted || countStatements(t, s) != 1 {
		t.Errorf("saving again: resubmitted %v, %d statements; want a new one, stored once", created.Resubmitted, countStatements(t, s))
	}
}
