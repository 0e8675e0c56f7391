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
	return r, conflict(err, func() (parley.Region, error) { return s.GetRegion(ctx, slug) }, "update region %q", slug)
}

func updateRegion(ctx context.Context, q querier, by parley.Editor, slug string, version int, in parley.RegionInput, action string) (parley.Region, error) {
	id, err := lockRow(ctx, q, parley.KindRegion, slug, version, false)
	if err != nil {
		return parley.Region{}, err
	}
	r, err := scanRegion(q.QueryRow(ctx, `
		UPDATE regions SET name = $2, country = $3, kind = $4, version = version + 1, updated_at = now()
		WHERE id = $1 RETURNING `+regionCols, id, strings.TrimSpace(in.Name), strings.TrimSpace(in.Country), in.Kind))
	if err != nil {
		return r, err
	}
	return r, writeRevision(ctx, q, by, parley.KindRegion, r.ID, r.Version, action, r)
}

// DeleteRegion soft-deletes the region: it leaves browsing and filters but
// keeps its history and can be restored.
func (s *Store) DeleteRegion(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, parley.KindRegion, slug, 0, false)
		if err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, parley.KindRegion, id, true)
	}), "delete region %q", slug)
}

// RestoreRegion undoes DeleteRegion.
func (s *Store) RestoreRegion(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, parley.KindRegion, slug, 0, true)
		if err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, parley.KindRegion, id, false)
	}), "restore region %q", slug)
}
