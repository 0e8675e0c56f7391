package store

import (
	"context"
	"fmt"
	"parley"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// RestoreRevision makes the record of revision revID read as it did in
// that revision (undeleting it if needed). The restore is itself a new
// revision; nothing is overwritten. It returns the record's kind and key
// (slug, or id for statements and sources).
func (s *Store) RestoreRevision(ctx context.Context, by parley.Editor, revID int64) (k parley.Kind, key string, err error) {
	rev, err := s.GetRevision(ctx, revID)
	if err != nil {
		return "", "", err
	}
	k = rev.EntityType
	ops, ok := records[k]
	if !ok {
		return "", "", fmt.Errorf("store: revisions of %q cannot be restored", k)
	}
	err = s.transact(ctx, func(tx pgx.Tx) error {
		var deleted bool
		if err := tx.QueryRow(ctx, `SELECT deleted_at IS NOT NULL FROM `+k.Table()+` WHERE id = $1 FOR UPDATE`, rev.EntityID).Scan(&deleted); err != nil {
			return err
		}
		if deleted {
			if err := setDeleted(ctx, tx, k, rev.EntityID, false); err != nil {
				return err
			}
		}
		key, err = ops.restore(ctx, tx, by, rev.EntityID, rev.Data)
		return err
	})
	return k, key, wrap(err, "restore revision %d", revID)
}

// ListChanges returns recent revisions across the dataset, newest first.
func (s *Store) ListChanges(ctx context.Context, f parley.ChangeFilter) ([]parley.Change, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id, entity_type, entity_id, version, action, data, user_email, created_at,
		       coalesce(data->>'name', data->>'title', data->>'summary', data->>'outlet', '')
		FROM revisions
		WHERE ($1 = '' OR lower(user_email) = lower($1)) AND ($2 = '' OR entity_type = $2)
		ORDER BY id DESC LIMIT $3`, f.Editor, f.Kind, f.Limit)
	if err != nil {
		return nil, wrap(err, "list changes")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Change, error) {
		var c parley.Change
		err := r.Scan(&c.ID, &c.EntityType, &c.EntityID, &c.Version, &c.Action, &c.Data, &c.UserEmail, &c.CreatedAt, &c.Label)
		return c, err
	})
	return out, wrap(err, "list changes")
}

// FindRecord finds the record of kind k with key (slug, or id for
// statements and sources), including deleted ones; ErrNotFound if none.
func (s *Store) FindRecord(ctx context.Context, k parley.Kind, key string) (parley.RecordInfo, error) {
	if !k.Valid() {
		return parley.RecordInfo{}, parley.ErrNotFound
	}
	var arg any = key
	if !k.BySlug() {
		id, err := parley.ParseID(key)
		if err != nil {
			return parley.RecordInfo{}, err
		}
		arg = id
	}
	var r parley.RecordInfo
	err := s.pool.QueryRow(ctx, `SELECT id, `+k.LabelField()+`, deleted_at IS NOT NULL FROM `+k.Table()+`
		WHERE `+k.Param()+` = $1`, arg).Scan(&r.ID, &r.Label, &r.Deleted)
	return r, wrap(err, "find %s %q", k, key)
}

// ListEditors returns the emails that appear in the change log.
func (s *Store) ListEditors(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT user_email FROM revisions WHERE user_email <> '' ORDER BY 1`)
	if err != nil {
		return nil, wrap(err, "list editors")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrap(err, "list editors")
}

// ListStatementChanges returns the latest revisions of live statements
// (new, edited, restored) that match region and demand (slugs, either may
// be empty), newest first, with each statement as it now stands.
func (s *Store) ListStatementChanges(ctx context.Context, region, demand string, limit int) ([]parley.StatementChange, error) {
	f := parley.StatementFilter{Region: region, Demand: demand}
	q := compileFilter(f, overStatements)
	where, args := q.where(), q.args
	n := len(args)
	rows, err := s.pool.Query(ctx, `
		SELECT rv.id, rv.action, rv.created_at, `+statementCols+statementFrom+`
		JOIN revisions rv ON rv.entity_type = 'statement' AND rv.entity_id = s.id AND rv.action <> 'delete'
		WHERE `+where+`
		ORDER BY rv.id DESC LIMIT $`+strconv.Itoa(n+1), append(args, limit)...)
	if err != nil {
		return nil, wrap(err, "list statement changes")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StatementChange, error) {
		var c parley.StatementChange
		var extra = []any{&c.RevisionID, &c.Action, &c.At}
		st, err := scanStatementAfter(r, extra)
		c.Statement = st
		return c, err
	})
	return out, wrap(err, "list statement changes")
}
