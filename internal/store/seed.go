package store

import (
	"context"
	"fmt"
	"parley"
	"time"

	"github.com/jackc/pgx/v5"
)

// SeedData is a dataset to load: records refer to each other by slug
// (and statements to sources by ref).
type SeedData struct {
	Sides      []parley.SideInput
	Regions    []parley.RegionInput
	Sources    []parley.SourceInput
	Actors     []parley.ActorInput
	Demands    []parley.DemandInput
	Statements []SeedStatement
}

// SeedStatement is a statement of the dataset; SourceRef names its source.
type SeedStatement struct {
	parley.StatementInput
	SourceRef string
}

// SeedResult counts the records a load created.
type SeedResult struct {
	Sides, Regions, Sources, Actors, Demands, Statements int
}

// LoadSeed adds every record of d that the database does not hold yet
// (regions, actors and demands by slug, sources by ref, statements by seed
// key), in one transaction. Records already there, including ones editors
// changed or deleted since, are left exactly as they are, so loading twice
// changes nothing.
func (s *Store) LoadSeed(ctx context.Context, d SeedData) (SeedResult, error) {
	var res SeedResult
	err := s.transact(ctx, func(tx pgx.Tx) error {
		res = SeedResult{}
		// One seeder at a time: concurrent loads would race on the checks below.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('parley seed'))`); err != nil {
			return wrap(err, "seed: lock")
		}
		exists := func(query string, arg any) (bool, error) {
			var ok bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (`+query+`)`, arg).Scan(&ok)
			return ok, err
		}
		for _, in := range d.Sides {
			if ok, err := exists(`SELECT 1 FROM sides WHERE slug = $1`, in.Slug); err != nil || ok {
				if err != nil {
					return wrap(err, "seed side %q", in.Slug)
				}
				continue
			}
			if err := in.Validate(); err != nil {
				return fmt.Errorf("seed side %q: %w", in.Slug, err)
			}
			if _, err := createSide(ctx, tx, parley.Editor{}, in, "seed"); err != nil {
				return err
			}
			res.Sides++
		}
		for _, in := range d.Regions {
			if ok, err := exists(`SELECT 1 FROM regions WHERE slug = $1`, in.Slug); err != nil || ok {
				if err != nil {
					return wrap(err, "seed region %q", in.Slug)
				}
				continue
			}
			if err := in.Validate(); err != nil {
				return fmt.Errorf("seed region %q: %w", in.Slug, err)
			}
			if _, err := createRegion(ctx, tx, parley.Editor{}, in, "seed"); err != nil {
				return err
			}
			res.Regions++
		}
		sourceIDs := map[string]int64{}
		for _, in := range d.Sources {
			if in.Ref == "" {
				return fmt.Errorf("store: seed source %q has no ref: seeding again would duplicate it", in.Outlet)
			}
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM sources WHERE ref = $1`, in.Ref).Scan(&id)
			if err == nil {
				sourceIDs[in.Ref] = id
				continue
			} else if err != pgx.ErrNoRows {
				return wrap(err, "seed source %q", in.Ref)
			}
			if err := in.Validate(); err != nil {
				return fmt.Errorf("seed source %q: %w", in.Ref, err)
			}
			src, err := createSource(ctx, tx, parley.Editor{}, in, "seed")
			if err != nil {
				return err
			}
			sourceIDs[in.Ref] = src.ID
			res.Sources++
		}
		// Parents before children, whatever order the dataset lists them in.
		pending := d.Actors
		for len(pending) > 0 {
			var later []parley.ActorInput
			for _, in := range pending {
				if ok, err := exists(`SELECT 1 FROM actors WHERE slug = $1`, in.Slug); err != nil || ok {
					if err != nil {
						return wrap(err, "seed actor %q", in.Slug)
					}
					continue
				}
				if in.Parent != "" {
					ok, err := exists(`SELECT 1 FROM actors WHERE slug = $1`, in.Parent)
					if err != nil {
						return wrap(err, "seed actor %q", in.Slug)
					}
					if !ok {
						later = append(later, in)
						continue
					}
				}
				if err := in.Validate(); err != nil {
					return fmt.Errorf("seed actor %q: %w", in.Slug, err)
				}
				if _, err := createActor(ctx, tx, parley.Editor{}, in, "seed"); err != nil {
					return err
				}
				res.Actors++
			}
			if len(later) == len(pending) {
				return fmt.Errorf("store: seed actor %q: parent %q does not exist", later[0].Slug, later[0].Parent)
			}
			pending = later
		}
		for _, in := range d.Demands {
			if ok, err := exists(`SELECT 1 FROM demands WHERE slug = $1`, in.Slug); err != nil || ok {
				if err != nil {
					return wrap(err, "seed demand %q", in.Slug)
				}
				continue
			}
			if err := in.Validate(); err != nil {
				return fmt.Errorf("seed demand %q: %w", in.Slug, err)
			}
			in.Converse = "" // linked below, once both demands exist
			if _, err := createDemand(ctx, tx, parley.Editor{}, in, "seed"); err != nil {
				return err
			}
			res.Demands++
		}
		for _, in := range d.Demands {
			if in.Converse != "" {
				if err := linkSeedConverse(ctx, tx, in.Slug, in.Converse); err != nil {
					return err
				}
			}
		}
		for _, in := range d.Statements {
			if in.SeedKey == "" {
				return fmt.Errorf("store: seed statement %q has no key: seeding again would duplicate it", in.Summary)
			}
			if ok, err := exists(`SELECT 1 FROM statements WHERE seed_key = $1`, in.SeedKey); err != nil || ok {
				if err != nil {
					return wrap(err, "seed statement %q", in.SeedKey)
				}
				continue
			}
			st := in.StatementInput
			if err := st.Validate(time.Now()); err != nil {
				return fmt.Errorf("seed statement %q: %w", in.SeedKey, err)
			}
			if in.SourceRef != "" {
				id, ok := sourceIDs[in.SourceRef]
				if !ok {
					return fmt.Errorf("store: seed statement %q: unknown source %q", in.SeedKey, in.SourceRef)
				}
				st.SourceID = id
			}
			if _, err := createStatement(ctx, tx, parley.Editor{}, st, "seed"); err != nil {
				return fmt.Errorf("seed statement %q: %w", in.SeedKey, err)
			}
			res.Statements++
		}
		return nil
	})
	return res, err
}

