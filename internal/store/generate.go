package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// GenerateResult counts what Generate added.
type GenerateResult struct {
	Statements, Positions, Regions int64
	Reports, Conditions            int64
	Steps                          []GenerateStep
}

// GenerateStep is how long one step of Generate took.
type GenerateStep struct {
	What string
	Took time.Duration
}

// genWords is the vocabulary of synthetic quotes: the 400 most frequent
// words of the seed articles, most frequent first. Quotes draw from it with
// a Zipf-like skew, so a few words match a large share of the statements
// (the 20th or so about a fifth) and most are rare, as in real text.
const genWords = "ukraine russia putin russian talks peace president regions ceasefire moscow territories " +
	"ukrainian kremlin conflict negotiations crimea western agreement military trump four " +
	"sanctions zelensky sources kyiv stated part territory forces occupied support officials " +
	"source territorial international month foreign five statement return diplomatic vladimir " +
	"troops donetsk luhansk kherson zaporizhzhia february peskov demands statements current " +
	"precision kursk region countries washington last security ministry frozen news swiss " +
	"give friday anonymous leader concessions response volodymyr zelenskyy exchange future " +
	"membership potential offer swap join withdrawal along line reported control three " +
	"regarding might week annexed address west nations administration istanbul areas assets " +
	"discuss within decision ready china conference articles dates abandon citing reuters " +
	"oblasts betrayed donbas situation ground kiev recognition proposed status front " +
	"following referendums ongoing former square years terms post long declared seized dmitry " +
	"june cease country treaty participation attack rejected accept full rejection personnel " +
	"discussions meeting alexander readiness based facts open condition stance deep actor " +
	"summit agreed invasion freezing report april draft familiar spokesman refusal dmitri " +
	"peskow described willingness tensions ruled presence strong efforts operation nuclear " +
	"lifting start freeze people republic recognize annexation august governor alexei smirnov " +
	"settlements general staff liberated continues american negotiables accepted concerns " +
	"allow spokesperson sevastopol written given mentioned hostilities immediately partially " +
	"plans emphasized surrender sovereign recently emphasizing guarantees small attacks " +
	"possibility north atlantic organization beginning critical guarantee secretary hegseth " +
	"realistic outcome tragic consequences weapons itself battle peacekeeping european " +
	"consider zakharova warning france sending soil utilized issues compounds obama held " +
	"significantly missions restrictions claimed second first sensitive need state sides " +
	"announced easing expresses amidst potentially lukashenko allies german agency again " +
	"consistently frustration negotiating lines backed high ranking fight insists complex " +
	"ahead remains november year decree impossible invited switzerland work towards " +
	"resolution amherd lavrov arms evolving strategic highlights community dataset demand " +
	"seed data relatively established events never outlet bloomberg speech hosted profits " +
	"halt trading wednesday stanovaya late remarks remark march several opinion recorded side " +
	"eastern fire demanded saying group neutral deal billion agree continue already donald " +
	"details holds kilometres permanent event criticizes lack acknowledge actual assertion " +
	"prepared sign lead repeatedly loss allowed means partial card promised reason " +
	"introduction special conditions establishment aligned free linked daily victories " +
	"options respectively results considered soldiers marched fighting taken estimated size " +
	"kilometers percent originally insist shed light fundamentally supported idea raised " +
	"practicality especially verification newspaper tactic engage prolonged without outright " +
	"rejecting despite controls approximately fifth aims maintain expand hold relinquish " +
	"constitution fact notwithstanding illegally indicated handed southeastern abandoned"

