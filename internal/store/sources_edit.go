package store

import (
	"context"
	"parley"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// UpdateSource saves in over source id, if version is still its newest
// (*ConflictError otherwise). The ref never changes.
func (s *Store) UpdateSource(ctx context.Context, by parley.Editor, id int64, version int, in parley.SourceInput) (parley.Source, error) {
	if err := in.Validate(); err != nil {
		return parley.Source{}, err
	}
	var src parley.Source
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		src, err = updateSource(ctx, tx, by, id, version, in, "update")
		return err
	})
	return src, conflict(err, func() (parley.Source, error) { return s.GetSource(ctx, id) }, "update source %d", id)
}

func updateSource(ctx context.Context, q querier, by parley.Editor, id int64, version int, in parley.SourceInput, action string) (parley.Source, error) {
	if _, err := lockRow(ctx, q, parley.KindSource, id, version, false); err != nil {
		return parley.Source{}, err
	}
	var published *time.Time
	precision := parley.Day
	if !in.Published.Time.IsZero() {
		published, precision = &in.Published.Time, in.Published.Precision
	}
	src, err := scanSource(q.QueryRow(ctx, `
		UPDATE sources SET outlet = $2, title = $3, url = $4, published = $5, published_precision = $6, via = $7,
		       version = version + 1, updated_at = now()
		WHERE id = $1 RETURNING `+sourceCols, id, strings.TrimSpace(in.Outlet), strings.TrimSpace(in.Title),
		strings.TrimSpace(in.URL), published, precision, strings.TrimSpace(in.Via)))
	if err != nil {
		return src, err
	}
	return src, writeRevision(ctx, q, by, parley.KindSource, src.ID, src.Version, action, src)
}

// DeleteSource soft-deletes a source: it leaves browsing, pickers and
// exports (statements citing it show no source until it is restored).
func (s *Store) DeleteSource(ctx context.Context, by parley.Editor, id int64) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		if _, err := lockRow(ctx, tx, parley.KindSource, id, 0, false); err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, parley.KindSource, id, true)
	}), "delete source %d", id)
}

// RestoreSource undoes DeleteSource.
func (s *Store) RestoreSource(ctx context.Context, by parley.Editor, id int64) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		if _, err := lockRow(ctx, tx, parley.KindSource, id, 0, true); err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, parley.KindSource, id, false)
	}), "restore source %d", id)
}
