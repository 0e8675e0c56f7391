package store

import (
	"context"
	"parley"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const sourceCols = `id, coalesce(ref, ''), outlet, title, url, published, published_precision, via, version`

func scanSource(row pgx.Row) (parley.Source, error) {
	var s parley.Source
	var published *time.Time
	err := row.Scan(&s.ID, &s.Ref, &s.Outlet, &s.Title, &s.URL, &published, &s.Published.Precision, &s.Via, &s.Version)
	if published != nil {
		s.Published.Time = *published
	}
	return s, err
}

// ListSources returns every source that is not deleted, newest first.
func (s *Store) ListSources(ctx context.Context) ([]parley.Source, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sourceCols+` FROM sources WHERE deleted_at IS NULL ORDER BY published DESC NULLS LAST, id DESC`)
	if err != nil {
		return nil, wrap(err, "list sources")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Source, error) { return scanSource(r) })
	return out, wrap(err, "list sources")
}

// GetSource returns the source with id; ErrNotFound if there is none or it
// is deleted.
func (s *Store) GetSource(ctx context.Context, id int64) (parley.Source, error) {
	src, err := scanSource(s.pool.QueryRow(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = $1 AND deleted_at IS NULL`, id))
	return src, wrap(err, "get source %d", id)
}

// CreateSource stores a new source with its first revision. It returns a
// *ValidationError for bad input and ErrConflict for a ref in use.
func (s *Store) CreateSource(ctx context.Context, by parley.Editor, in parley.SourceInput) (parley.Source, error) {
	if err := in.Validate(); err != nil {
		return parley.Source{}, err
	}
	var src parley.Source
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		src, err = createSource(ctx, tx, by, in, "create")
		return err
	})
	return src, err
}

func createSource(ctx context.Context, q querier, by parley.Editor, in parley.SourceInput, action string) (parley.Source, error) {
	var ref *string
	if in.Ref != "" {
		ref = &in.Ref
	}
	var published *time.Time
	precision := parley.Day
	if !in.Published.Time.IsZero() {
		published = &in.Published.Time
		precision = in.Published.Precision
	}
	src, err := scanSource(q.QueryRow(ctx, `
		INSERT INTO sources (ref, outlet, title, url, published, published_precision, via)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+sourceCols,
		ref, strings.TrimSpace(in.Outlet), strings.TrimSpace(in.Title), strings.TrimSpace(in.URL),
		published, precision, strings.TrimSpace(in.Via)))
	if err != nil {
		return src, wrap(err, "create source %q", in.Outlet)
	}
	return src, writeRevision(ctx, q, by, parley.KindSource, src.ID, src.Version, action, src)
}
