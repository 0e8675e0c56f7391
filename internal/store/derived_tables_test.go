package store_test

import (
	"context"
	"parley"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/store"
	"parley/internal/testdb"
)

// The tests of this file prove that the derived tables of migration 00005
// (stance_log, actor_counts, region_counts) and the queries reading them
// equal what a from-scratch query over the base tables gives.

// liveStanceLog is stance_log computed from scratch: every live position
// (live statement, actor and demand) with its actor, side and date.
const liveStanceLog = `
	SELECT s.id AS statement_id, p.demand_id, s.actor_id, a.side, s.attribution <> 'anonymous' AS named, s.date, s.date_precision,
	       p.stance, s.attribution
	FROM positions p
	JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
	JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL`

// liveRegionTimeline is the key columns of region_timeline computed from
// scratch: one row per (live region, live statement, live position), or
// one with an empty demand for a statement without live positions; a
// statement is in the regions it mentions and those of its demands.
const liveRegionTimeline = `
	WITH m AS (
	    SELECT sr.statement_id, sr.region_id FROM statement_regions sr
	    UNION
	    SELECT p.statement_id, dr.region_id FROM positions p
	    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
	    JOIN demand_regions dr ON dr.demand_id = d.id),
	lp AS (
	    SELECT p.statement_id, d.slug, p.stance FROM positions p
	    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL)
	SELECT m.region_id, s.id AS statement_id, coalesce(lp.slug, '') AS demand, coalesce(lp.stance, '') AS stance, s.date,
	       a.slug AS actor_slug, a.side AS actor_side, s.attribution
	FROM m
	JOIN statements s ON s.id = m.statement_id AND s.deleted_at IS NULL
	JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	JOIN regions r ON r.id = m.region_id AND r.deleted_at IS NULL
	LEFT JOIN lp ON lp.statement_id = s.id`

// livePositionCounts is the number of live positions per actor, from
// scratch.
const livePositionCounts = `
	SELECT s.actor_id, count(*) AS n FROM positions p
	JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
	JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
	GROUP BY s.actor_id`

