package store_test

import (
	"cmp"
	"context"
	"fmt"
	"parley"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/store"
	"parley/internal/testdb"
)

// The tests of this file prove that the queries reading the derived tables
// of migration 00005 (stance_log, actor_counts, region_counts) and the
// sampled search counts equal what a from-scratch query over the base
// tables gives.

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

// scaleRowDiff returns, as JSON text, the rows of got that want lacks and the
// rows of want that got lacks, counting duplicates (EXCEPT ALL both ways).
func scaleRowDiff(t *testing.T, pool *pgxpool.Pool, got, want string, args ...any) (onlyGot, onlyWant []string) {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT 'got', row_to_json(only_got_)::text FROM ((`+got+`) EXCEPT ALL (`+want+`)) only_got_
		UNION ALL
		SELECT 'want', row_to_json(only_want_)::text FROM ((`+want+`) EXCEPT ALL (`+got+`)) only_want_
		ORDER BY 1, 2`, args...)
	if err != nil {
		t.Fatalf("comparing\n%s\nwith\n%s\n: %v", got, want, err)
	}
	type diff struct{ Side, Row string }
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByPos[diff])
	if err != nil {
		t.Fatalf("comparing\n%s\nwith\n%s\n: %v", got, want, err)
	}
	for _, d := range ds {
		if d.Side == "got" {
			onlyGot = append(onlyGot, d.Row)
		} else {
			onlyWant = append(onlyWant, d.Row)
		}
	}
	return onlyGot, onlyWant
}

// scaleSameRows reports an error unless the two queries give the same multiset
// of rows.
func scaleSameRows(t *testing.T, pool *pgxpool.Pool, step, what, got, want string, args ...any) {
	t.Helper()
	onlyGot, onlyWant := scaleRowDiff(t, pool, got, want, args...)
	if len(onlyGot) > 0 || len(onlyWant) > 0 {
		t.Errorf("%s: %s differs from the oracle:\n  only in the derived table: %s\n  only in the oracle:        %s",
			step, what, strings.Join(onlyGot, " "), strings.Join(onlyWant, " "))
	}
}

func scaleInt(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func scaleStrings(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func scaleInt64s(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func scaleExec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func scaleDay(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// scaleDateParam is t as a query parameter: NULL for the zero time.
func scaleDateParam(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func scaleDayString(t time.Time) string {
	if t.IsZero() {
		return "now"
	}
	return t.Format("2006-01-02")
}

func scaleIDs(sts []parley.Statement) []int64 {
	out := make([]int64, len(sts))
	for i, st := range sts {
		out[i] = st.ID
	}
	return out
}

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
	// current_positions is each (actor, demand)'s newest stance_log row.
	scaleSameRows(t, pool, step, "current_positions",
		`SELECT actor_id, demand_id, statement_id, date, date_precision, stance, attribution FROM current_positions`,
		`SELECT DISTINCT ON (actor_id, demand_id) actor_id, demand_id, statement_id, date, date_precision, stance, attribution
		 FROM stance_log ORDER BY actor_id, demand_id, date DESC, statement_id DESC`)
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

// scaleTies dates pairs of live positions on the same demand with
// different stances (by the same actor, or by actors of the same side) on
// day, on the record: the newest position as of day is then decided by the
// statement id, and lies on the as-of day itself. It returns the pairs'
// statement ids.
func scaleTies(t *testing.T, pool *pgxpool.Pool, sameActor bool, pairs int, day time.Time) []int64 {
	t.Helper()
	ids := scaleInt64s(t, pool, `
		WITH l AS (
		    SELECT p.statement_id, p.demand_id, p.stance, s.actor_id, a.side FROM positions p
		    JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
		    JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
		    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL),
		pairs AS (
		    SELECT DISTINCT ON (x.demand_id) x.statement_id AS a, y.statement_id AS b FROM l x
		    JOIN l y ON y.demand_id = x.demand_id AND y.statement_id > x.statement_id AND y.stance <> x.stance
		           AND CASE WHEN $1 THEN y.actor_id = x.actor_id ELSE y.side = x.side END
		    ORDER BY x.demand_id, x.statement_id, y.statement_id),
		chosen AS (SELECT a, b FROM pairs ORDER BY a, b LIMIT $2)
		SELECT a FROM chosen UNION SELECT b FROM chosen`, sameActor, pairs)
	if len(ids) < 2 {
		t.Fatalf("no pair of positions to tie (same actor: %v)", sameActor)
	}
	scaleExec(t, pool, `UPDATE statements SET date = $1, date_precision = 'day', attribution = 'on_record' WHERE id = ANY ($2)`, day, ids)
	return ids
}

// scaleGenerated generates n statements with seed on a fresh database.
func scaleGenerated(t *testing.T, n int, seed int64) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	pool := generated(t, n, seed)
	return store.New(pool), pool
}

// currentPositionsOracle is the query CurrentPositions replaced.
const currentPositionsOracle = `
	SELECT DISTINCT ON (s.actor_id, p.demand_id)
	       a.slug, a.name, a.side, d.slug, p.stance, s.date, s.date_precision, s.id, s.attribution
	FROM positions p
	JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
	JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
	WHERE ($1::date IS NULL OR s.date <= $1) AND s.actor_id = ANY ($2)
	ORDER BY s.actor_id, p.demand_id, s.date DESC, s.id DESC`

func scaleScanCurrentPosition(r pgx.CollectableRow) (parley.CurrentPosition, error) {
	var c parley.CurrentPosition
	err := r.Scan(&c.ActorSlug, &c.ActorName, &c.ActorSide, &c.DemandSlug, &c.Stance, &c.Date.Time, &c.Date.Precision, &c.StatementID, &c.Attribution)
	return c, err
}

func TestCurrentPositionsMatchTheOracle(t *testing.T) {
	t.Parallel()
	s, pool := scaleGenerated(t, 2000, 21)
	ctx := context.Background()

	checkTop := func(round string) []int64 {
		t.Helper()
		top, total, err := s.TopActors(ctx, 30)
		if err != nil {
			t.Fatalf("%s: TopActors: %v", round, err)
		}
		type ranked struct {
			Slug string
			N    int
		}
		rows, err := pool.Query(ctx, `WITH c AS (`+livePositionCounts+`)
			SELECT a.slug, c.n::int FROM c JOIN actors a ON a.id = c.actor_id ORDER BY c.n DESC, a.name, a.id`)
		if err != nil {
			t.Fatal(err)
		}
		all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ranked])
		if err != nil {
			t.Fatal(err)
		}
		if total != len(all) {
			t.Errorf("%s: TopActors total = %d, want %d actors with a live position", round, total, len(all))
		}
		count := map[string]int{}
		for _, r := range all {
			count[r.Slug] = r.N
		}
		var got, want []string
		var ids []int64
		for i, a := range top {
			got = append(got, fmt.Sprintf("%s:%d", a.Slug, count[a.Slug]))
			ids = append(ids, a.ID)
			if i > 0 && count[a.Slug] > count[top[i-1].Slug] {
				t.Errorf("%s: TopActors[%d] %s has %d positions, more than TopActors[%d] %s with %d",
					round, i, a.Slug, count[a.Slug], i-1, top[i-1].Slug, count[top[i-1].Slug])
			}
		}
		for _, r := range all[:min(30, len(all))] {
			want = append(want, fmt.Sprintf("%s:%d", r.Slug, r.N))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: TopActors(30) (slug:live positions) =\n %v\nwant\n %v", round, got, want)
		}
		if len(top) != 30 {
			t.Fatalf("%s: TopActors(30) returned %d actors, want 30 (the data has %d active actors)", round, len(top), len(all))
		}
		return ids
	}
	checkCurrent := func(round string, ids []int64) {
		t.Helper()
		for _, asOf := range []time.Time{{}, scaleDay(2016, 6, 30), scaleDay(2020, 1, 1), scaleDay(2025, 12, 31)} {
			got, err := s.CurrentPositions(ctx, ids, asOf)
			if err != nil {
				t.Fatalf("%s: CurrentPositions as of %s: %v", round, scaleDayString(asOf), err)
			}
			rows, err := pool.Query(ctx, currentPositionsOracle, scaleDateParam(asOf), ids)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, scaleScanCurrentPosition)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatalf("%s: the oracle has no positions as of %s: the comparison proves nothing", round, scaleDayString(asOf))
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%s: CurrentPositions(top 30, as of %s) differs from the DISTINCT ON query (-want +got):\n%s", round, scaleDayString(asOf), diff)
			}
		}
	}
	// DemandPositions is every actor's current stance on one demand.
	checkDemand := func(round string) {
		t.Helper()
		for _, demand := range []string{"gen-demand-5", "gen-demand-3"} {
			got, err := s.DemandPositions(ctx, demand)
			if err != nil {
				t.Fatalf("%s: DemandPositions(%s): %v", round, demand, err)
			}
			rows, err := pool.Query(ctx, strings.Replace(currentPositionsOracle, "s.actor_id = ANY ($2)", "d.slug = $2", 1), nil, demand)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, scaleScanCurrentPosition)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%s: DemandPositions(%s) differs from the DISTINCT ON query (-want +got):\n%s", round, demand, diff)
			}
		}
	}

	ids := checkTop("generated data")
	checkCurrent("generated data", ids)
	checkDemand("generated data")

	// Edits in SQL, which go through the triggers and leave the ledger
	// with rows to sum.
	scaleExec(t, pool, `UPDATE statements SET deleted_at = now() WHERE id IN (
		SELECT id FROM statements WHERE actor_id = $1 ORDER BY date DESC, id DESC LIMIT 5)`, ids[0])
	scaleExec(t, pool, `UPDATE actors SET deleted_at = now() WHERE id = $1`, ids[1])
	scaleExec(t, pool, `UPDATE actors SET side = 'china' WHERE id = $1`, ids[2])
	scaleExec(t, pool, `UPDATE demands SET deleted_at = now() WHERE slug = 'gen-demand-3'`)
	scaleExec(t, pool, `DELETE FROM statements WHERE id IN (
		SELECT id FROM statements WHERE actor_id = $1 ORDER BY date DESC, id DESC LIMIT 3)`, ids[3])
	scaleExec(t, pool, `UPDATE statements SET date = '2015-01-01' WHERE id IN (
		SELECT id FROM statements WHERE actor_id = $1 ORDER BY date DESC, id DESC LIMIT 4)`, ids[4])
	scaleExec(t, pool, `DELETE FROM positions WHERE statement_id IN (
		SELECT id FROM statements WHERE actor_id = $1 ORDER BY date DESC, id DESC LIMIT 10)`, ids[5])
	scaleTies(t, pool, true, 5, scaleDay(2020, 1, 1))
	checkTop("after edits")
	checkCurrent("after edits", ids)
	checkDemand("after edits")
	scaleExec(t, pool, `SELECT compact_counts()`)
	checkTop("after compacting")
}

// scaleSideStanceRule computes SideStance's rule from events: per demand and
// side, the newest (greatest date, then statement id) position that is not
// anonymous, else the newest anonymous one, among those dated on or before
// asOf (zero: all). It also counts how often the rule chose an older named
// position over a newer anonymous one, and how often it fell back to an
// anonymous one.
func scaleSideStanceRule(events []parley.StanceEvent, asOf time.Time, demand string) (out []parley.SideStance, namedOverNewer, fallback int) {
	newer := func(a, b parley.StanceEvent) bool { // a is newer than b
		if !a.Date.Time.Equal(b.Date.Time) {
			return a.Date.Time.After(b.Date.Time)
		}
		return a.StatementID > b.StatementID
	}
	type key struct{ demand, side string }
	named, anon := map[key]parley.StanceEvent{}, map[key]parley.StanceEvent{}
	for _, e := range events {
		if (!asOf.IsZero() && e.Date.Time.After(asOf)) || (demand != "" && e.DemandSlug != demand) {
			continue
		}
		k := key{e.DemandSlug, e.ActorSide}
		m := named
		if e.Attribution == "anonymous" {
			m = anon
		}
		if cur, ok := m[k]; !ok || newer(e, cur) {
			m[k] = e
		}
	}
	pick := func(e parley.StanceEvent) parley.SideStance {
		return parley.SideStance{Demand: e.DemandSlug, Side: e.ActorSide, Stance: e.Stance, Date: e.Date}
	}
	for k, e := range named {
		if a, ok := anon[k]; ok && newer(a, e) {
			namedOverNewer++
		}
		out = append(out, pick(e))
	}
	for k, e := range anon {
		if _, ok := named[k]; !ok {
			out = append(out, pick(e))
			fallback++
		}
	}
	scaleSortSideStances(out)
	return out, namedOverNewer, fallback
}

func scaleByDateAndID(a, b parley.StanceEvent) int {
	if c := a.Date.Time.Compare(b.Date.Time); c != 0 {
		return c
	}
	return cmp.Compare(a.StatementID, b.StatementID)
}

func scaleByDateIDAndDemand(a, b parley.StanceEvent) int {
	if c := scaleByDateAndID(a, b); c != 0 {
		return c
	}
	return strings.Compare(a.DemandSlug, b.DemandSlug)
}

func scaleSortSideStances(x []parley.SideStance) {
	slices.SortFunc(x, func(a, b parley.SideStance) int {
		return strings.Compare(a.Demand+"\x00"+a.Side, b.Demand+"\x00"+b.Side)
	})
}

func TestSideStancesMatchTheRule(t *testing.T) {
	t.Parallel()
	s, pool := scaleGenerated(t, 2000, 31)
	ctx := context.Background()

	check := func(round string) {
		t.Helper()
		events, err := s.ListStanceEvents(ctx, "", "")
		if err != nil {
			t.Fatalf("%s: ListStanceEvents: %v", round, err)
		}
		// The events are every live position, oldest first.
		rows, err := pool.Query(ctx, `SELECT s.id, a.slug, a.side, d.slug, p.stance, s.date, s.date_precision, s.attribution
			FROM positions p
			JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
			JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
			JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
			ORDER BY s.date, s.id, d.slug`)
		if err != nil {
			t.Fatal(err)
		}
		want, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StanceEvent, error) {
			var e parley.StanceEvent
			err := r.Scan(&e.StatementID, &e.ActorSlug, &e.ActorSide, &e.DemandSlug, &e.Stance, &e.Date.Time, &e.Date.Precision, &e.Attribution)
			return e, err
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(events); i++ {
			if scaleByDateAndID(events[i-1], events[i]) > 0 {
				t.Fatalf("%s: ListStanceEvents is not oldest first: %+v before %+v", round, events[i-1], events[i])
			}
		}
		got := slices.Clone(events)
		slices.SortFunc(got, scaleByDateIDAndDemand)
		slices.SortFunc(want, scaleByDateIDAndDemand)
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Fatalf("%s: ListStanceEvents differs from the live positions oldest first (-want +got):\n%s", round, diff)
		}

		totalNamedOverNewer, totalFallback := 0, 0
		for _, asOf := range []time.Time{{}, scaleDay(2014, 2, 15), scaleDay(2014, 6, 30), scaleDay(2016, 6, 30), scaleDay(2020, 1, 1), scaleDay(2025, 12, 31)} {
			for _, demand := range []string{"", "gen-demand-7", "gen-demand-40"} {
				want, namedOverNewer, fallback := scaleSideStanceRule(events, asOf, demand)
				totalNamedOverNewer += namedOverNewer
				totalFallback += fallback
				got, err := s.SideStances(ctx, asOf, demand)
				if err != nil {
					t.Fatalf("%s: SideStances(%s, %q): %v", round, scaleDayString(asOf), demand, err)
				}
				scaleSortSideStances(got)
				if len(want) == 0 {
					t.Errorf("%s: as of %s on %q the rule gives no stance: the comparison proves nothing", round, scaleDayString(asOf), demand)
				}
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("%s: SideStances(as of %s, demand %q) differs from the rule (-rule +got):\n%s", round, scaleDayString(asOf), demand, diff)
				}
			}
		}
		if totalNamedOverNewer == 0 || totalFallback == 0 {
			t.Errorf("%s: the data never exercised the rule: a named stance over a newer anonymous one %d times, the anonymous fallback %d times",
				round, totalNamedOverNewer, totalFallback)
		}
	}
	check("generated data")
	// Sides changing and actors leaving move positions between sides.
	scaleExec(t, pool, `UPDATE actors SET side = 'ukraine' WHERE slug IN ('gen-actor-1', 'gen-actor-2', 'gen-actor-4')`)
	scaleExec(t, pool, `UPDATE actors SET deleted_at = now() WHERE slug = 'gen-actor-3'`)
	scaleExec(t, pool, `UPDATE statements SET attribution = 'anonymous' WHERE id IN (
		SELECT id FROM statements WHERE actor_id = (SELECT id FROM actors WHERE slug = 'gen-actor-6') ORDER BY date DESC, id DESC LIMIT 20)`)
	scaleTies(t, pool, false, 5, scaleDay(2020, 1, 1))
	check("after changing sides and attributions")
}

// shiftsOracle is the window query ListShifts replaced.
const shiftsOracle = `
	WITH h AS (
	    SELECT s.id, a.slug AS actor, d.slug AS demand, p.stance, s.date,
	           lag(p.stance) OVER (PARTITION BY s.actor_id, p.demand_id ORDER BY s.date, s.id) AS prev
	    FROM positions p
	    JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
	    JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
	    WHERE ($1::date IS NULL OR s.date <= $1) AND ($2 = '' OR a.slug = $2) AND ($3 = '' OR d.slug = $3))
	SELECT id, actor, demand, prev, stance FROM h
	WHERE prev IS NOT NULL AND prev <> stance
	ORDER BY date DESC, id DESC, demand LIMIT $4`

func TestShiftsMatchTheWindowQuery(t *testing.T) {
	t.Parallel()
	s, pool := scaleGenerated(t, 2000, 41)
	ctx := context.Background()
	topActor := scaleStrings(t, pool, `WITH c AS (`+livePositionCounts+`)
		SELECT a.slug FROM c JOIN actors a ON a.id = c.actor_id ORDER BY c.n DESC, a.slug LIMIT 1`)[0]
	// The generator shifts stances on some demands only: take those with
	// the most shifts, overall and of the top actor.
	shiftiest := func(actor string) string {
		t.Helper()
		return scaleStrings(t, pool, `SELECT demand FROM (`+strings.Replace(shiftsOracle, "LIMIT $4", "", 1)+`) x
			GROUP BY demand ORDER BY count(*) DESC, demand LIMIT 1`, nil, actor, "")[0]
	}
	someDemand, topActorsDemand := shiftiest(""), shiftiest(topActor)
	type shift struct {
		ID                      int64
		Actor, Demand, From, To string
	}
	check := func(round string) {
		t.Helper()
		for _, q := range []struct {
			asOf          time.Time
			actor, demand string
			limit         int
		}{
			{time.Time{}, "", "", 10},
			{scaleDay(2020, 1, 1), "", "", 25},
			{time.Time{}, topActor, "", 20},
			{time.Time{}, "", someDemand, 20},
			{scaleDay(2025, 6, 30), topActor, topActorsDemand, 50},
			{scaleDay(2018, 1, 1), "", "", 0},
		} {
			name := fmt.Sprintf("ListShifts(as of %s, actor %q, demand %q, limit %d)", scaleDayString(q.asOf), q.actor, q.demand, q.limit)
			shifts, err := s.ListShifts(ctx, q.asOf, q.actor, q.demand, q.limit)
			if err != nil {
				t.Fatalf("%s: %s: %v", round, name, err)
			}
			var got []shift
			for _, x := range shifts {
				got = append(got, shift{x.StatementID, x.ActorSlug, x.DemandSlug, string(x.From), string(x.To)})
			}
			limit := q.limit
			if limit == 0 {
				limit = 1 << 30
			}
			rows, err := pool.Query(ctx, shiftsOracle, scaleDateParam(q.asOf), q.actor, q.demand, limit)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, pgx.RowToStructByPos[shift])
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Errorf("%s: %s: the oracle finds no shifts: the comparison proves nothing", round, name)
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%s: %s differs from the window query (-want +got):\n%s", round, name, diff)
			}
		}
	}
	check("generated data")
	// A shift's predecessor can be deleted, or land on the other side of it.
	scaleExec(t, pool, `UPDATE statements SET deleted_at = now() WHERE id IN (
		SELECT id FROM statements WHERE actor_id = (SELECT id FROM actors WHERE slug = $1) ORDER BY date DESC, id DESC LIMIT 15)`, topActor)
	scaleExec(t, pool, `UPDATE statements SET date = date - 400 WHERE id IN (
		SELECT id FROM statements WHERE actor_id = (SELECT id FROM actors WHERE slug = $1) ORDER BY date DESC, id DESC LIMIT 10)`, topActor)
	scaleExec(t, pool, `UPDATE demands SET deleted_at = now() WHERE slug = 'gen-demand-12'`)
	scaleTies(t, pool, true, 5, scaleDay(2020, 1, 1))
	check("after deleting and moving statements")
}

// regionStatementsOracle is the ids of the live statements of a region,
// newest first, from the base tables.
const regionStatementsOracle = `
	WITH m AS (
	    SELECT sr.statement_id, sr.region_id FROM statement_regions sr
	    UNION
	    SELECT p.statement_id, dr.region_id FROM positions p
	    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
	    JOIN demand_regions dr ON dr.demand_id = d.id)
	SELECT s.id FROM m
	JOIN statements s ON s.id = m.statement_id AND s.deleted_at IS NULL
	JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	JOIN regions r ON r.id = m.region_id AND r.deleted_at IS NULL
	WHERE r.slug = $1
	ORDER BY s.date DESC, s.id DESC`

func TestRegionTimelineFastPathMatchesSearch(t *testing.T) {
	t.Parallel()
	s, pool := scaleGenerated(t, 2500, 51)
	ctx := context.Background()
	regions := scaleStrings(t, pool, `
		WITH m AS (
		    SELECT sr.statement_id, sr.region_id FROM statement_regions sr
		    UNION
		    SELECT p.statement_id, dr.region_id FROM positions p
		    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
		    JOIN demand_regions dr ON dr.demand_id = d.id)
		SELECT r.slug FROM m JOIN statements s ON s.id = m.statement_id AND s.deleted_at IS NULL
		JOIN regions r ON r.id = m.region_id WHERE r.slug LIKE 'gen-region-%'
		GROUP BY r.slug ORDER BY count(*) DESC, r.slug LIMIT 3`)

	check := func(round string) {
		t.Helper()
		scaleCheckDerivedTables(t, s, pool, round)
		for i, region := range regions {
			all := scaleInt64s(t, pool, regionStatementsOracle, region)
			if i == 0 && len(all) <= 100 {
				t.Fatalf("%s: the largest region %s has %d statements; want over 100 so that the page at offset 50 is full", round, region, len(all))
			}
			viaTimeline := scaleInt(t, pool, `SELECT count(DISTINCT statement_id) FROM region_timeline
				WHERE region_id = (SELECT id FROM regions WHERE slug = $1)`, region)
			if viaTimeline != len(all) {
				t.Errorf("%s: %s: region_timeline has %d distinct statements, the joins %d", round, region, viaTimeline, len(all))
			}
			counts, err := s.CountStancesByYear(ctx, parley.StatementFilter{Region: region})
			if err != nil {
				t.Fatal(err)
			}
			newestFirst, err := s.ListStatements(ctx, parley.StatementFilter{Region: region, Limit: 100000})
			if err != nil {
				t.Fatal(err)
			}
			if got := scaleIDs(newestFirst); !slices.Equal(got, all) {
				t.Errorf("%s: ListStatements(region %s) = %d statements, the joins %d (or in another order)", round, region, len(got), len(all))
			}
			oldestFirst := slices.Clone(all)
			slices.Reverse(oldestFirst)
			for _, sort := range []string{"date", "oldest"} {
				for _, off := range []int{0, 50} {
					f := parley.StatementFilter{Region: region, Sort: sort, Offset: off}
					name := fmt.Sprintf("%s: RegionTimeline(region %s, sort %s, offset %d)", round, region, sort, off)
					page, err := s.RegionTimeline(ctx, f)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					order := all
					if sort == "oldest" {
						order = oldestFirst
					}
					wantIDs := order[min(off, len(order)):min(off+50, len(order))]
					if got := scaleIDs(page.Statements); !slices.Equal(got, wantIDs) {
						t.Errorf("%s statements =\n %v\nwant\n %v", name, got, wantIDs)
					}
					search, err := s.SearchStatements(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if got, want := scaleIDs(page.Statements), scaleIDs(search.Statements); !slices.Equal(got, want) {
						t.Errorf("%s statements =\n %v\nSearchStatements gives\n %v", name, got, want)
					}
					if page.Total != len(all) {
						t.Errorf("%s Total = %d, want %d", name, page.Total, len(all))
					}
					if !search.Estimated && search.Total != page.Total {
						t.Errorf("%s Total = %d, SearchStatements' exact Total %d", name, page.Total, search.Total)
					}
					if diff := gocmp.Diff(counts, page.Counts); diff != "" {
						t.Errorf("%s Counts differ from CountStancesByYear (-want +got):\n%s", name, diff)
					}
				}
			}
			// With filters: the timeline's rows filtered, which must agree with
			// CountStancesByYear and SearchStatements.
			nonEmpty := 0
			for _, f := range []parley.StatementFilter{
				{Region: region, Stance: "insists", Offset: 10},
				{Region: region, Demand: "gen-demand-5", Stance: "rejects"},
				{Region: region, Side: "russia", From: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 12, 31, 0, 0, 0, 0, time.UTC), Sort: "oldest"},
				{Region: region, Attribution: "anonymous", AsOf: time.Date(2020, 6, 30, 0, 0, 0, 0, time.UTC)},
			} {
				name := fmt.Sprintf("%s: RegionTimeline(%s)", round, scaleFilter(f))
				page, err := s.RegionTimeline(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				want, err := s.CountStancesByYear(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := gocmp.Diff(want, page.Counts); diff != "" {
					t.Errorf("%s Counts differ from CountStancesByYear (-want +got):\n%s", name, diff)
				}
				all := f
				all.Limit, all.Offset = 100000, 0
				every, err := s.ListStatements(ctx, all)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != len(every) || page.Estimated {
					t.Errorf("%s Total = %d (estimated %v), want %d exactly", name, page.Total, page.Estimated, len(every))
				}
				if len(every) > 0 {
					nonEmpty++
				}
				search, err := s.SearchStatements(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := scaleIDs(page.Statements), scaleIDs(search.Statements); !slices.Equal(got, want) {
					t.Errorf("%s statements = %v, SearchStatements gives %v", name, got, want)
				}
			}
			if nonEmpty < 3 {
				t.Errorf("%s %s: only %d of the filters match anything: the comparison proves little", round, region, nonEmpty)
			}
		}
	}
	check("generated data")
	// Writes leave the ledger with rows to sum: statements change year,
	// leave, are hard-deleted; a demand gains a region.
	first := scaleInt64s(t, pool, regionStatementsOracle, regions[0])
	scaleExec(t, pool, `UPDATE statements SET date = date - 730 WHERE id = ANY ($1)`, first[:20])
	scaleExec(t, pool, `UPDATE statements SET deleted_at = now() WHERE id = ANY ($1)`, first[20:25])
	scaleExec(t, pool, `DELETE FROM statements WHERE id = ANY ($1)`, first[25:30])
	scaleExec(t, pool, `DELETE FROM positions WHERE statement_id = ANY ($1)`, first[30:35])
	scaleExec(t, pool, `INSERT INTO demand_regions (demand_id, region_id)
		SELECT d.id, r.id FROM demands d, regions r WHERE d.slug = 'gen-demand-2' AND r.slug = $1`, regions[1])
	check("after edits")
	scaleExec(t, pool, `SELECT compact_counts()`)
	check("after compacting")
}

// scaleSearchMatch is one statement matching a search, as the oracle sees it.
type scaleSearchMatch struct {
	ID      int64
	Side    string
	Year    int
	Demands []string // slugs of its live demands
}

// scaleSearchMatches returns the statements matching cond (SQL over s and a),
// newest first, from the base tables.
func scaleSearchMatches(t *testing.T, pool *pgxpool.Pool, cond string, args ...any) []scaleSearchMatch {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT s.id, a.side, extract(year FROM s.date)::int,
		       coalesce((SELECT array_agg(d.slug ORDER BY d.slug) FROM positions p
		                 JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
		                 WHERE p.statement_id = s.id), '{}')
		FROM statements s JOIN actors a ON a.id = s.actor_id
		WHERE s.deleted_at IS NULL AND a.deleted_at IS NULL AND (`+cond+`)
		ORDER BY s.date DESC, s.id DESC`, args...)
	if err != nil {
		t.Fatalf("matches of %s: %v", cond, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[scaleSearchMatch])
	if err != nil {
		t.Fatalf("matches of %s: %v", cond, err)
	}
	return out
}

