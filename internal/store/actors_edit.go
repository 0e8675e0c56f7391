package store

import (
	"context"
	"parley"
	"strings"

	"github.com/jackc/pgx/v5"
)

// UpdateActor saves in over the actor with slug, if version is still its
// newest (*ConflictError otherwise). The slug itself never changes.
func (s *Store) UpdateActor(ctx context.Context, by parley.Editor, slug string, version int, in parley.ActorInput) (parley.Actor, error) {
	in.Slug = slug
	if err := in.Validate(); err != nil {
		return parley.Actor{}, err
	}
	var a parley.Actor
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		a, err = updateActor(ctx, tx, by, slug, version, in, "update")
		return err
	})
	return a, conflict(err, func() (parley.Actor, error) { return s.GetActor(ctx, slug) }, "update actor %q", slug)
}

func updateActor(ctx context.Context, q querier, by parley.Editor, slug string, version int, in parley.ActorInput, action string) (parley.Actor, error) {
	id, err := lockRow(ctx, q, parley.KindActor, slug, version, false)
	if err != nil {
		return parley.Actor{}, err
	}
	if err := checkSide(ctx, q, "side", in.Side); err != nil {
		return parley.Actor{}, err
	}
	var parentID *int64
	if in.Parent != "" {
		var pid int64
		var cycle bool
		err := q.QueryRow(ctx, `
			WITH RECURSIVE up(id, parent_id) AS (
			    SELECT id, parent_id FROM actors WHERE slug = $1 AND deleted_at IS NULL
			    UNION SELECT a.id, a.parent_id FROM actors a JOIN up ON a.id = up.parent_id
			)
			SELECT coalesce((SELECT id FROM actors WHERE slug = $1 AND deleted_at IS NULL), 0), EXISTS (SELECT 1 FROM up WHERE id = $2)`,
			in.Parent, id).Scan(&pid, &cycle)
		switch {
		case err != nil:
			return parley.Actor{}, err
		case pid == 0:
			return parley.Actor{}, parley.Problems{"parent": "No actor \"" + in.Parent + "\" exists."}.Err()
		case cycle:
			return parley.Actor{}, parley.Problems{"parent": "That parent is part of this actor already; an actor cannot be inside itself."}.Err()
		}
		parentID = &pid
	}
	aliases := make([]string, 0, len(in.Aliases))
	for _, x := range in.Aliases {
		aliases = append(aliases, strings.TrimSpace(x))
	}
	if _, err := q.Exec(ctx, `
		UPDATE actors SET name = $2, aliases = $3, kind = $4, side = $5, role = $6, parent_id = $7,
		       version = version + 1, updated_at = now()
		WHERE id = $1`, id, strings.TrimSpace(in.Name), aliases, in.Kind, in.Side, strings.TrimSpace(in.Role), parentID); err != nil {
		return parley.Actor{}, err
	}
	a, err := scanActor(q.QueryRow(ctx, `SELECT `+actorCols+actorFrom+`WHERE a.id = $1`, id))
	if err != nil {
		return a, err
	}
	return a, writeRevision(ctx, q, by, parley.KindActor, a.ID, a.Version, action, a)
}

// DeleteActor soft-deletes the actor. It returns *InUseError, listing
// them, while statements still use the actor.
func (s *Store) DeleteActor(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, parley.KindActor, slug, 0, false)
		if err != nil {
			return err
		}
		used, err := statementsUsing(ctx, tx, `SELECT s.id, s.summary, s.date, s.date_precision FROM statements s
			WHERE s.actor_id = $1 AND s.deleted_at IS NULL`, id)
		if err != nil {
			return err
		}
		if len(used) > 0 {
			return &parley.InUseError{What: "actor " + slug, Statements: used}
		}
		return deleteOrRestore(ctx, tx, by, parley.KindActor, id, true)
	}), "delete actor %q", slug)
}

// RestoreActor undoes DeleteActor.
func (s *Store) RestoreActor(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, parley.KindActor, slug, 0, true)
		if err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, parley.KindActor, id, false)
	}), "restore actor %q", slug)
}
