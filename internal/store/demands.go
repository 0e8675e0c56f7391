package store

import (
	"context"
	"errors"
	"parley"
	"strings"

	"github.com/jackc/pgx/v5"
)

const demandCols = `d.id, d.slug, d.title, d.description, d.side, d.category,
	coalesce((SELECT array_agg(r.slug ORDER BY r.slug) FROM demand_regions dr
	          JOIN regions r ON r.id = dr.region_id AND r.deleted_at IS NULL WHERE dr.demand_id = d.id), '{}'),
	coalesce((SELECT c.slug FROM demands c WHERE c.id = d.converse_id AND c.deleted_at IS NULL), ''),
	coalesce((SELECT c.title FROM demands c WHERE c.id = d.converse_id AND c.deleted_at IS NULL), ''),
	d.keywords, d.version`

func scanDemand(row pgx.Row) (parley.Demand, error) {
	var d parley.Demand
	err := row.Scan(&d.ID, &d.Slug, &d.Title, &d.Description, &d.Side, &d.Category, &d.Regions, &d.Converse, &d.ConverseTitle, &d.Keywords, &d.Version)
	return d, err
}

// ListDemands returns every demand that is not deleted, by category and title.
func (s *Store) ListDemands(ctx context.Context) ([]parley.Demand, error) {
	return listDemands(ctx, s.pool)
}

func listDemands(ctx context.Context, q querier) ([]parley.Demand, error) {
	rows, err := q.Query(ctx, `SELECT `+demandCols+` FROM demands d WHERE d.deleted_at IS NULL ORDER BY d.category, d.title`)
	if err != nil {
		return nil, wrap(err, "list demands")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Demand, error) { return scanDemand(r) })
	return out, wrap(err, "list demands")
}

// GetDemand returns the demand with slug; ErrNotFound if there is none or
// it is deleted.
func (s *Store) GetDemand(ctx context.Context, slug string) (parley.Demand, error) {
	d, err := scanDemand(s.pool.QueryRow(ctx, `SELECT `+demandCols+` FROM demands d WHERE d.slug = $1 AND d.deleted_at IS NULL`, slug))
	return d, wrap(err, "get demand %q", slug)
}

// CreateDemand stores a new demand and its regions with its first
// revision. It returns a *ValidationError for bad input (including an
// unknown region) and ErrConflict for a slug in use.
func (s *Store) CreateDemand(ctx context.Context, by parley.Editor, in parley.DemandInput) (parley.Demand, error) {
	if err := in.Validate(); err != nil {
		return parley.Demand{}, err
	}
	var d parley.Demand
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = createDemand(ctx, tx, by, in, "create")
		return err
	})
	return d, err
}

