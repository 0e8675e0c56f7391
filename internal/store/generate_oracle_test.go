package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/store"
	"parley/internal/testdb"
)

// The oracles of this file compute every column of every derived table
// (region_timeline, stance_log, current_positions, and the count ledgers'
// folded sums) from scratch over the base tables, written apart from the
// functions of migration 00008 that maintain them.

// oracleRegionTimeline is region_timeline from scratch: one row per live
// region of a live statement (the regions it mentions and those of its live
// demands) and live position, or one with an empty demand and stance for a
// statement without live positions.
const oracleRegionTimeline = `
	WITH m AS (
	    SELECT sr.statement_id, sr.region_id FROM statement_regions sr
	    UNION
	    SELECT p.statement_id, dr.region_id FROM positions p
	    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
	    JOIN demand_regions dr ON dr.demand_id = d.id),
	lp AS (
	    SELECT p.statement_id, p.demand_id, d.slug, p.stance FROM positions p
	    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL)
	SELECT m.region_id, s.date, s.id AS statement_id, coalesce(lp.slug, '') AS demand, s.date_precision,
	       a.name AS actor, a.slug AS actor_slug, a.side AS actor_side, coalesce(lp.stance, '') AS stance,
	       s.quote, s.summary,
	       ARRAY(SELECT r2.slug::text FROM statement_regions sr2
	             JOIN regions r2 ON r2.id = sr2.region_id AND r2.deleted_at IS NULL
	             WHERE sr2.statement_id = s.id ORDER BY 1) AS regions,
	       s.occasion, s.attribution,
	       CASE WHEN src.id IS NULL THEN '' ELSE src.outlet END AS source_outlet,
	       CASE WHEN src.id IS NULL THEN '' ELSE src.title END AS source_title,
	       CASE WHEN src.id IS NULL THEN '' ELSE src.url END AS source_url,
	       src.published AS source_published,
	       CASE WHEN src.id IS NULL THEN 'day' ELSE src.published_precision END AS source_precision,
	       (SELECT count(*)::int FROM reports rp WHERE rp.statement_id = s.id) AS report_count,
	       coalesce((SELECT string_agg(pc.side || ':' || cd.slug || ':' || pc.stance, ';' ORDER BY pc.side, cd.slug)
	                 FROM position_conditions pc JOIN demands cd ON cd.id = pc.cond_demand_id
	                 WHERE pc.statement_id = s.id AND pc.demand_id = lp.demand_id), '') AS conditions
	FROM m
	JOIN statements s ON s.id = m.statement_id AND s.deleted_at IS NULL
	JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	JOIN regions r ON r.id = m.region_id AND r.deleted_at IS NULL
	LEFT JOIN sources src ON src.id = s.source_id AND src.deleted_at IS NULL
	LEFT JOIN lp ON lp.statement_id = s.id`

// oracleStanceLog is stance_log from scratch: every live position (live
// statement, actor and demand).
const oracleStanceLog = `
	SELECT s.id AS statement_id, p.demand_id, s.actor_id, a.side, s.attribution <> 'anonymous' AS named,
	       s.date, s.date_precision, p.stance, s.attribution
	FROM positions p
	JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
	JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
	JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL`

// oracleCurrentPositions is current_positions from scratch: each actor's
// newest live position on each demand, the larger statement id winning a
// tie of dates, and whether it holds on conditions.
const oracleCurrentPositions = `
	SELECT x.actor_id, x.demand_id, x.statement_id, x.date, x.date_precision, x.stance, x.attribution,
	       EXISTS (SELECT 1 FROM position_conditions pc WHERE pc.statement_id = x.statement_id AND pc.demand_id = x.demand_id)
	FROM (` + oracleStanceLog + `) x
	WHERE NOT EXISTS (
	    SELECT 1 FROM (` + oracleStanceLog + `) y
	    WHERE y.actor_id = x.actor_id AND y.demand_id = x.demand_id
	      AND (y.date, y.statement_id) > (x.date, x.statement_id))`

