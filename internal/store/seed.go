package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"parley"
	"slices"
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

// SeedStatement is a statement of the dataset. Its reports name their
// sources by ref; Absorbs are the keys of an earlier version's statements
// that reported the same utterance.
type SeedStatement struct {
	parley.StatementInput
	Reports []SeedReport
	Absorbs []string
}

// SeedReport is one report of a seed statement.
type SeedReport struct {
	SourceRef, Quote string
}

// SeedResult counts what a load did: the records it created, the seed's
// own statements it brought to the dataset's current shape (Updated), and
// those of an earlier version it merged into another as reports (Merged).
type SeedResult struct {
	Sides, Regions, Sources, Actors, Demands, Statements int
	Updated, Merged                                      int
}

// LoadSeed adds every record of d that the database does not hold yet
// (sides, regions, actors and demands by slug, sources by ref, statements
// by seed key), in one transaction. A database loaded with an earlier
// version of the dataset is brought to this one: its seed statements that
// no editor has touched since (their newest revision is the seed's) are
// rewritten as the dataset now has them, and those the dataset now merges
// into another (Absorbs) are deleted, their reports living on in it.
// Records editors changed or deleted are left exactly as they are, and
// loading twice changes nothing.
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
			for _, r := range in.Reports {
				id, ok := sourceIDs[r.SourceRef]
				if !ok {
					return fmt.Errorf("store: seed statement %q: unknown source %q", in.SeedKey, r.SourceRef)
				}
				st.Reports = append(st.Reports, parley.ReportInput{SourceID: id, Quote: r.Quote})
			}
			if err := st.Validate(time.Now()); err != nil {
				return fmt.Errorf("seed statement %q: %w", in.SeedKey, err)
			}
			if _, err := createStatement(ctx, tx, parley.Editor{}, st, "seed"); err != nil {
				return fmt.Errorf("seed statement %q: %w", in.SeedKey, err)
			}
			res.Statements++
		}
		// An earlier version of the dataset: its untouched statements take
		// this version's shape; those merged into another go.
		for _, in := range d.Statements {
			st := in.StatementInput
			for _, r := range in.Reports {
				st.Reports = append(st.Reports, parley.ReportInput{SourceID: sourceIDs[r.SourceRef], Quote: r.Quote})
			}
			updated, err := upgradeSeedStatement(ctx, tx, in.SeedKey, st)
			if err != nil {
				return fmt.Errorf("seed statement %q: %w", in.SeedKey, err)
			}
			if updated {
				res.Updated++
			}
			for _, old := range in.Absorbs {
				absorbed, ok, err := untouchedSeedStatement(ctx, tx, old)
				if err != nil {
					return fmt.Errorf("seed statement %q: %w", old, err)
				}
				if ok {
					if err := deleteOrRestore(ctx, tx, parley.Editor{}, parley.KindStatement, absorbed.ID, true); err != nil {
						return fmt.Errorf("seed statement %q: merge into %q: %w", old, in.SeedKey, err)
					}
					res.Merged++
				}
			}
		}
		return nil
	})
	return res, err
}