// scaleCheckDerivedTables compares stance_log, actor_counts and region_counts
// (and region_timeline, which region_counts counts) with their oracles, and
// the store queries that read the ledgers with the base tables.
func scaleCheckDerivedTables(t *testing.T, s *store.Store, pool *pgxpool.Pool, step string) {
	t.Helper()
	ctx := context.Background()
	// (a) stance_log is every live position.
	scaleSameRows(t, pool, step, "stance_log",
		`SELECT statement_id, demand_id, actor_id, side, named, date, date_precision, stance, attribution FROM stance_log`,
		liveStanceLog)
	// (b) actor_counts sums to each actor's stance_log rows, and so to the
	// live positions.
	scaleSameRows(t, pool, step, "actor_counts vs stance_log",
		`SELECT actor_id, sum(positions)::bigint FROM actor_counts GROUP BY 1 HAVING sum(positions) <> 0`,
		`SELECT actor_id, count(*) FROM stance_log GROUP BY 1`)
	scaleSameRows(t, pool, step, "actor_counts vs live positions",
		`SELECT actor_id, sum(positions)::bigint FROM actor_counts GROUP BY 1 HAVING sum(positions) <> 0`,
		livePositionCounts)
	// current_positions is each (actor, demand)'s newest stance_log row,
	// with whether that position holds on conditions.
	scaleSameRows(t, pool, step, "current_positions",
		`SELECT actor_id, demand_id, statement_id, date, date_precision, stance, attribution, conditional FROM current_positions`,
		`SELECT DISTINCT ON (actor_id, demand_id) actor_id, demand_id, statement_id, date, date_precision, stance, attribution,
		        EXISTS (SELECT 1 FROM position_conditions pc WHERE pc.statement_id = l.statement_id AND pc.demand_id = l.demand_id)
		 FROM stance_log l ORDER BY actor_id, demand_id, date DESC, statement_id DESC`)
	// region_timeline itself, from scratch (its key and the columns
	// stance_log shares).
	scaleSameRows(t, pool, step, "region_timeline",
		`SELECT region_id, statement_id, demand, stance, date, actor_slug, actor_side, attribution FROM region_timeline`,
		liveRegionTimeline)
	// (c) region_counts: rows per (region, year, stance); statements counted
	// once per region, on the row of the smallest demand; and so, summed
	// over stances, the distinct statements per (region, year).
	scaleSameRows(t, pool, step, "region_counts rows per (region, year, stance)",
		`SELECT region_id, year, stance, sum(rows)::bigint FROM region_counts GROUP BY 1, 2, 3 HAVING sum(rows) <> 0`,
		`SELECT region_id, extract(year FROM date)::int, stance, count(*) FROM region_timeline GROUP BY 1, 2, 3`)
	scaleSameRows(t, pool, step, "region_counts statements per (region, year, stance)",
		`SELECT region_id, year, stance, sum(statements)::bigint FROM region_counts GROUP BY 1, 2, 3 HAVING sum(statements) <> 0`,
		`SELECT region_id, y, stance, count(*) FROM (
		     SELECT region_id, extract(year FROM date)::int AS y, stance,
		            demand = min(demand) OVER (PARTITION BY region_id, statement_id) AS first
		     FROM region_timeline) x
		 WHERE first GROUP BY 1, 2, 3`)
	scaleSameRows(t, pool, step, "region_counts statements per (region, year)",
		`SELECT region_id, year, sum(statements)::bigint FROM region_counts GROUP BY 1, 2 HAVING sum(statements) <> 0`,
		`SELECT region_id, extract(year FROM date)::int, count(DISTINCT statement_id) FROM region_timeline GROUP BY 1, 2`)
	scaleSameRows(t, pool, step, "region_counts keys with no rows but statements",
		`SELECT region_id, year, stance FROM region_counts GROUP BY 1, 2, 3 HAVING sum(rows) = 0 AND sum(statements) <> 0`,
		`SELECT 0::bigint, 0, '' WHERE false`)

	// The store's readers of the ledgers.
	top, total, err := s.TopActors(ctx, 10)
	if err != nil {
		t.Fatalf("%s: TopActors: %v", step, err)
	}
	var gotTop []string
	for _, a := range top {
		gotTop = append(gotTop, a.Slug)
	}
	wantTop := scaleStrings(t, pool, `WITH c AS (`+livePositionCounts+`)
		SELECT a.slug FROM c JOIN actors a ON a.id = c.actor_id ORDER BY c.n DESC, a.name, a.id LIMIT 10`)
	wantTotal := scaleInt(t, pool, `SELECT count(*) FROM (`+livePositionCounts+`) c`)
	if !slices.Equal(gotTop, wantTop) || total != wantTotal {
		t.Errorf("%s: TopActors(10) = %v, total %d; want %v, total %d", step, gotTop, total, wantTop, wantTotal)
	}
	for _, region := range scaleStrings(t, pool, `SELECT slug FROM regions WHERE deleted_at IS NULL ORDER BY slug`) {
		page, err := s.RegionTimeline(ctx, parley.StatementFilter{Region: region})
		if err != nil {
			t.Fatalf("%s: RegionTimeline(%s): %v", step, region, err)
		}
		want := scaleInt(t, pool, `SELECT count(DISTINCT x.statement_id) FROM (`+liveRegionTimeline+`) x
			JOIN regions r ON r.id = x.region_id WHERE r.slug = $1`, region)
		if page.Total != want {
			t.Errorf("%s: RegionTimeline(%s).Total = %d, want %d", step, region, page.Total, want)
		}
		counts, err := s.CountStancesByYear(ctx, parley.StatementFilter{Region: region})
		if err != nil {
			t.Fatalf("%s: CountStancesByYear(%s): %v", step, region, err)
		}
		if diff := gocmp.Diff(counts, page.Counts); diff != "" {
			t.Errorf("%s: RegionTimeline(%s).Counts differ from CountStancesByYear (-want +got):\n%s", step, region, diff)
		}
		wantIDs := scaleInt64s(t, pool, `SELECT x.statement_id FROM (`+liveRegionTimeline+`) x
			JOIN regions r ON r.id = x.region_id WHERE r.slug = $1
			GROUP BY x.statement_id, x.date ORDER BY x.date DESC, x.statement_id DESC`, region)
		wantIDs = wantIDs[:min(50, len(wantIDs))]
		if got := scaleIDs(page.Statements); !slices.Equal(got, wantIDs) {
			t.Errorf("%s: RegionTimeline(%s) statements = %v, want %v", step, region, got, wantIDs)
		}
	}
}

