package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"parley"
)

const sideCols = `id, slug, name, role, version`

func scanSide(row pgx.Row) (parley.Side, error) {
	var x parley.Side
	err := row.Scan(&x.ID, &x.Slug, &x.Name, &x.Role, &x.Version)
	return x, err
}

// ListSides returns every side that is not deleted: parties first, then
// stakeholders, then observers, each by name.
func (s *Store) ListSides(ctx context.Context) ([]parley.Side, error) {
	return listSides(ctx, s.pool)
}

func listSides(ctx context.Context, q querier) ([]parley.Side, error) {
	rows, err := q.Query(ctx, `SELECT `+sideCols+` FROM sides WHERE deleted_at IS NULL
		ORDER BY array_position(ARRAY['party', 'stakeholder', 'observer'], role), name`)
	if err != nil {
		return nil, wrap(err, "list sides")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Side, error) { return scanSide(r) })
	return out, wrap(err, "list sides")
}

// GetSide returns the side with slug; ErrNotFound if there is none or it
// is deleted.
func (s *Store) GetSide(ctx context.Context, slug string) (parley.Side, error) {
	x, err := scanSide(s.pool.QueryRow(ctx, `SELECT `+sideCols+` FROM sides WHERE slug = $1 AND deleted_at IS NULL`, slug))
	return x, wrap(err, "get side %q", slug)
}

// CreateSide stores a new side with its first revision. It returns a
// *ValidationError for bad input and ErrConflict for a slug in use.
func (s *Store) CreateSide(ctx context.Context, by parley.Editor, in parley.SideInput) (parley.Side, error) {
	if err := in.Validate(); err != nil {
		return parley.Side{}, err
	}
	var x parley.Side
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		x, err = createSide(ctx, tx, by, in, "create")
		return err
	})
	return x, err
}

func createSide(ctx context.Context, q querier, by parley.Editor, in parley.SideInput, action string) (parley.Side, error) {
	x, err := scanSide(q.QueryRow(ctx, `INSERT INTO sides (slug, name, role) VALUES ($1, $2, $3) RETURNING `+sideCols,
		in.Slug, strings.TrimSpace(in.Name), in.Role))
	if err != nil {
		return x, wrap(err, "create side %q", in.Slug)
	}
	return x, writeRevision(ctx, q, by, parley.KindSide, x.ID, x.Version, action, x)
}

// UpdateSide saves in over the side with slug, if version is still its
// newest (*ConflictError otherwise). The slug itself never changes.
func (s *Store) UpdateSide(ctx context.Context, by parley.Editor, slug string, version int, in parley.SideInput) (parley.Side, error) {
	in.Slug = slug
	if err := in.Validate(); err != nil {
		return parley.Side{}, err
	}
	var x parley.Side
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		x, err = updateSide(ctx, tx, by, slug, version, in, "update")
		return err
	})
	return x, conflict(err, func() (parley.Side, error) { return s.GetSide(ctx, slug) }, "update side %q", slug)
}

func updateSide(ctx context.Context, q querier, by parley.Editor, slug string, version int, in parley.SideInput, action string) (parley.Side, error) {
	id, err := lockRow(ctx, q, parley.KindSide, slug, version, false)
	if err != nil {
		return parley.Side{}, err
	}
	x, err := scanSide(q.QueryRow(ctx, `UPDATE sides SET name = $2, role = $3, version = version + 1, updated_at = now()
		WHERE id = $1 RETURNING `+sideCols, id, strings.TrimSpace(in.Name), in.Role))
	if err != nil {
		return x, err
	}
	return x, writeRevision(ctx, q, by, parley.KindSide, x.ID, x.Version, action, x)
}

// checkSide returns a *ValidationError on field unless side is a live
// side.
func checkSide(ctx context.Context, q querier, field, side string) error {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sides WHERE slug = $1 AND deleted_at IS NULL)`, side).Scan(&ok); err != nil {
		return wrap(err, "find side %q", side)
	}
	if !ok {
		return parley.Problems{field: "No side \"" + side + "\" exists: choose one from the list (admins add sides)."}.Err()
	}
	return nil
}

// DeleteSide soft-deletes the side. It returns *InUseError while
// statements of its actors are live, and a *ValidationError while actors
// or demands still belong to it.
func (s *Store) DeleteSide(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, parley.KindSide, slug, 0, false)
		if err != nil {
			return err
		}
		used, err := statementsUsing(ctx, tx, `SELECT s.id, s.summary, s.date, s.date_precision FROM statements s
			JOIN actors a ON a.id = s.actor_id AND a.side = (SELECT slug FROM sides WHERE id = $1)
			WHERE s.deleted_at IS NULL`, id)
		if err != nil {
			return err
		}
		if len(used) > 0 {
			return &parley.InUseError{What: "side " + slug, Statements: used}
		}
		var members int
		if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM actors WHERE side = $1 AND deleted_at IS NULL)
			+ (SELECT count(*) FROM demands WHERE side = $1 AND deleted_at IS NULL)`, slug).Scan(&members); err != nil {
			return err
		}
		if members > 0 {
			return parley.Problems{"form": "Actors or demands still belong to this side: move them to another side first."}.Err()
		}
		return deleteOrRestore(ctx, tx, by, parley.KindSide, id, true)
	}), "delete side %q", slug)
}

// RestoreSide undoes DeleteSide.
func (s *Store) RestoreSide(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, parley.KindSide, slug, 0, true)
		if err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, parley.KindSide, id, false)
	}), "restore side %q", slug)
}
