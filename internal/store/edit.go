package store

import (
	"context"
	"errors"
	"parley"

	"github.com/jackc/pgx/v5"
)

// errStaleVersion signals a version mismatch inside a transaction; the
// caller turns it into a *ConflictError carrying the current record.
var errStaleVersion = errors.New("store: stale version")

// lockRow locks the row of table whose keyCol equals key and checks its
// version (version 0 skips the check). It returns the row's id, or
// ErrNotFound (also for a deleted row unless deleted is true), or
// errStaleVersion. table and keyCol are constants of this package.
func lockRow(ctx context.Context, q querier, k parley.Kind, key any, version int, deleted bool) (int64, error) {
	var id int64
	var cur int
	var isDeleted bool
	err := q.QueryRow(ctx, `SELECT id, version, deleted_at IS NOT NULL FROM `+k.Table()+` WHERE `+k.Param()+` = $1 FOR UPDATE`, key).
		Scan(&id, &cur, &isDeleted)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && isDeleted != deleted) {
		return 0, parley.ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	if version != 0 && cur != version {
		return id, errStaleVersion
	}
	return id, nil
}

// setDeleted soft-deletes (or restores) record id of kind k and bumps its
// version.
func setDeleted(ctx context.Context, q querier, k parley.Kind, id int64, deleted bool) error {
	expr := "NULL"
	if deleted {
		expr = "now()"
	}
	_, err := q.Exec(ctx, `UPDATE `+k.Table()+` SET deleted_at = `+expr+`, version = version + 1, updated_at = now() WHERE id = $1`, id)
	return err
}

// statementsUsing lists up to 20 live statements that refer to an actor or
// demand, for InUseError.
func statementsUsing(ctx context.Context, q querier, sql string, id int64) ([]parley.StatementRef, error) {
	rows, err := q.Query(ctx, sql+` ORDER BY s.date DESC, s.id DESC LIMIT 20`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StatementRef, error) {
		var x parley.StatementRef
		err := r.Scan(&x.ID, &x.Summary, &x.Date.Time, &x.Date.Precision)
		return x, err
	})
}

// conflict turns errStaleVersion into a *ConflictError holding the record
// as it now stands, and wraps other errors.
func conflict[T any](err error, current func() (T, error), format string, args ...any) error {
	if !errors.Is(err, errStaleVersion) {
		return wrap(err, format, args...)
	}
	cur, cerr := current()
	if cerr != nil {
		return wrap(cerr, format, args...)
	}
	return &parley.ConflictError[T]{Current: cur}
}

// GetRevision returns one revision; ErrNotFound if there is none.
func (s *Store) GetRevision(ctx context.Context, id int64) (parley.Revision, error) {
	var r parley.Revision
	err := s.pool.QueryRow(ctx, `
		SELECT id, entity_type, entity_id, version, action, data, user_email, coalesce(approved_by, ''), created_at
		FROM revisions WHERE id = $1`, id).
		Scan(&r.ID, &r.EntityType, &r.EntityID, &r.Version, &r.Action, &r.Data, &r.UserEmail, &r.ApprovedBy, &r.CreatedAt)
	return r, wrap(err, "get revision %d", id)
}