// oracleActorCounts is the live positions per actor.
const oracleActorCounts = `
	SELECT actor_id, count(*) AS positions FROM (` + oracleStanceLog + `) x GROUP BY 1`

// oracleRegionCounts is, per region, year and stance, the timeline rows
// and the statements, each statement counted once per region, on its row
// of the smallest demand.
const oracleRegionCounts = `
	WITH t AS (` + oracleRegionTimeline + `),
	firsts AS (
	    SELECT DISTINCT ON (region_id, statement_id) region_id, statement_id, demand FROM t
	    ORDER BY region_id, statement_id, demand)
	SELECT t.region_id, extract(year FROM t.date)::int AS year, t.stance, count(*) AS rows,
	       count(f.statement_id) AS statements
	FROM t LEFT JOIN firsts f
	  ON f.region_id = t.region_id AND f.statement_id = t.statement_id AND f.demand = t.demand
	GROUP BY 1, 2, 3`

// derivedTables pairs each derived table, every column (the ledgers' sums
// folded per key), with its oracle.
var derivedTables = []struct{ name, got, want string }{
	{"region_timeline", `
		SELECT region_id, date, statement_id, demand, date_precision, actor, actor_slug, actor_side, stance,
		       quote, summary, regions, occasion, attribution, source_outlet, source_title, source_url,
		       source_published, source_precision, report_count, conditions
		FROM region_timeline`, oracleRegionTimeline},
	{"stance_log", `
		SELECT statement_id, demand_id, actor_id, side, named, date, date_precision, stance, attribution
		FROM stance_log`, oracleStanceLog},
	{"current_positions", `
		SELECT actor_id, demand_id, statement_id, date, date_precision, stance, attribution, conditional
		FROM current_positions`, oracleCurrentPositions},
	{"actor_counts", `
		SELECT actor_id, sum(positions)::bigint FROM actor_counts GROUP BY 1 HAVING sum(positions) <> 0`,
		oracleActorCounts},
	{"region_counts", `
		SELECT region_id, year, stance, sum(rows)::bigint, sum(statements)::bigint FROM region_counts
		GROUP BY 1, 2, 3 HAVING sum(rows) <> 0 OR sum(statements) <> 0`, oracleRegionCounts},
}

// checkDerivedTables fails t for every derived table whose rows differ
// from its oracle's, showing a few of the rows only one of them has, or
// whose oracle has no rows at all (the comparison would prove nothing).
func checkDerivedTables(t *testing.T, pool *pgxpool.Pool, when string) {
	t.Helper()
	ctx := context.Background()
	for _, d := range derivedTables {
		var wantRows, onlyGotN, onlyWantN int
		var onlyGot, onlyWant []string
		err := pool.QueryRow(ctx, `
			WITH g AS (`+d.got+`), w AS (`+d.want+`),
			og AS (SELECT * FROM g EXCEPT ALL SELECT * FROM w),
			ow AS (SELECT * FROM w EXCEPT ALL SELECT * FROM g)
			SELECT (SELECT count(*) FROM w), (SELECT count(*) FROM og), (SELECT count(*) FROM ow),
			       ARRAY(SELECT og::text FROM og ORDER BY 1 LIMIT 5), ARRAY(SELECT ow::text FROM ow ORDER BY 1 LIMIT 5)`,
		).Scan(&wantRows, &onlyGotN, &onlyWantN, &onlyGot, &onlyWant)
		if err != nil {
			t.Fatalf("%s: compare %s with its oracle: %v", when, d.name, err)
		}
		if wantRows == 0 {
			t.Errorf("%s: the oracle of %s has no rows", when, d.name)
		}
		if onlyGotN != 0 || onlyWantN != 0 {
			t.Errorf("%s: %s differs from its oracle (%d rows): %d rows only in the table, e.g. %q; %d only in the oracle, e.g. %q",
				when, d.name, wantRows, onlyGotN, onlyGot, onlyWantN, onlyWant)
		}
	}
}