// untouchedSeedStatement finds the live statement with seed key, when it
// still reads as the seed last wrote it: its newest revision is the seed's,
// and the stored record matches that revision (an edit made outside
// Parley's forms, with no revision, counts as an edit too).
func untouchedSeedStatement(ctx context.Context, q querier, key string) (parley.Statement, bool, error) {
	var id int64
	var snapshot []byte
	err := q.QueryRow(ctx, `
		SELECT s.id, r.data FROM statements s
		JOIN LATERAL (SELECT action, data FROM revisions r WHERE r.entity_type = 'statement' AND r.entity_id = s.id
		              ORDER BY r.id DESC LIMIT 1) r ON r.action = 'seed'
		WHERE s.seed_key = $1 AND s.deleted_at IS NULL
		FOR UPDATE OF s`, key).Scan(&id, &snapshot)
	if errors.Is(err, pgx.ErrNoRows) {
		return parley.Statement{}, false, nil
	} else if err != nil {
		return parley.Statement{}, false, wrap(err, "find seed statement %q", key)
	}
	cur, err := scanStatement(q.QueryRow(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = $1`, id))
	if err != nil {
		return cur, false, wrap(err, "read seed statement %q", key)
	}
	var seeded parley.Statement
	if err := json.Unmarshal(snapshot, &seeded); err != nil {
		return cur, false, fmt.Errorf("store: seed statement %q: read its revision: %w", key, err)
	}
	return cur, sameStatement(parley.InputOf(cur), parley.InputOf(seeded)), nil
}

// upgradeSeedStatement rewrites the seed's untouched statement with key as
// in, when it differs, with a seed revision. A statement the rewrite would
// make invalid (an editor deleted a demand it names, say) is left as is.
func upgradeSeedStatement(ctx context.Context, tx pgx.Tx, key string, in parley.StatementInput) (bool, error) {
	cur, ok, err := untouchedSeedStatement(ctx, tx, key)
	if err != nil || !ok {
		return false, err
	}
	id := cur.ID
	in.SeedKey = ""
	if sameStatement(parley.InputOf(cur), in) {
		return false, nil
	}
	sp, err := tx.Begin(ctx) // a savepoint: a refused rewrite leaves the load going
	if err != nil {
		return false, err
	}
	if _, err := updateStatement(ctx, sp, parley.Editor{}, id, 0, in, "seed"); err != nil {
		_ = sp.Rollback(ctx)
		var ve *parley.ValidationError
		if errors.As(err, &ve) {
			return false, nil
		}
		return false, err
	}
	return true, sp.Commit(ctx)
}

// sameStatement reports whether two inputs store the same statement,
// whatever the order of their reports, regions, positions and conditions.
func sameStatement(a, b parley.StatementInput) bool {
	norm := func(in parley.StatementInput) string {
		in.Quote, in.Summary, in.Occasion = parley.CleanText(in.Quote), parley.CleanText(in.Summary), parley.CleanText(in.Occasion)
		in.SeedKey, in.IdempotencyKey = "", ""
		in.Reports, in.Regions, in.Positions = slices.Clone(in.Reports), slices.Clone(in.Regions), slices.Clone(in.Positions)
		if in.SourceID != 0 {
			in.Reports = append(in.Reports, parley.ReportInput{SourceID: in.SourceID, Quote: in.SourceQuote})
			in.SourceID, in.SourceQuote = 0, ""
		}
		for i := range in.Reports {
			in.Reports[i].Quote = parley.CleanText(in.Reports[i].Quote)
		}
		// An empty list and none are the same (a dataset's [] and a
		// database's nothing).
		if len(in.Reports) == 0 {
			in.Reports = nil
		}
		if len(in.Regions) == 0 {
			in.Regions = nil
		}
		if len(in.Positions) == 0 {
			in.Positions = nil
		}
		slices.SortFunc(in.Reports, func(x, y parley.ReportInput) int { return cmp.Compare(x.SourceID, y.SourceID) })
		slices.Sort(in.Regions)
		in.Regions = slices.Compact(in.Regions)
		slices.SortFunc(in.Positions, func(x, y parley.PositionInput) int { return cmp.Compare(x.Demand, y.Demand) })
		for i := range in.Positions {
			cs := slices.Clone(in.Positions[i].Conditions)
			for j := range cs {
				cs[j].DemandTitle = ""
			}
			slices.SortFunc(cs, func(x, y parley.Condition) int { return cmp.Compare(x.Side+":"+x.Demand, y.Side+":"+y.Demand) })
			if len(cs) == 0 {
				cs = nil
			}
			in.Positions[i].Conditions = cs
		}
		b, _ := json.Marshal(in)
		return string(b)
	}
	return norm(a) == norm(b)
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