// scaleFacets counts matches by side, demand and year, each facet sorted by
// value; and their export rows.
func scaleFacets(ms []scaleSearchMatch, titles map[string]string) (parley.Facets, int) {
	sides, demands, years := map[string]int{}, map[string]int{}, map[string]int{}
	rows := 0
	for _, m := range ms {
		sides[m.Side]++
		years[fmt.Sprint(m.Year)]++
		for _, d := range m.Demands {
			demands[d]++
		}
		rows += max(1, len(m.Demands))
	}
	list := func(m map[string]int, label func(string) string) []parley.Facet {
		var out []parley.Facet
		for v, n := range m {
			out = append(out, parley.Facet{Value: v, Label: label(v), Count: n})
		}
		slices.SortFunc(out, func(a, b parley.Facet) int { return strings.Compare(a.Value, b.Value) })
		return out
	}
	same := func(v string) string { return v }
	return parley.Facets{
		Sides:   list(sides, same),
		Demands: list(demands, func(v string) string { return titles[v] }),
		Years:   list(years, same),
	}, rows
}

func scaleSortedFacets(f parley.Facets) parley.Facets {
	byValue := func(x []parley.Facet) []parley.Facet {
		x = slices.Clone(x)
		slices.SortFunc(x, func(a, b parley.Facet) int { return strings.Compare(a.Value, b.Value) })
		return x
	}
	return parley.Facets{Sides: byValue(f.Sides), Demands: byValue(f.Demands), Years: byValue(f.Years)}
}