func createDemand(ctx context.Context, q querier, by parley.Editor, in parley.DemandInput, action string) (parley.Demand, error) {
	regionIDs, err := regionIDs(ctx, q, in.Regions)
	if err != nil {
		return parley.Demand{}, err
	}
	if err := checkSide(ctx, q, "side", in.Side); err != nil {
		return parley.Demand{}, err
	}
	var id int64
	err = q.QueryRow(ctx, `
		INSERT INTO demands (slug, title, description, side, category, keywords)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		in.Slug, strings.TrimSpace(in.Title), parley.CleanText(in.Description), in.Side, in.Category, cleanKeywords(in.Keywords)).Scan(&id)
	if err != nil {
		return parley.Demand{}, wrap(err, "create demand %q", in.Slug)
	}
	if _, err := q.Exec(ctx, `INSERT INTO demand_regions (demand_id, region_id) SELECT $1, unnest($2::bigint[])`, id, regionIDs); err != nil {
		return parley.Demand{}, wrap(err, "create demand %q: regions", in.Slug)
	}
	if err := setConverse(ctx, q, by, id, in.Converse); err != nil {
		return parley.Demand{}, err
	}
	d, err := scanDemand(q.QueryRow(ctx, `SELECT `+demandCols+` FROM demands d WHERE d.id = $1`, id))
	if err != nil {
		return d, wrap(err, "create demand %q", in.Slug)
	}
	return d, writeRevision(ctx, q, by, parley.KindDemand, d.ID, d.Version, action, d)
}

// setConverse links demand id and the demand with slug converse (or
// unlinks it, for an empty slug) both ways. A demand the link takes from
// its former partner, or gives a new one, gets a revision of its own, so
// its history says so. The chosen converse must be live and free: linked
// to no demand, or to id already.
func setConverse(ctx context.Context, q querier, by parley.Editor, id int64, converse string) error {
	var cid *int64
	if converse != "" {
		var c struct {
			id      int64
			partner *int64
		}
		err := q.QueryRow(ctx, `SELECT id, converse_id FROM demands WHERE slug = $1 AND deleted_at IS NULL FOR UPDATE`, converse).
			Scan(&c.id, &c.partner)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return parley.Problems{"converse": "No demand \"" + converse + "\" exists: choose the converse from the list."}.Err()
		case err != nil:
			return wrap(err, "find converse %q", converse)
		case c.id == id:
			return parley.Problems{"converse": "A demand cannot be its own converse: choose the demand that says the opposite."}.Err()
		case c.partner != nil && *c.partner != id:
			return parley.Problems{"converse": "That demand already has a converse: a demand has at most one, so unlink it there first."}.Err()
		}
		cid = &c.id
	}
	// Which demands change: this one's old partner (unlinked) and the new
	// one (linked), besides this one, whose caller writes its revision.
	rows, err := q.Query(ctx, `
		WITH old AS (UPDATE demands SET converse_id = NULL, version = version + 1, updated_at = now()
		             WHERE converse_id = $1 AND id IS DISTINCT FROM $2 RETURNING id),
		     cur AS (UPDATE demands SET converse_id = $2 WHERE id = $1),
		     new AS (UPDATE demands SET converse_id = $1, version = version + 1, updated_at = now()
		             WHERE id = $2 AND converse_id IS DISTINCT FROM $1 RETURNING id)
		SELECT id FROM old UNION SELECT id FROM new`, id, cid)
	if err != nil {
		return wrap(err, "set converse")
	}
	changed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return wrap(err, "set converse")
	}
	for _, other := range changed {
		d, err := scanDemand(q.QueryRow(ctx, `SELECT `+demandCols+` FROM demands d WHERE d.id = $1`, other))
		if err != nil {
			return wrap(err, "set converse")
		}
		if err := writeRevision(ctx, q, by, parley.KindDemand, d.ID, d.Version, "update", d); err != nil {
			return err
		}
	}
	return nil
}

// regionIDs resolves region slugs (deduplicated) to ids, or returns a
// *ValidationError naming the unknown ones.
func regionIDs(ctx context.Context, q querier, slugs []string) ([]int64, error) {
	ids := []int64{}
	if len(slugs) == 0 {
		return ids, nil
	}
	rows, err := q.Query(ctx, `SELECT slug, id FROM regions WHERE slug = ANY($1) AND deleted_at IS NULL`, slugs)
	if err != nil {
		return nil, wrap(err, "find regions")
	}
	found := map[string]int64{}
	for rows.Next() {
		var slug string
		var id int64
		if err := rows.Scan(&slug, &id); err != nil {
			return nil, wrap(err, "find regions")
		}
		found[slug] = id
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "find regions")
	}
	var unknown []string
	seen := map[int64]bool{}
	for _, s := range slugs {
		id, ok := found[s]
		if !ok {
			unknown = append(unknown, s)
			continue
		}
		if !seen[id] {
			ids = append(ids, id)
			seen[id] = true
		}
	}
	if len(unknown) > 0 {
		return nil, parley.Problems{"regions": "Unknown region: " + strings.Join(unknown, ", ") + "."}.Err()
	}
	return ids, nil
}

// cleanKeywords trims each keyword; never nil, as the column is NOT NULL.
func cleanKeywords(ks []string) []string {
	out := make([]string, 0, len(ks))
	for _, k := range ks {
		out = append(out, strings.TrimSpace(k))
	}
	return out
}
