package store

import (
	"context"
	"parley"
	"strings"

	"github.com/jackc/pgx/v5"
)

// UpdateDemand saves in over the demand with slug, regions included, if
// version is still its newest (*ConflictError otherwise).
func (s *Store) UpdateDemand(ctx context.Context, by parley.Editor, slug string, version int, in parley.DemandInput) (parley.Demand, error) {
	in.Slug = slug
	if err := in.Validate(); err != nil {
		return parley.Demand{}, err
	}
	var d parley.Demand
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = updateDemand(ctx, tx, by, slug, version, in, "update")
		return err
	})
	return d, conflict(err, func() (parley.Demand, error) { return s.GetDemand(ctx, slug) }, "update demand %q", slug)
}

func updateDemand(ctx context.Context, q querier, by parley.Editor, slug string, version int, in parley.DemandInput, action string) (parley.Demand, error) {
	id, err := lockRow(ctx, q, parley.KindDemand, slug, version, false)
	if err != nil {
		return parley.Demand{}, err
	}
	regions, err := regionIDs(ctx, q, in.Regions)
	if err != nil {
		return parley.Demand{}, err
	}
	if err := checkSide(ctx, q, "side", in.Side); err != nil {
		return parley.Demand{}, err
	}
	if _, err := q.Exec(ctx, `
		UPDATE demands SET title = $2, description = $3, side = $4, category = $5, keywords = $6, version = version + 1, updated_at = now()
		WHERE id = $1`, id, strings.TrimSpace(in.Title), parley.CleanText(in.Description), in.Side, in.Category, cleanKeywords(in.Keywords)); err != nil {
		return parley.Demand{}, err
	}
	if _, err := q.Exec(ctx, `DELETE FROM demand_regions WHERE demand_id = $1`, id); err != nil {
		return parley.Demand{}, err
	}
	if _, err := q.Exec(ctx, `INSERT INTO demand_regions (demand_id, region_id) SELECT $1, unnest($2::bigint[])`, id, regions); err != nil {
		return parley.Demand{}, err
	}
	if err := setConverse(ctx, q, by, id, in.Converse); err != nil {
		return parley.Demand{}, err
	}
	d, err := scanDemand(q.QueryRow(ctx, `SELECT `+demandCols+` FROM demands d WHERE d.id = $1`, id))
	if err != nil {
		return d, err
	}
	return d, writeRevision(ctx, q, by, parley.KindDemand, d.ID, d.Version, action, d)
}

// DeleteDemand soft-deletes the demand. It returns *InUseError, listing
// them, while statements still take positions on it.
func (s *Store) DeleteDemand(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, parley.KindDemand, slug, 0, false)
		if err != nil {
			return err
		}
		used, err := statementsUsing(ctx, tx, `SELECT s.id, s.summary, s.date, s.date_precision FROM statements s
			JOIN positions p ON p.statement_id = s.id WHERE p.demand_id = $1 AND s.deleted_at IS NULL`, id)
		if err != nil {
			return err
		}
		if len(used) > 0 {
			return &parley.InUseError{What: "demand " + slug, Statements: used}
		}
		return deleteOrRestore(ctx, tx, by, parley.KindDemand, id, true)
	}), "delete demand %q", slug)
}

// RestoreDemand undoes DeleteDemand.
func (s *Store) RestoreDemand(ctx context.Context, by parley.Editor, slug string) error {
	return wrap(s.transact(ctx, func(tx pgx.Tx) error {
		id, err := lockRow(ctx, tx, parley.KindDemand, slug, 0, true)
		if err != nil {
			return err
		}
		return deleteOrRestore(ctx, tx, by, parley.KindDemand, id, false)
	}), "restore demand %q", slug)
}