// linkSeedConverse links the seed's demands a and b as each other's
// converse, with a seed revision each, when neither has a converse yet and
// neither was changed by an editor since the seed loaded it (its newest
// revision is the seed's): a database seeded before converses existed gets
// the link, an editor's choice is never overridden.
func linkSeedConverse(ctx context.Context, q querier, a, b string) error {
	var ids []int64
	rows, err := q.Query(ctx, `
		SELECT d.id FROM demands d
		WHERE d.slug IN ($1, $2) AND d.deleted_at IS NULL AND d.converse_id IS NULL
		  AND (SELECT action FROM revisions r WHERE r.entity_type = 'demand' AND r.entity_id = d.id
		       ORDER BY r.id DESC LIMIT 1) = 'seed'
		ORDER BY d.slug = $1 DESC
		FOR UPDATE`, a, b)
	if err == nil {
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	if err != nil {
		return wrap(err, "seed converse %q", a)
	}
	if len(ids) != 2 {
		return nil // linked already, or changed by an editor: theirs stands
	}
	if _, err := q.Exec(ctx, `UPDATE demands SET converse_id = CASE id WHEN $1 THEN $2::bigint ELSE $1 END,
		version = version + 1, updated_at = now() WHERE id IN ($1, $2)`, ids[0], ids[1]); err != nil {
		return wrap(err, "seed converse %q", a)
	}
	for _, id := range ids {
		d, err := scanDemand(q.QueryRow(ctx, `SELECT `+demandCols+` FROM demands d WHERE d.id = $1`, id))
		if err != nil {
			return wrap(err, "seed converse %q", a)
		}
		if err := writeRevision(ctx, q, parley.Editor{}, parley.KindDemand, d.ID, d.Version, "seed", d); err != nil {
			return err
		}
	}
	return nil
}

// Empty reports whether the database holds no actors, demands or
// statements yet (deleted ones count as held): a fresh install.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var empty bool
	err := s.pool.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM actors) AND NOT EXISTS (SELECT 1 FROM demands)
		AND NOT EXISTS (SELECT 1 FROM statements)`).Scan(&empty)
	return empty, wrap(err, "check empty")
}