// TestDerivedTablesNeverGoStale performs every kind of write, through the
// store and in plain SQL, and checks after each that stance_log,
// actor_counts, region_timeline and region_counts equal their from-scratch
// oracles.
func TestDerivedTablesNeverGoStale(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := store.New(pool)
	ctx := context.Background()
	by := parley.Editor{}
	exec := func(sql string, args ...any) { t.Helper(); scaleExec(t, pool, sql, args...) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string) { t.Helper(); scaleCheckDerivedTables(t, s, pool, "after "+step) }
	day := func(y, m, d int) parley.Date { return parley.Date{Time: scaleDay(y, m, d), Precision: "day"} }

	exec(`INSERT INTO regions (slug, name, country, kind) VALUES ('donetsk', 'Donetsk', 'Ukraine', 'oblast'),
		('crimea', 'Crimea', 'Ukraine', 'autonomous-republic'), ('kursk', 'Kursk', 'Russia', 'oblast')`)
	exec(`INSERT INTO actors (slug, name, kind, side) VALUES ('putin', 'Putin', 'person', 'russia'),
		('zelensky', 'Zelensky', 'person', 'ukraine'), ('peskov', 'Peskov', 'person', 'russia')`)
	_, err := s.CreateDemand(ctx, by, parley.DemandInput{Slug: "withdrawal", Title: "Withdrawal", Side: "russia", Category: "territory", Regions: []string{"donetsk"}})
	must(err)
	_, err = s.CreateDemand(ctx, by, parley.DemandInput{Slug: "swap", Title: "Swap", Side: "ukraine", Category: "territory"})
	must(err)
	_, err = s.CreateDemand(ctx, by, parley.DemandInput{Slug: "neutrality", Title: "Neutrality", Side: "russia", Category: "security", Regions: []string{"crimea", "kursk"}})
	must(err)
	check("setting up")

	a, err := s.CreateStatement(ctx, by, parley.StatementInput{Actor: "putin", Date: day(2024, 6, 14), Summary: "Demands withdrawal",
		Attribution: "on_record", Regions: []string{"kursk"},
		Positions: []parley.PositionInput{{Demand: "withdrawal", Stance: "insists"}, {Demand: "swap", Stance: "rejects"}}})
	must(err)
	b, err := s.CreateStatement(ctx, by, parley.StatementInput{Actor: "zelensky", Date: day(2025, 2, 11), Summary: "Offers a swap",
		Attribution: "anonymous", Regions: []string{"kursk", "crimea"}, Positions: []parley.PositionInput{{Demand: "swap", Stance: "supports"}}})
	must(err)
	c, err := s.CreateStatement(ctx, by, parley.StatementInput{Actor: "peskov", Date: parley.Date{Time: scaleDay(2023, 12, 1), Precision: "month"},
		Summary: "Comments on Donetsk", Attribution: "spokesperson", Regions: []string{"donetsk"}})
	must(err)
	check("creating statements with and without positions")

	_, err = s.UpdateStatement(ctx, by, a.ID, 0, parley.StatementInput{Actor: "peskov", Date: day(2023, 6, 15), Summary: "Edited",
		Attribution: "anonymous", Regions: []string{"crimea"},
		Positions: []parley.PositionInput{{Demand: "withdrawal", Stance: "open"}, {Demand: "neutrality", Stance: "rejects"}}})
	must(err)
	check("editing a statement's date, actor, attribution, regions and positions (store)")

	exec(`UPDATE statements SET date = '2022-01-01', date_precision = 'year' WHERE id = $1`, b.ID)
	check("changing a statement's date to another year (SQL)")
	exec(`UPDATE statements SET actor_id = (SELECT id FROM actors WHERE slug = 'putin'), attribution = 'reported' WHERE id = $1`, b.ID)
	check("changing a statement's actor and attribution (SQL)")
	exec(`INSERT INTO positions (statement_id, demand_id, stance) SELECT $1, id, 'open' FROM demands WHERE slug = 'neutrality'`, b.ID)
	check("adding a position (SQL)")
	exec(`DELETE FROM positions WHERE statement_id = $1 AND demand_id = (SELECT id FROM demands WHERE slug = 'withdrawal')`, a.ID)
	check("removing a position (SQL)")
	exec(`INSERT INTO positions (statement_id, demand_id, stance) SELECT $1, id, 'supports' FROM demands WHERE slug = 'swap'`, c.ID)
	check("adding the first position of a statement without positions (SQL)")
	exec(`UPDATE positions SET stance = 'insists' WHERE statement_id = $1 AND demand_id = (SELECT id FROM demands WHERE slug = 'swap')`, b.ID)
	check("changing a position's stance (SQL UPDATE positions)")
	exec(`UPDATE positions SET demand_id = (SELECT id FROM demands WHERE slug = 'withdrawal')
		WHERE statement_id = $1 AND demand_id = (SELECT id FROM demands WHERE slug = 'neutrality')`, b.ID)
	check("moving a position to another demand (SQL UPDATE positions)")
	// Rewrites the statement's positions and regions, so that whatever
	// the plain UPDATEs above left behind is refreshed.
	_, err = s.UpdateStatement(ctx, by, b.ID, 0, parley.StatementInput{Actor: "zelensky", Date: day(2025, 2, 11), Summary: "Offers a swap",
		Attribution: "anonymous", Regions: []string{"kursk", "crimea"},
		Positions: []parley.PositionInput{{Demand: "swap", Stance: "supports"}, {Demand: "neutrality", Stance: "opposes"}}})
	must(err)
	check("editing a statement back (store)")
	exec(`UPDATE statement_regions SET region_id = (SELECT id FROM regions WHERE slug = 'donetsk')
		WHERE statement_id = $1 AND region_id = (SELECT id FROM regions WHERE slug = 'kursk')`, b.ID)
	check("moving a statement to another region (SQL UPDATE statement_regions)")
	exec(`DELETE FROM statement_regions WHERE statement_id = $1`, b.ID)
	exec(`INSERT INTO statement_regions (statement_id, region_id) SELECT $1, id FROM regions WHERE slug IN ('kursk', 'crimea')`, b.ID)
	check("rewriting a statement's regions (SQL)")
	// Statement a takes a position on neutrality, which concerns crimea
	// and kursk: moving the demand to donetsk moves a there.
	exec(`UPDATE demand_regions SET region_id = (SELECT id FROM regions WHERE slug = 'donetsk')
		WHERE demand_id = (SELECT id FROM demands WHERE slug = 'neutrality')
		  AND region_id = (SELECT id FROM regions WHERE slug = 'crimea')`)
	check("moving a demand to another region (SQL UPDATE demand_regions)")
	exec(`DELETE FROM demand_regions WHERE demand_id = (SELECT id FROM demands WHERE slug = 'neutrality')`)
	exec(`INSERT INTO demand_regions (demand_id, region_id) SELECT d.id, r.id FROM demands d, regions r
		WHERE d.slug = 'neutrality' AND r.slug IN ('crimea', 'kursk')`)
	check("rewriting a demand's regions (SQL)")

	must(s.DeleteStatement(ctx, by, a.ID))
	check("soft-deleting a statement (store)")
	must(s.RestoreStatement(ctx, by, a.ID))
	check("restoring a statement (store)")
	exec(`UPDATE statements SET deleted_at = now() WHERE id = $1`, b.ID)
	check("soft-deleting a statement (SQL)")
	exec(`UPDATE statements SET deleted_at = NULL WHERE id = $1`, b.ID)
	check("restoring a statement (SQL)")

	// The store refuses to delete an actor or demand in use: delete its
	// statement first.
	_, err = s.CreateActor(ctx, by, parley.ActorInput{Slug: "lavrov", Name: "Lavrov", Kind: "person", Side: "russia"})
	must(err)
	_, err = s.CreateDemand(ctx, by, parley.DemandInput{Slug: "ceasefire", Title: "Ceasefire", Side: "ukraine", Category: "process", Regions: []string{"kursk"}})
	must(err)
	d, err := s.CreateStatement(ctx, by, parley.StatementInput{Actor: "lavrov", Date: day(2024, 3, 1), Summary: "On a ceasefire",
		Attribution: "on_record", Positions: []parley.PositionInput{{Demand: "ceasefire", Stance: "opposes"}, {Demand: "swap", Stance: "open"}}})
	must(err)
	check("creating an actor, a demand and a statement (store)")
	must(s.DeleteStatement(ctx, by, d.ID))
	must(s.DeleteActor(ctx, by, "lavrov"))
	must(s.DeleteDemand(ctx, by, "ceasefire"))
	check("soft-deleting an actor and a demand (store)")
	must(s.RestoreActor(ctx, by, "lavrov"))
	must(s.RestoreDemand(ctx, by, "ceasefire"))
	check("restoring an actor and a demand (store)")
	must(s.RestoreStatement(ctx, by, d.ID))
	check("restoring their statement (store)")
	exec(`UPDATE actors SET deleted_at = now() WHERE slug = 'zelensky'`)
	check("soft-deleting an actor with live statements (SQL)")
	exec(`UPDATE actors SET deleted_at = NULL WHERE slug = 'zelensky'`)
	check("restoring an actor (SQL)")
	exec(`UPDATE demands SET deleted_at = now() WHERE slug = 'swap'`)
	check("soft-deleting a demand with live positions (SQL)")
	exec(`UPDATE demands SET deleted_at = NULL WHERE slug = 'swap'`)
	check("restoring a demand (SQL)")

	_, err = s.UpdateActor(ctx, by, "zelensky", 0, parley.ActorInput{Name: "Volodymyr Zelensky", Kind: "person", Side: "europe"})
	must(err)
	check("changing an actor's name and side (store)")
	exec(`UPDATE actors SET side = 'ukraine' WHERE slug = 'zelensky'`)
	check("changing an actor's side (SQL)")
	_, err = s.UpdateDemand(ctx, by, "swap", 0, parley.DemandInput{Title: "Swap", Side: "ukraine", Category: "territory", Regions: []string{"donetsk", "crimea"}})
	must(err)
	check("changing a demand's regions (store)")
	must(s.DeleteRegion(ctx, by, "kursk"))
	check("soft-deleting a region (store)")
	must(s.RestoreRegion(ctx, by, "kursk"))
	check("restoring a region (store)")

	revs, err := s.ListRevisions(ctx, "statement", a.ID)
	must(err)
	if len(revs) < 2 {
		t.Fatalf("statement %d has %d revisions, want at least 2", a.ID, len(revs))
	}
	_, _, err = s.RestoreRevision(ctx, by, revs[len(revs)-1].ID) // the oldest: as created
	must(err)
	check("restoring a statement's first revision (store)")

	exec(`SELECT compact_counts()`)
	check("compacting the ledgers")
	var ledgerRows int
	pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM actor_counts) + (SELECT count(*) FROM region_counts)`).Scan(&ledgerRows)
	wantLedger := scaleInt(t, pool, `SELECT (SELECT count(DISTINCT actor_id) FROM stance_log)
		+ (SELECT count(*) FROM (SELECT DISTINCT region_id, date_part('year', date), stance FROM region_timeline) x)`)
	if ledgerRows != wantLedger {
		t.Errorf("after compacting: %d ledger rows, want one per key: %d", ledgerRows, wantLedger)
	}

	exec(`DELETE FROM statements WHERE id = $1`, c.ID)
	check("hard-deleting a statement (SQL)")
	exec(`DELETE FROM statements WHERE id IN ($1, $2)`, a.ID, d.ID)
	check("hard-deleting two statements in one DELETE (SQL)")
	e, err := s.CreateStatement(ctx, by, parley.StatementInput{Actor: "putin", Date: day(2024, 6, 14), Summary: "Again",
		Attribution: "on_record", Regions: []string{"donetsk"}, Positions: []parley.PositionInput{{Demand: "withdrawal", Stance: "rejects"}}})
	must(err)
	check("creating a statement after compacting")
	exec(`SELECT compact_counts()`)
	check("compacting again")
	exec(`UPDATE statements SET date = '2019-05-05', date_precision = 'day' WHERE id IN ($1, $2)`, b.ID, e.ID)
	check("changing two statements' dates in one UPDATE (SQL)")

	var logRows, regionRows int
	pool.QueryRow(ctx, `SELECT count(*) FROM stance_log`).Scan(&logRows)
	pool.QueryRow(ctx, `SELECT count(*) FROM region_counts`).Scan(&regionRows)
	if logRows == 0 || regionRows == 0 {
		t.Fatalf("stance_log has %d rows and region_counts %d: the comparisons proved nothing", logRows, regionRows)
	}
}

// TestCompactCountsFoldsTheLedgers: writes append ledger rows; compaction
// leaves one row per key and the same sums.
func TestCompactCountsFoldsTheLedgers(t *testing.T) {
	t.Parallel()
	s, pool := scaleGenerated(t, 300, 5)
	ctx := context.Background()
	scaleExec(t, pool, `UPDATE statements SET date = date + 1 WHERE id % 7 = 0`)
	sums := func() string {
		return strings.Join(scaleStrings(t, pool, `
			SELECT 'a' || actor_id || ':' || sum(positions) FROM actor_counts GROUP BY actor_id HAVING sum(positions) <> 0
			UNION ALL
			SELECT 'r' || region_id || '/' || year || '/' || stance || ':' || sum(rows) || '/' || sum(statements)
			FROM region_counts GROUP BY region_id, year, stance HAVING sum(rows) <> 0 OR sum(statements) <> 0
			ORDER BY 1`), " ")
	}
	before := sums()
	extra := scaleInt(t, pool, `SELECT (SELECT count(*) FROM actor_counts) - (SELECT count(DISTINCT actor_id) FROM actor_counts)`)
	if extra == 0 {
		t.Fatal("the updates appended no ledger rows; the test shows nothing")
	}
	if err := s.CompactCounts(ctx); err != nil {
		t.Fatal(err)
	}
	if after := sums(); after != before {
		t.Errorf("sums changed by compaction:\n before %s\n after  %s", before, after)
	}
	for _, q := range []string{
		`SELECT count(*) FROM (SELECT actor_id FROM actor_counts GROUP BY 1 HAVING count(*) > 1) x`,
		`SELECT count(*) FROM (SELECT 1 FROM region_counts GROUP BY region_id, year, stance HAVING count(*) > 1) x`,
	} {
		if n := scaleInt(t, pool, q); n != 0 {
			t.Errorf("%s = %d after compaction, want 0", q, n)
		}
	}
}

// TestDerivedTablesMatchAFullRebuild checks that the rebuild functions'
// two branches write the same rows: every statement at once (what gen and
// a repair use) and the given statements (what every commit uses), over
// generated data with reports, conditions and converse demands.
func TestDerivedTablesMatchAFullRebuild(t *testing.T) {
	t.Parallel()
	pool := generated(t, 600, 3) // gen fills the derived tables by the every-statement branch
	ctx := context.Background()
	exec := func(sql string) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`CREATE TABLE full_timeline AS SELECT * FROM region_timeline;
		CREATE TABLE full_stance_log AS SELECT * FROM stance_log;
		CREATE TABLE full_current AS SELECT * FROM current_positions;
		CREATE TABLE full_region_counts AS SELECT region_id, year, stance, sum(rows) AS rows, sum(statements) AS statements
			FROM region_counts GROUP BY 1, 2, 3 HAVING sum(rows) <> 0 OR sum(statements) <> 0;
		CREATE TABLE full_actor_counts AS SELECT actor_id, sum(positions) AS n FROM actor_counts GROUP BY 1 HAVING sum(positions) <> 0`)
	if n := scaleInt(t, pool, `SELECT count(*) FROM full_timeline WHERE conditions <> '' AND report_count > 1`); n == 0 {
		t.Fatal("the generated data has no timeline row with conditions and several reports")
	}
	// The given-statements branch, over every statement in batches, as
	// commits would (the plans are reused from the second batch on).
	exec(`DO $$
		DECLARE
			batch bigint[];
			pairs record;
		BEGIN
			FOR batch IN SELECT array_agg(id ORDER BY id) FROM statements GROUP BY id / 50 ORDER BY id / 50 LOOP
				PERFORM rebuild_region_timeline(batch);
				SELECT * INTO pairs FROM rebuild_stance_log(batch);
				PERFORM rebuild_current_positions(pairs.actor_ids, pairs.demand_ids);
			END LOOP;
		END $$`)
	scaleSameRows(t, pool, "rebuilt by batches", "region_timeline", `SELECT * FROM region_timeline`, `SELECT * FROM full_timeline`)
	scaleSameRows(t, pool, "rebuilt by batches", "stance_log", `SELECT * FROM stance_log`, `SELECT * FROM full_stance_log`)
	scaleSameRows(t, pool, "rebuilt by batches", "current_positions", `SELECT * FROM current_positions`, `SELECT * FROM full_current`)
	scaleSameRows(t, pool, "rebuilt by batches", "region_counts",
		`SELECT region_id, year, stance, sum(rows), sum(statements) FROM region_counts GROUP BY 1, 2, 3 HAVING sum(rows) <> 0 OR sum(statements) <> 0`,
		`SELECT * FROM full_region_counts`)
	scaleSameRows(t, pool, "rebuilt by batches", "actor_counts",
		`SELECT actor_id, sum(positions) FROM actor_counts GROUP BY 1 HAVING sum(positions) <> 0`, `SELECT * FROM full_actor_counts`)
}