// derivedExec runs sql on pool (one implicit transaction, so the deferred
// trigger rebuilds the derived rows at its end) or fails t.
func derivedExec(t *testing.T, pool *pgxpool.Pool, sql string) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// derivedEdgeCases are records that gen does not make: deleted ones, a
// statement without positions, one reaching a region only through its
// demand, a deleted source, same-day statements of one actor on a demand.
const derivedEdgeCases = `
	INSERT INTO regions (slug, name, country, kind) VALUES
	    ('oracle-live', 'Live', 'Oracleland', 'oblast'), ('oracle-gone', 'Gone', 'Oracleland', 'city');
	UPDATE regions SET deleted_at = now() WHERE slug = 'oracle-gone';
	INSERT INTO actors (slug, name, kind, side) VALUES
	    ('oracle-actor', 'Oracle Actor', 'person', 'russia'), ('oracle-gone', 'Gone Actor', 'person', 'ukraine');
	UPDATE actors SET deleted_at = now() WHERE slug = 'oracle-gone';
	INSERT INTO demands (slug, title, side, category) VALUES
	    ('oracle-land', 'Land', 'russia', 'territory'), ('oracle-gone', 'Gone', 'ukraine', 'process');
	UPDATE demands SET deleted_at = now() WHERE slug = 'oracle-gone';
	INSERT INTO demand_regions (demand_id, region_id)
	SELECT d.id, r.id FROM demands d, regions r WHERE d.slug = 'oracle-land' AND r.slug = 'oracle-live';
	INSERT INTO sources (outlet, title, url, published, published_precision) VALUES
	    ('Oracle Times', 'Live source', 'https://example.org/a', '2020-03-01', 'month'),
	    ('Oracle Post', 'Gone source', '', '2021-01-01', 'year');
	UPDATE sources SET deleted_at = now() WHERE outlet = 'Oracle Post';
	INSERT INTO statements (actor_id, date, date_precision, quote, summary, occasion, attribution, source_id)
	SELECT a.id, v.date::date, v.precision, v.quote, v.summary, 'Oracle', v.attribution, src.id
	FROM (VALUES
	    ('oracle-actor', '2020-03-04', 'day', 'no positions', 'Without positions.', 'on_record', 'Oracle Times'),
	    ('oracle-actor', '2020-03-01', 'month', 'through its demand', 'Through a demand.', 'spokesperson', 'Oracle Post'),
	    ('oracle-actor', '2020-03-01', 'day', 'same day', 'Same day as another.', 'anonymous', NULL),
	    ('oracle-gone', '2020-05-05', 'day', 'deleted actor', 'By a deleted actor.', 'reported', NULL),
	    ('oracle-actor', '2020-06-06', 'day', 'deleted statement', 'Deleted.', 'on_record', NULL)
	) v(actor, date, precision, quote, summary, attribution, outlet)
	JOIN actors a ON a.slug = v.actor LEFT JOIN sources src ON src.outlet = v.outlet
	ORDER BY v.summary;
	INSERT INTO statement_regions (statement_id, region_id)
	SELECT s.id, r.id FROM statements s, regions r
	WHERE s.occasion = 'Oracle' AND (r.slug = 'oracle-gone' OR (r.slug = 'oracle-live' AND s.quote = 'no positions'));
	INSERT INTO positions (statement_id, demand_id, stance)
	SELECT s.id, d.id, CASE WHEN d.slug = 'oracle-land' THEN 'supports' ELSE 'rejects' END
	FROM statements s, demands d WHERE s.occasion = 'Oracle' AND s.quote <> 'no positions';
	UPDATE statements SET deleted_at = now() WHERE quote = 'deleted statement'`