// Generate adds n synthetic statements of realistic shape for benchmarks:
// 2,000 actors (a few very active, most rare), 40 demands (the territorial
// ones tied to a region), 30 regions, 50,000 sources, dates 2014-2026, 1-3
// positions and 1-2 regions per statement, ~200-character quotes. Actors
// mostly hold their stance on a demand and now and then shift. The same
// seed gives the same data. Synthetic records have slugs starting "gen-".
//
// It is set-based SQL in one transaction. With the triggers off and the
// indexes dropped, it writes the base tables (computing the search vector
// itself) and then fills the derived tables (region_timeline, stance_log,
// current_positions, the count ledgers) by calling, for every statement,
// the SQL functions the triggers call; then it rebuilds the indexes and
// vacuums.
func (s *Store) Generate(ctx context.Context, n int, seed int64) (GenerateResult, error) {
	var res GenerateResult
	err := s.transact(ctx, func(tx pgx.Tx) error {
		steps := []genStep{
			// One process, no parallel workers: random() then runs in one
			// deterministic sequence from setseed.
			{what: "settings", sql: `SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '256MB';
				SET LOCAL maintenance_work_mem = '512MB'`},
			{what: "seed", sql: `SELECT setseed($1)`, args: []any{float64(seed%1000) / 1000}},
			{what: "regions", sql: `INSERT INTO regions (slug, name, country, kind)
				SELECT 'gen-region-' || i, 'Synthetic region ' || i, 'Genland', 'oblast'
				FROM generate_series(1, 30) i ON CONFLICT (slug) DO NOTHING`},
			{what: "sides", sql: `INSERT INTO sides (slug, name, role) VALUES
				('russia', 'Russia', 'party'), ('ukraine', 'Ukraine', 'party'), ('united-states', 'United States', 'stakeholder'),
				('europe', 'Europe', 'stakeholder'), ('nato', 'NATO', 'stakeholder'), ('china', 'China', 'stakeholder')
				ON CONFLICT (slug) DO NOTHING`},
			{what: "actors", sql: `INSERT INTO actors (slug, name, aliases, kind, side, role)
				SELECT 'gen-actor-' || i, 'Synthetic Actor ' || i, ARRAY['Gen Actor ' || i],
				       (ARRAY['person','government','ministry','military','alliance','organization','analyst','anonymous'])[1 + i % 8],
				       (ARRAY['russia','ukraine','united-states','europe','nato','china'])[1 + i % 6], 'Synthetic role'
				FROM generate_series(1, 2000) i ON CONFLICT (slug) DO NOTHING`},
			{what: "demands", sql: `INSERT INTO demands (slug, title, description, side, category)
				SELECT 'gen-demand-' || i, 'Synthetic demand ' || i, 'Generated for benchmarks.',
				       (ARRAY['russia','ukraine','united-states','europe'])[1 + i % 4],
				       (ARRAY['territory','security','sanctions-economy','political','process'])[1 + i % 5]
				FROM generate_series(1, 40) i ON CONFLICT (slug) DO NOTHING`},
			// Three pairs of converse demands (a stance on one reads,
			// mirrored, on the other).
			{what: "converses", sql: `UPDATE demands d SET converse_id = o.id FROM demands o
				WHERE d.converse_id IS NULL AND o.converse_id IS NULL
				  AND (d.slug, o.slug) IN (('gen-demand-1', 'gen-demand-2'), ('gen-demand-2', 'gen-demand-1'),
				      ('gen-demand-11', 'gen-demand-12'), ('gen-demand-12', 'gen-demand-11'),
				      ('gen-demand-21', 'gen-demand-22'), ('gen-demand-22', 'gen-demand-21'))`},
			// Each territorial demand concerns one region.
			{what: "demand regions", sql: `INSERT INTO demand_regions (demand_id, region_id)
				SELECT d.id, r.id FROM demands d JOIN regions r
				  ON r.slug = 'gen-region-' || (1 + (substr(d.slug, 12)::int * 7) % 30)
				WHERE d.slug LIKE 'gen-demand-%' AND d.category = 'territory' ON CONFLICT DO NOTHING`},
			{what: "sources", sql: `INSERT INTO sources (outlet, title, published, via)
				SELECT 'Synthetic Outlet ' || (1 + i % 200), 'Synthetic report ' || i,
				       date '2014-01-01' + (i * 7919) % 4700, ''
				FROM generate_series(1, 50000) i`},
			// The derived column and tables are filled set-based below,
			// not by triggers row by row. (dropForBulk has dropped the
			// indexes and foreign keys; later steps rebuild them.)
			{what: "triggers off", sql: `ALTER TABLE statements DISABLE TRIGGER USER;
				ALTER TABLE positions DISABLE TRIGGER USER;
				ALTER TABLE statement_regions DISABLE TRIGGER USER;
				ALTER TABLE reports DISABLE TRIGGER USER;
				ALTER TABLE position_conditions DISABLE TRIGGER USER`},
			{what: "statements", args: []any{n, genWords}, sql: `
				WITH words AS (SELECT string_to_array($2, ' ') AS w),
				ids AS (
				    SELECT a.ids AS actors, a.vectors,
				           (SELECT array_agg(id ORDER BY id) FROM sources WHERE title LIKE 'Synthetic report %') AS sources,
				           setweight(to_tsvector('english', 'Generated'), 'C') AS occasion
				    FROM (SELECT array_agg(id ORDER BY id) AS ids,
				                 -- each actor's part of the search vector, once
				                 array_agg(setweight(to_tsvector('english', name || ' ' || array_to_string(aliases, ' ')), 'A') ORDER BY id) AS vectors
				          FROM actors WHERE slug LIKE 'gen-actor-%') a
				)
				INSERT INTO statements (actor_id, date, date_precision, quote, summary, occasion, attribution, source_id, search)
				SELECT ids.actors[x.a], x.date, 'day', x.quote, x.summary, 'Generated', x.attribution, x.source_id,
				       -- what the statements_search trigger computes, without a look-up per row
				       ids.vectors[x.a]
				       || setweight(to_tsvector('english', x.quote), 'B')
				       || setweight(to_tsvector('english', x.summary), 'B')
				       || ids.occasion
				FROM (
				    SELECT g, 1 + floor(2000 * random() ^ 3)::int AS a,
				           date '2014-01-01' + floor(random() * 4700)::int AS date,
				           -- Zipf-like: word r is drawn with probability ~ 1/r. k (inner)
				           -- in the argument keeps string_agg at the inner level.
				           (SELECT string_agg(words.w[floor(exp(random() * ln(401)))::int + 0 * k], ' ')
				              FROM generate_series(1, 26 + g % 3) AS k) AS quote,
				           'Synthetic statement ' || g || ' on ' || words.w[1 + g % 20] || ' and ' || words.w[1 + g % 37] || '.' AS summary,
				           (ARRAY['on_record','spokesperson','anonymous','reported'])[1 + g % 4] AS attribution,
				           ids.sources[1 + floor(50000 * random())::int] AS source_id
				    FROM generate_series(1, $1::int) g, words, ids
				    OFFSET 0 -- evaluated first, in order, so the same seed gives the same rows
				) x, ids -- rows stay in the order of g, so ids follow it`, n: &res.Statements},
			// 1-3 reports per statement: its source, and up to two more
			// outlets reporting it; the earliest published is then its
			// primary source.
			{what: "reports", n: &res.Reports, sql: `
				WITH src AS (SELECT array_agg(id ORDER BY id) AS ids FROM sources WHERE title LIKE 'Synthetic report %'),
				     s AS (SELECT id, source_id FROM statements WHERE occasion = 'Generated' AND source_id IS NOT NULL
				           AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.statement_id = statements.id))
				INSERT INTO reports (statement_id, source_id)
				SELECT s.id, CASE WHEN k = 0 THEN s.source_id ELSE src.ids[1 + (s.id * 31 + k * 7919) % 50000] END
				FROM s, src, generate_series(0, (s.id % 3)::int) k
				ON CONFLICT DO NOTHING`},
			{what: "primary sources", sql: `
				UPDATE statements s SET source_id = e.source_id
				FROM (SELECT DISTINCT ON (r.statement_id) r.statement_id, r.source_id
				      FROM reports r JOIN sources src ON src.id = r.source_id
				      WHERE r.statement_id IN (SELECT id FROM statements WHERE occasion = 'Generated' AND id % 3 <> 0)
				      ORDER BY r.statement_id, src.published NULLS LAST, src.id) e
				WHERE e.statement_id = s.id AND s.source_id IS DISTINCT FROM e.source_id`},
			// Positions on 1-3 distinct demands. An actor holds a stance on
			// a demand (a function of the pair) nine times in ten.
			{what: "positions", n: &res.Positions, sql: `
				WITH d AS (SELECT array_agg(id ORDER BY id) AS ids FROM demands WHERE slug LIKE 'gen-demand-%'),
				     s AS (SELECT id, actor_id FROM statements WHERE occasion = 'Generated'
				           AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.statement_id = statements.id))
				INSERT INTO positions (statement_id, demand_id, stance)
				SELECT s.id, d.ids[1 + (s.id * 7 + k * 13) % 40],
				       (ARRAY['insists','supports','open','opposes','rejects'])[1 + CASE
				           WHEN (s.id * 2654435761 + k) % 10 = 0 THEN (s.id * 31 + k) % 5
				           ELSE (s.actor_id * 3 + (s.id * 7 + k * 13) % 40) % 5 END]
				FROM s, d, generate_series(1, 1 + (s.id % 3)::int) k`},
			// One position in about forty holds on a condition: that a
			// party takes a stance on another demand.
			{what: "conditions", n: &res.Conditions, sql: `
				WITH d AS (SELECT array_agg(id ORDER BY id) AS ids FROM demands WHERE slug LIKE 'gen-demand-%')
				INSERT INTO position_conditions (statement_id, demand_id, side, cond_demand_id, stance)
				SELECT p.statement_id, p.demand_id, (ARRAY['russia','ukraine'])[1 + p.statement_id % 2],
				       d.ids[1 + (p.demand_id * 7 + 17) % 40], (ARRAY['insists','supports','open','opposes','rejects'])[1 + p.statement_id % 5]
				FROM positions p, d
				WHERE p.statement_id % 40 = 0 AND d.ids[1 + (p.demand_id * 7 + 17) % 40] <> p.demand_id
				  AND p.statement_id IN (SELECT id FROM statements WHERE occasion = 'Generated')
				ON CONFLICT DO NOTHING`},
			// 1-2 regions, the first ones more often: the largest region
			// has a few times the average.
			{what: "statement regions", n: &res.Regions, sql: `
				WITH r AS (SELECT array_agg(id ORDER BY id) AS ids FROM regions WHERE slug LIKE 'gen-region-%'),
				     s AS (SELECT id FROM statements WHERE occasion = 'Generated'
				           AND NOT EXISTS (SELECT 1 FROM statement_regions x WHERE x.statement_id = statements.id))
				INSERT INTO statement_regions (statement_id, region_id)
				SELECT s.id, r.ids[1 + floor(30 * random() ^ 1.3)::int]
				FROM s, r, generate_series(1, 1 + (s.id % 2)::int) k
				ON CONFLICT DO NOTHING`},
			// Statistics for the set-based steps that follow: without them
			// the planner guesses small tables and loops.
			{what: "analyze", sql: `ANALYZE statements, positions, statement_regions, reports, position_conditions, demand_regions, actors, demands, regions, sources`},
			// The derived tables, by the functions the deferred trigger
			// calls (migration 00008), over every statement at once.
			{what: "region timeline", sql: `SELECT rebuild_region_timeline(NULL)`},
			{what: "stance log", sql: `SELECT rebuild_stance_log(NULL)`},
			{what: "bargaining months", sql: `SELECT invalidate_bargaining(NULL)`},
			{what: "triggers on", sql: `ALTER TABLE statements ENABLE TRIGGER USER;
				ALTER TABLE positions ENABLE TRIGGER USER;
				ALTER TABLE statement_regions ENABLE TRIGGER USER;
				ALTER TABLE reports ENABLE TRIGGER USER;
				ALTER TABLE position_conditions ENABLE TRIGGER USER`},
		}
		rebuild, err := dropForBulk(ctx, tx)
		if err != nil {
			return err
		}
		// current_positions last: it reads stance_log by the index just
		// rebuilt, one probe per (actor, demand).
		steps = append(steps, rebuild...)
		steps = append(steps,
			genStep{what: "current positions", sql: `SELECT rebuild_current_positions(NULL, NULL)`},
			genStep{what: "compact counts", sql: `SELECT compact_counts()`})
		for _, st := range steps {
			start := time.Now()
			tag, err := tx.Exec(ctx, st.sql, st.args...)
			res.Steps = append(res.Steps, GenerateStep{st.what, time.Since(start)})
			if err != nil {
				return fmt.Errorf("store: generate %s: %w", st.what, err)
			}
			if st.n != nil {
				*st.n = tag.RowsAffected()
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	// Outside the transaction: statistics for the planner, and visibility
	// maps so that index-only scans skip the heap.
	start := time.Now()
	_, err = s.pool.Exec(ctx, `VACUUM (ANALYZE) statements, positions, statement_regions, reports, position_conditions, region_timeline,
		stance_log, current_positions, actor_counts, region_counts, actors, demands, regions, sources`)
	res.Steps = append(res.Steps, GenerateStep{"vacuum", time.Since(start)})
	if err != nil {
		return res, fmt.Errorf("store: generate: vacuum: %w", err)
	}
	return res, nil
}

// genStep is one statement of Generate; n, when set, receives the rows
// it affected.
type genStep struct {
	what string
	sql  string
	args []any
	n    *int64
}

// bulkTables are the tables Generate fills in bulk.
var bulkTables = []string{"statements", "positions", "statement_regions", "reports", "position_conditions", "region_timeline", "stance_log"}

// dropForBulk drops the bulk tables' secondary indexes, foreign keys and
// (for the derived tables, which nothing references) primary keys, and
// returns the steps that rebuild them: building an index once by sorting
// and validating a foreign key by one join beat maintaining them for
// every inserted row.
func dropForBulk(ctx context.Context, tx pgx.Tx) ([]genStep, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
		FROM pg_constraint c
		WHERE c.conrelid = ANY ($1::regclass[])
		  AND (c.contype = 'f' OR (c.contype = 'p' AND c.conrelid IN ('region_timeline'::regclass, 'stance_log'::regclass)))
		ORDER BY c.contype DESC, c.conname`, bulkTables)
	if err != nil {
		return nil, fmt.Errorf("store: generate: constraints: %w", err)
	}
	type con struct{ table, name, def, kind string }
	cons, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (con, error) {
		var c con
		err := r.Scan(&c.table, &c.name, &c.def, &c.kind)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: generate: constraints: %w", err)
	}
	rows, err = tx.Query(ctx, `
		SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = ANY ($1::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique
		ORDER BY 1`, bulkTables)
	if err != nil {
		return nil, fmt.Errorf("store: generate: indexes: %w", err)
	}
	type index struct{ name, def string }
	indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var i index
		err := r.Scan(&i.name, &i.def)
		return i, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: generate: indexes: %w", err)
	}
	var drop, build, check []string
	for _, c := range cons {
		drop = append(drop, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", c.table, pgx.Identifier{c.name}.Sanitize()))
		add := fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", c.table, pgx.Identifier{c.name}.Sanitize(), c.def)
		if c.kind == "p" {
			build = append(build, add)
		} else {
			check = append(check, add)
		}
	}
	for _, i := range indexes {
		drop = append(drop, "DROP INDEX "+i.name)
		build = append(build, i.def)
	}
	if _, err := tx.Exec(ctx, strings.Join(drop, ";\n")); err != nil {
		return nil, fmt.Errorf("store: generate: drop indexes: %w", err)
	}
	return []genStep{
		{what: "indexes", sql: strings.Join(build, ";\n")},
		{what: "foreign keys", sql: strings.Join(check, ";\n")},
	}, nil
}
