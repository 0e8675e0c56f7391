package store

import (
	"context"
	"parley"
	"strings"

	"github.com/jackc/pgx/v5"
)

// UpdateRegion saves in over the region with slug, if version is still its
// newest (*ConflictError otherwise). The slug itself never changes.
func (s *Store) UpdateRegion(ctx context.Context, by parley.Editor, slug string, version int, in parley.RegionInput) (parley.Region, error) {
	in.Slug = slug
	if err := in.Validate(); err != nil {
		return parley.Region{}, err
	}
	var r parley.Region
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = updateRegion(ctx, tx, by, slug, version, in, "update")
		return err
	})
	return r, conflict(err, func() (any, error) { return s.GetRegion(ctx, slug) }, "update region %q", slug)
}

func updateRegion(ctx context.Context, q querier, by parley.Editor, slug string, version int, in parley.RegionInput, action string) (parley.Region, error) {
	id, err := lockRow(ctx, q, "regions", "slug", slug, version, false)
	if err != nil {
		return parley.Region{}, err
	}
	r, err := scanRegion(q.QueryRow(ctx, `
		UPDATE regions SET name = $2, country = $3, kind = $4, version = version + 1, updated_at = now()
		WHERE id = $1 RETURNING `+regionCols, id, strings.TrimSpace(in.Name), strings.TrimSpace(in.Country), in.Kind))
	if err != nil {
		return r, err
	}
	return r, writeRevision(ctx, q, by, "region", r.ID, r.Version, action, r)
}

// DeleteRegion soft-deletes the region: it leaves browsing and filters but
// keeps its history and can be restored.
func (s *Store) DeleteRegion(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, "regions", "slug", slug, 0, false)
		if err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, "region", id, true)
	}), "delete region %q", slug)
}

// RestoreRegion undoes DeleteRegion.
func (s *Store) RestoreRegion(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, "regions", "slug", slug, 0, true)
		if err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, "region", id, false)
	}), "restore region %q", slug)
}

// tables names the table of each editable record type.
var tables = map[string]string{"region": "regions", "actor": "actors", "demand": "demands",
	"source": "sources", "statement": "statements"}

// deleteOrRestore flips a row's deleted state and records the revision with
// the row's snapshot as it stands.
func deleteOrRestore(ctx context.Context, q querier, by parley.Editor, entity string, id int64, deleted bool) error {
	if err := setDeleted(ctx, q, tables[entity], id, deleted); err != nil {
		return err
	}
	snap, version, err := snapshot(ctx, q, entity, id)
	if err != nil {
		return err
	}
	action := "restore"
	if deleted {
		action = "delete"
	}
	return writeRevision(ctx, q, by, entity, id, version, action, snap)
}

// snapshot reads a record (deleted or not) for its revision.
func snapshot(ctx context.Context, q querier, entity string, id int64) (any, int, error) {
	switch entity {
	case "region":
		r, err := scanRegion(q.QueryRow(ctx, `SELECT `+regionCols+` FROM regions WHERE id = $1`, id))
		return r, r.Version, err
	case "actor":
		a, err := scanActor(q.QueryRow(ctx, `SELECT `+actorCols+actorFrom+`WHERE a.id = $1`, id))
		return a, a.Version, err
	case "demand":
		d, err := scanDemand(q.QueryRow(ctx, `SELECT `+demandCols+` FROM demands d WHERE d.id = $1`, id))
		return d, d.Version, err
	case "source":
		src, err := scanSource(q.QueryRow(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = $1`, id))
		return src, src.Version, err
	case "statement":
		st, err := scanStatement(q.QueryRow(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = $1`, id))
		return st, st.Version, err
	}
	return nil, 0, parley.ErrNotFound
}