// derivedEdits change base tables after gen, each through the triggers.
var derivedEdits = []string{
	`UPDATE actors SET name = 'Renamed Actor', side = 'europe'
	 WHERE id = (SELECT actor_id FROM statements WHERE occasion = 'Generated' ORDER BY id LIMIT 1)`,
	`UPDATE regions SET deleted_at = now() WHERE slug = 'gen-region-2'`,
	`UPDATE regions SET slug = 'gen-region-renamed' WHERE slug = 'gen-region-3'`,
	`UPDATE demands SET deleted_at = now() WHERE slug = 'gen-demand-5'`,
	`DELETE FROM demand_regions WHERE demand_id = (SELECT min(demand_id) FROM demand_regions)`,
	`UPDATE sources SET outlet = 'Renamed Outlet', url = 'https://example.org/b'
	 WHERE id = (SELECT source_id FROM statements WHERE occasion = 'Generated' ORDER BY id LIMIT 1 OFFSET 1)`,
	`DELETE FROM positions WHERE statement_id IN (SELECT id FROM statements WHERE occasion = 'Generated' ORDER BY id LIMIT 3)`,
	`UPDATE statements SET deleted_at = now() WHERE id IN (SELECT id FROM statements WHERE occasion = 'Generated' ORDER BY id DESC LIMIT 2)`,
	`DELETE FROM statements WHERE id = (SELECT id FROM statements WHERE occasion = 'Generated' ORDER BY id LIMIT 1 OFFSET 10)`,
	`UPDATE statements SET date = '2025-01-01', attribution = 'anonymous'
	 WHERE id IN (SELECT id FROM statements WHERE occasion = 'Generated' ORDER BY id LIMIT 5 OFFSET 20)`,
	// (v2) the timeline's report counts and conditions follow their tables
	`INSERT INTO reports (statement_id, source_id)
	 SELECT s.id, (SELECT max(id) FROM sources) FROM statements s WHERE s.occasion = 'Generated' AND s.deleted_at IS NULL
	 ORDER BY s.id LIMIT 4 OFFSET 30 ON CONFLICT DO NOTHING`,
	`DELETE FROM reports WHERE statement_id = (SELECT min(statement_id) FROM reports r JOIN statements s ON s.id = r.statement_id
	 WHERE s.deleted_at IS NULL AND s.occasion = 'Generated' AND r.source_id <> s.source_id)`,
	`INSERT INTO position_conditions (statement_id, demand_id, side, cond_demand_id, stance)
	 SELECT p.statement_id, p.demand_id, 'ukraine', (SELECT min(id) FROM demands WHERE id <> p.demand_id AND deleted_at IS NULL), 'supports'
	 FROM positions p JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
	 ORDER BY p.statement_id DESC LIMIT 3 ON CONFLICT DO NOTHING`,
	`DELETE FROM position_conditions WHERE statement_id = (SELECT min(statement_id) FROM position_conditions)`,
}

// TestDerivedTablesAfterGenerateMatchTheOracle: gen fills the derived
// tables by the functions the triggers call, over every statement at once
// (over records written before it too); every column of every row then
// equals the from-scratch oracle, and still does after edits through the
// triggers.
func TestDerivedTablesAfterGenerateMatchTheOracle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	derivedExec(t, pool, derivedEdgeCases)
	checkDerivedTables(t, pool, "before gen")

	if _, err := store.New(pool).Generate(ctx, 2000, 5); err != nil {
		t.Fatalf("Generate(2000, 5): %v", err)
	}
	checkDerivedTables(t, pool, "after gen")
	// gen leaves each ledger key in one row.
	var ledgerDuplicates int
	err := pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM (SELECT 1 FROM actor_counts GROUP BY actor_id HAVING count(*) > 1) a) +
		(SELECT count(*) FROM (SELECT 1 FROM region_counts GROUP BY region_id, year, stance HAVING count(*) > 1) r)`,
	).Scan(&ledgerDuplicates)
	if err != nil {
		t.Fatal(err)
	}
	if ledgerDuplicates != 0 {
		t.Errorf("after gen: %d ledger keys have several rows, want one each", ledgerDuplicates)
	}

	for _, sql := range derivedEdits {
		derivedExec(t, pool, sql)
	}
	checkDerivedTables(t, pool, "after edits")
}
