package store

import (
	"context"
	"parley"
	"strings"

	"github.com/jackc/pgx/v5"
)

const actorCols = `a.id, a.slug, a.name, a.aliases, a.kind, a.side, a.role,
	coalesce(p.slug, ''), coalesce(p.name, ''), a.version`

const actorFrom = ` FROM actors a LEFT JOIN actors p ON p.id = a.parent_id `

// actorDest is where actorCols scan into.
func actorDest(a *parley.Actor) []any {
	return []any{&a.ID, &a.Slug, &a.Name, &a.Aliases, &a.Kind, &a.Side, &a.Role, &a.ParentSlug, &a.ParentName, &a.Version}
}

func scanActor(row pgx.Row) (parley.Actor, error) {
	var a parley.Actor
	err := row.Scan(actorDest(&a)...)
	return a, err
}

// ListActors returns every actor that is not deleted, by side and name.
func (s *Store) ListActors(ctx context.Context) ([]parley.Actor, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+actorCols+actorFrom+`WHERE a.deleted_at IS NULL ORDER BY a.side, a.name`)
	if err != nil {
		return nil, wrap(err, "list actors")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Actor, error) { return scanActor(r) })
	return out, wrap(err, "list actors")
}

// ActorChoices returns what a form's actor picker shows (ID, Slug, Name
// and Side) by side and name: every live actor, or with limit > 0 the
// limit most active ones (by positions).
func (s *Store) ActorChoices(ctx context.Context, limit int) ([]parley.Actor, error) {
	sql := `SELECT id, slug, name, side FROM actors WHERE deleted_at IS NULL ORDER BY side, name`
	args := []any{}
	if limit > 0 {
		sql = `
			WITH c AS (` + actorTotalsSQL + `),
			top AS (
			    SELECT a.id, a.slug, a.name, a.side FROM actors a LEFT JOIN c ON c.actor_id = a.id
			    WHERE a.deleted_at IS NULL ORDER BY coalesce(c.n, 0) DESC, a.name, a.id LIMIT $1)
			SELECT * FROM top ORDER BY side, name`
		args = append(args, limit)
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrap(err, "actor choices")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Actor, error) {
		var a parley.Actor
		err := r.Scan(&a.ID, &a.Slug, &a.Name, &a.Side)
		return a, err
	})
	return out, wrap(err, "actor choices")
}

// Sides returns the sides live actors belong to, sorted.
func (s *Store) Sides(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT side FROM actors WHERE deleted_at IS NULL ORDER BY 1`)
	if err != nil {
		return nil, wrap(err, "sides")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrap(err, "sides")
}

// GetActor returns the actor with slug; ErrNotFound if there is none or it
// is deleted.
func (s *Store) GetActor(ctx context.Context, slug string) (parley.Actor, error) {
	a, err := scanActor(s.pool.QueryRow(ctx, `SELECT `+actorCols+actorFrom+`WHERE a.slug = $1 AND a.deleted_at IS NULL`, slug))
	return a, wrap(err, "get actor %q", slug)
}

// CreateActor stores a new actor with its first revision. It returns a
// *ValidationError for bad input (including an unknown parent) and
// ErrConflict for a slug in use.
func (s *Store) CreateActor(ctx context.Context, by parley.Editor, in parley.ActorInput) (parley.Actor, error) {
	if err := in.Validate(); err != nil {
		return parley.Actor{}, err
	}
	var a parley.Actor
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		a, err = createActor(ctx, tx, by, in, "create")
		return err
	})
	return a, err
}

func createActor(ctx context.Context, q querier, by parley.Editor, in parley.ActorInput, action string) (parley.Actor, error) {
	if err := checkSide(ctx, q, "side", in.Side); err != nil {
		return parley.Actor{}, err
	}
	var parentID *int64
	if in.Parent != "" {
		var id int64
		err := q.QueryRow(ctx, `SELECT id FROM actors WHERE slug = $1 AND deleted_at IS NULL`, in.Parent).Scan(&id)
		if err == pgx.ErrNoRows {
			return parley.Actor{}, parley.Problems{"parent": "No actor \"" + in.Parent + "\" exists."}.Err()
		} else if err != nil {
			return parley.Actor{}, wrap(err, "create actor %q: find parent", in.Slug)
		}
		parentID = &id
	}
	aliases := make([]string, 0, len(in.Aliases))
	for _, a := range in.Aliases {
		aliases = append(aliases, strings.TrimSpace(a))
	}
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO actors (slug, name, aliases, kind, side, role, parent_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		in.Slug, strings.TrimSpace(in.Name), aliases, in.Kind, in.Side, strings.TrimSpace(in.Role), parentID).Scan(&id)
	if err != nil {
		return parley.Actor{}, wrap(err, "create actor %q", in.Slug)
	}
	a, err := scanActor(q.QueryRow(ctx, `SELECT `+actorCols+actorFrom+`WHERE a.id = $1`, id))
	if err != nil {
		return a, wrap(err, "create actor %q", in.Slug)
	}
	return a, writeRevision(ctx, q, by, parley.KindActor, a.ID, a.Version, action, a)
}