// scaleFilter describes f by its set fields.
func scaleFilter(f parley.StatementFilter) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+": "+v)
		}
	}
	add("Query", f.Query)
	add("Actor", f.Actor)
	add("Side", f.Side)
	add("Demand", f.Demand)
	add("Stance", string(f.Stance))
	add("Region", f.Region)
	if !f.From.IsZero() {
		add("From", f.From.Format("2006-01-02"))
	}
	if !f.To.IsZero() {
		add("To", f.To.Format("2006-01-02"))
	}
	add("Sort", f.Sort)
	if f.Offset != 0 {
		add("Offset", fmt.Sprint(f.Offset))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// scaleDateWindow returns From and To such that exactly n live statements are
// dated within them (the first such window, oldest first), or ok false.
func scaleDateWindow(t *testing.T, pool *pgxpool.Pool, n int) (from, to time.Time, ok bool) {
	t.Helper()
	err := pool.QueryRow(context.Background(), `
		WITH o AS (
		    SELECT s.date, row_number() OVER w AS rn, lag(s.date) OVER w AS prev, lead(s.date) OVER w AS next
		    FROM statements s JOIN actors a ON a.id = s.actor_id
		    WHERE s.deleted_at IS NULL AND a.deleted_at IS NULL
		    WINDOW w AS (ORDER BY s.date, s.id))
		SELECT x.date, y.date FROM o x JOIN o y ON y.rn = x.rn + $1 - 1
		WHERE (x.prev IS NULL OR x.prev <> x.date) AND (y.next IS NULL OR y.next <> y.date)
		ORDER BY x.rn LIMIT 1`, n).Scan(&from, &to)
	if err == pgx.ErrNoRows {
		return from, to, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return from, to, true
}

func TestSearchCountsExactlyUpToTheSampleAndEstimatesBeyond(t *testing.T) {
	t.Parallel()
	s, pool := scaleGenerated(t, 2500, 61)
	ctx := context.Background()
	titles := map[string]string{}
	rows, err := pool.Query(ctx, `SELECT slug, title FROM demands`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var slug, title string
		if err := rows.Scan(&slug, &title); err != nil {
			t.Fatal(err)
		}
		titles[slug] = title
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	topActor := scaleStrings(t, pool, `SELECT a.slug FROM statements s JOIN actors a ON a.id = s.actor_id
		GROUP BY a.slug ORDER BY count(*) DESC, a.slug LIMIT 1`)[0]

	// Statements without live positions count one export row.
	scaleExec(t, pool, `DELETE FROM positions WHERE statement_id IN (
		SELECT s.id FROM statements s JOIN actors a ON a.id = s.actor_id WHERE a.slug = $1
		ORDER BY s.date DESC, s.id DESC LIMIT 10)`, topActor)
	scaleExec(t, pool, `UPDATE demands SET deleted_at = now() WHERE slug = 'gen-demand-1'`)
	scaleExec(t, pool, `ANALYZE statements, positions`)
	type search struct {
		f    parley.StatementFilter
		cond string // the same in SQL over s and a
		args []any
	}
	searches := []search{
		{f: parley.StatementFilter{}, cond: "true"},
		{f: parley.StatementFilter{Query: "ukraine"}, cond: "s.search @@ websearch_to_tsquery('english', $1)", args: []any{"ukraine"}},
		{f: parley.StatementFilter{Query: "abandoned"}, cond: "s.search @@ websearch_to_tsquery('english', $1)", args: []any{"abandoned"}},
		{f: parley.StatementFilter{Actor: topActor}, cond: "a.slug = $1", args: []any{topActor}},
		{f: parley.StatementFilter{Side: "ukraine", Demand: "gen-demand-9"}, cond: `a.side = 'ukraine' AND EXISTS (SELECT 1 FROM positions p
			JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL WHERE p.statement_id = s.id AND d.slug = 'gen-demand-9')`},
	}
	// Windows of exactly SearchSample and SearchSample+1 matches: the
	// boundary between exact and estimated.
	for _, n := range []int{parley.SearchSample, parley.SearchSample + 1} {
		from, to, ok := scaleDateWindow(t, pool, n)
		if !ok {
			t.Fatalf("no date window holds exactly %d statements", n)
		}
		searches = append(searches, search{f: parley.StatementFilter{From: from, To: to},
			cond: "s.date BETWEEN $1::date AND $2::date", args: []any{from, to}})
	}

	var broad, narrow int
	for _, q := range searches {
		name := "SearchStatements(" + scaleFilter(q.f) + ")"
		page, err := s.SearchStatements(ctx, q.f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		all := scaleSearchMatches(t, pool, q.cond, q.args...)
		if len(all) == 0 {
			t.Fatalf("%s: no matches: the comparison proves nothing", name)
		}
		wantIDs := make([]int64, 0, 50)
		for _, m := range all[:min(50, len(all))] {
			wantIDs = append(wantIDs, m.ID)
		}
		if got := scaleIDs(page.Statements); !slices.Equal(got, wantIDs) {
			t.Errorf("%s: first page = %v, want %v", name, got, wantIDs)
		}
		_, allRows := scaleFacets(all, titles)
		if len(all) > parley.SearchSample {
			broad++
			if !page.Estimated {
				t.Errorf("%s: %d matches, more than SearchSample %d, but Estimated is false (Total %d)", name, len(all), parley.SearchSample, page.Total)
			}
			if page.Total <= parley.SearchSample || page.Total > 2*len(all) || 2*page.Total < len(all) {
				t.Errorf("%s: estimated Total = %d, want over %d and within a factor of 2 of the real %d", name, page.Total, parley.SearchSample, len(all))
			}
			if page.Rows > 2*allRows || 2*page.Rows < allRows {
				t.Errorf("%s: estimated Rows = %d, want within a factor of 2 of the real %d", name, page.Rows, allRows)
			}
			want, _ := scaleFacets(all[:parley.SearchSample], titles)
			got := scaleSortedFacets(page.Facets)
			sum := 0
			for _, f := range got.Sides {
				sum += f.Count
			}
			if sum != parley.SearchSample {
				t.Errorf("%s: side facets sum to %d, want the sample, %d", name, sum, parley.SearchSample)
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%s: facets differ from those of the newest %d matches (-want +got):\n%s", name, parley.SearchSample, diff)
			}
		} else {
			narrow++
			want, _ := scaleFacets(all, titles)
			if page.Estimated || page.Total != len(all) || page.Rows != allRows {
				t.Errorf("%s: Total %d, Rows %d, Estimated %v; want exactly %d, %d, false", name, page.Total, page.Rows, page.Estimated, len(all), allRows)
			}
			if diff := gocmp.Diff(want, scaleSortedFacets(page.Facets)); diff != "" {
				t.Errorf("%s: facets differ from those of all %d matches (-want +got):\n%s", name, len(all), diff)
			}
		}
	}
	if broad < 3 || narrow < 4 {
		t.Errorf("%d broad and %d narrow searches; the data should give 3 and 4", broad, narrow)
	}
}

// TestCurrentPositionsStayRightUnderConcurrentWriters has editors save,
// redate and delete statements of one actor on the same demands at once:
// each writer computes the pair's newest stance, and without the pair lock
// one computed from a snapshot missing the other's row would win.
func TestCurrentPositionsStayRightUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := store.New(pool)
	ctx := context.Background()
	scaleExec(t, pool, `INSERT INTO actors (slug, name, kind, side) VALUES ('putin', 'Putin', 'person', 'russia')`)
	scaleExec(t, pool, `INSERT INTO demands (slug, title, side, category) VALUES
		('neutrality', 'Neutrality', 'russia', 'security'), ('sanctions', 'Sanctions', 'russia', 'sanctions-economy')`)
	stances := parley.Stances
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				in := parley.StatementInput{Actor: "putin", Summary: fmt.Sprintf("Writer %d statement %d", w, i),
					Attribution: "on_record", Date: parley.Date{Time: scaleDay(2020+(w*7+i*3)%6, 1+(i*5+w)%12, 1+(w+i)%28), Precision: "day"},
					Positions: []parley.PositionInput{{Demand: "neutrality", Stance: stances[(w+i)%5]}, {Demand: "sanctions", Stance: stances[(w*3+i)%5]}}}
				st, err := s.CreateStatement(ctx, parley.Editor{}, in)
				if err != nil {
					errs <- fmt.Errorf("writer %d create %d: %w", w, i, err)
					return
				}
				if i%4 == 3 {
					if err := s.DeleteStatement(ctx, parley.Editor{}, st.ID); err != nil {
						errs <- fmt.Errorf("writer %d delete %d: %w", w, i, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	scaleCheckDerivedTables(t, s, pool, "after 8 concurrent writers")
	if n := scaleInt(t, pool, `SELECT count(*) FROM current_positions`); n != 2 {
		t.Errorf("current_positions has %d rows, want 2 (one actor, two demands)", n)
	}
}

// TestCurrentPositionsWaitForAConcurrentWriterOfThePair interleaves two
// transactions on one (actor, demand) deterministically: A saves a newer
// stance and holds its transaction open; B saves an older one and must wait
// for A, then recompute seeing A's row. Computed from B's first snapshot,
// the pair would end on B's older stance.
func TestCurrentPositionsWaitForAConcurrentWriterOfThePair(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := store.New(pool)
	ctx := context.Background()
	scaleExec(t, pool, `INSERT INTO actors (slug, name, kind, side) VALUES ('putin', 'Putin', 'person', 'russia')`)
	scaleExec(t, pool, `INSERT INTO demands (slug, title, side, category) VALUES ('neutrality', 'Neutrality', 'russia', 'security')`)
	save := func(tx pgx.Tx, date, stance string) error {
		_, err := tx.Exec(ctx, `
			WITH st AS (
			    INSERT INTO statements (actor_id, date, date_precision, summary, attribution)
			    SELECT id, $1::date, 'day', 'Said on ' || $1, 'on_record' FROM actors WHERE slug = 'putin'
			    RETURNING id)
			INSERT INTO positions (statement_id, demand_id, stance)
			SELECT st.id, d.id, $2 FROM st, demands d WHERE d.slug = 'neutrality'`, date, stance)
		return err
	}
	// The pair exists, committed, before either writer starts.
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return save(tx, "2020-01-01", "open") }); err != nil {
		t.Fatalf("first statement: %v", err)
	}
	a, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Rollback(ctx)
	if err := save(a, "2025-06-01", "insists"); err != nil {
		t.Fatalf("A: %v", err)
	}
	// The derived tables are rebuilt at commit (a deferred trigger); run
	// A's rebuild now, so A holds the pair while B comes.
	if _, err := a.Exec(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
		t.Fatalf("A: %v", err)
	}
	connB, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer connB.Release()
	var pidB int
	if err := connB.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pidB); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- pgx.BeginFunc(ctx, connB, func(b pgx.Tx) error { return save(b, "2024-01-01", "rejects") })
	}()
	// B is waiting for A's lock on the pair.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting bool
		if err := pool.QueryRow(ctx, `SELECT coalesce(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = $1`, pidB).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("B never waited for A's lock on the pair: the writers of one pair are not serialized")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatalf("A commit: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("B: %v", err)
	}
	var stance, date string
	if err := pool.QueryRow(ctx, `SELECT stance, date::text FROM current_positions`).Scan(&stance, &date); err != nil {
		t.Fatal(err)
	}
	if stance != "insists" || date != "2025-06-01" {
		t.Errorf("current position = %s on %s, want A's newer insists on 2025-06-01", stance, date)
	}
	scaleCheckDerivedTables(t, s, pool, "after two interleaved writers of one pair")
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
