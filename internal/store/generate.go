package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// GenerateResult counts what Generate added.
type GenerateResult struct {
	Statements, Positions, Regions int64
}

// Generate adds n synthetic statements of realistic shape for benchmarks:
// 2,000 actors (a few very active, most rare), 40 demands, 30 regions,
// 50,000 sources, dates 2014-2026, 1-3 positions and 1-2 regions per
// statement, ~200-character quotes of real words. The same seed gives the
// same data. Synthetic records have slugs starting with "gen-".
// It is set-based SQL in one transaction: a million statements take about
// a minute.
func (s *Store) Generate(ctx context.Context, n int, seed int64) (GenerateResult, error) {
	var res GenerateResult
	err := s.transact(ctx, func(tx pgx.Tx) error {
		// One process, no parallel workers: random() then runs in one
		// deterministic sequence from setseed.
		steps := []struct {
			what string
			sql  string
			args []any
		}{
			{"settings", `SET LOCAL max_parallel_workers_per_gather = 0`, nil},
			{"seed", `SELECT setseed($1)`, []any{float64(seed%1000) / 1000}},
			{"regions", `INSERT INTO regions (slug, name, country, kind)
				SELECT 'gen-region-' || i, 'Synthetic region ' || i, 'Genland', 'oblast'
				FROM generate_series(1, 30) i ON CONFLICT (slug) DO NOTHING`, nil},
			{"actors", `INSERT INTO actors (slug, name, aliases, kind, side, role)
				SELECT 'gen-actor-' || i, 'Synthetic Actor ' || i, ARRAY['Gen Actor ' || i],
				       (ARRAY['person','government','ministry','military','alliance','organization','analyst','anonymous'])[1 + i % 8],
				       (ARRAY['russia','ukraine','united-states','europe','nato','china'])[1 + i % 6], 'Synthetic role'
				FROM generate_series(1, 2000) i ON CONFLICT (slug) DO NOTHING`, nil},
			{"demands", `INSERT INTO demands (slug, title, description, side, category)
				SELECT 'gen-demand-' || i, 'Synthetic demand ' || i, 'Generated for benchmarks.',
				       (ARRAY['russia','ukraine','united-states','europe'])[1 + i % 4],
				       (ARRAY['territory','security','sanctions-economy','political','process'])[1 + i % 5]
				FROM generate_series(1, 40) i ON CONFLICT (slug) DO NOTHING`, nil},
			{"demand regions", `INSERT INTO demand_regions (demand_id, region_id)
				SELECT d.id, r.id FROM demands d JOIN regions r
				  ON r.slug = 'gen-region-' || (1 + (substr(d.slug, 12)::int * 7) % 30)
				WHERE d.slug LIKE 'gen-demand-%' ON CONFLICT DO NOTHING`, nil},
			{"sources", `INSERT INTO sources (outlet, title, published, via)
				SELECT 'Synthetic Outlet ' || (1 + i % 200), 'Synthetic report ' || i,
				       date '2014-01-01' + (i * 7919) % 4700, ''
				FROM generate_series(1, 50000) i`, nil},
			// The search vector and the region timeline are computed
			// set-based below, not by triggers row by row.
			{"triggers off", `ALTER TABLE statements DISABLE TRIGGER USER;
				ALTER TABLE positions DISABLE TRIGGER USER;
				ALTER TABLE statement_regions DISABLE TRIGGER USER`, nil},
			// Building the GIN indexes once afterwards beats updating them per row.
			{"drop text indexes", `DROP INDEX statements_search_idx; DROP INDEX statements_summary_trgm_idx`, nil},
			{"statements", `
				WITH words AS (
				    SELECT string_to_array('ceasefire negotiations territory withdrawal security guarantees sanctions relief neutrality alliance membership troops border referendum sovereignty peace talks frozen assets compromise demands rejects insists supports opposes conditional proposal summit delegation minister president spokesman officials sources reported said statement occupation regions front line swap prisoners humanitarian corridor nuclear plant grain exports energy infrastructure drones missiles reconstruction elections legitimacy recognition annexation Donbas Crimea Kursk Zaporizhzhia Kherson Kharkiv Moscow Kyiv Washington Brussels Istanbul Geneva', ' ') AS w
				), ids AS (
				    SELECT (SELECT array_agg(id ORDER BY id) FROM actors WHERE slug LIKE 'gen-actor-%') AS actors,
				           (SELECT array_agg(id ORDER BY id) FROM sources WHERE title LIKE 'Synthetic report %') AS sources
				)
				INSERT INTO statements (actor_id, date, date_precision, quote, summary, occasion, attribution, source_id, search)
				SELECT x.actor_id, x.date, 'day', x.quote, x.summary, 'Generated', x.attribution, x.source_id,
				       -- what the statements_search trigger computes, without a look-up per row
				       setweight(to_tsvector('english', a.name || ' ' || array_to_string(a.aliases, ' ')), 'A')
				       || setweight(to_tsvector('english', x.quote), 'B')
				       || setweight(to_tsvector('english', x.summary), 'B')
				       || setweight(to_tsvector('english', 'Generated'), 'C')
				FROM (
				    SELECT g, ids.actors[1 + floor(2000 * random() ^ 3)::int] AS actor_id,
				           date '2014-01-01' + floor(random() * 4700)::int AS date,
				           -- k (inner) in the argument keeps string_agg at the inner level.
				           (SELECT string_agg(words.w[1 + floor(random() * array_length(words.w, 1))::int + 0 * k], ' ')
				              FROM generate_series(1, 26 + g % 3) AS k) AS quote,
				           'Synthetic statement ' || g || ' on ' || words.w[1 + g % 20] || ' and ' || words.w[1 + g % 37] || '.' AS summary,
				           (ARRAY['on_record','spokesperson','anonymous','reported'])[1 + g % 4] AS attribution,
				           ids.sources[1 + floor(50000 * random())::int] AS source_id
				    FROM generate_series(1, $1::int) g, words, ids
				    OFFSET 0 -- evaluated first, in order, so the same seed gives the same rows
				) x JOIN actors a ON a.id = x.actor_id
				ORDER BY x.g`, []any{n}},
			{"search index", `CREATE INDEX statements_search_idx ON statements USING gin (search)`, nil},
			{"trigram index", `CREATE INDEX statements_summary_trgm_idx ON statements USING gin (summary gin_trgm_ops)`, nil},
		}
		for _, st := range steps {
			tag, err := tx.Exec(ctx, st.sql, st.args...)
			if err != nil {
				return fmt.Errorf("store: generate %s: %w", st.what, err)
			}
			if st.what == "statements" {
				res.Statements = tag.RowsAffected()
			}
		}
		// Positions and regions for the statements just added (they have
		// no seed key and the synthetic source).
		tag, err := tx.Exec(ctx, `
			WITH d AS (SELECT array_agg(id ORDER BY id) AS ids FROM demands WHERE slug LIKE 'gen-demand-%'),
			     s AS (SELECT id FROM statements WHERE occasion = 'Generated'
			           AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.statement_id = statements.id))
			INSERT INTO positions (statement_id, demand_id, stance)
			SELECT s.id, d.ids[1 + (s.id * 7 + k * 13) % 40],
			       (ARRAY['insists','supports','open','opposes','rejects'])[1 + (s.id * 31 + k) % 5]
			FROM s, d, generate_series(1, 1 + (s.id % 3)::int) k`)
		if err != nil {
			return fmt.Errorf("store: generate positions: %w", err)
		}
		res.Positions = tag.RowsAffected()

		tag, err = tx.Exec(ctx, `
			WITH r AS (SELECT array_agg(id ORDER BY id) AS ids FROM regions WHERE slug LIKE 'gen-region-%'),
			     s AS (SELECT id FROM statements WHERE occasion = 'Generated'
			           AND NOT EXISTS (SELECT 1 FROM statement_regions x WHERE x.statement_id = statements.id))
			INSERT INTO statement_regions (statement_id, region_id)
			SELECT s.id, r.ids[1 + ((s.id * 11 + k * 17) % 30) * ((s.id * 11 + k * 17) % 30) / 30]
			FROM s, r, generate_series(1, 1 + (s.id % 2)::int) k
			ON CONFLICT DO NOTHING`)
		if err != nil {
			return fmt.Errorf("store: generate regions: %w", err)
		}
		res.Regions = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `ALTER TABLE statements ENABLE TRIGGER USER;
			ALTER TABLE positions ENABLE TRIGGER USER;
			ALTER TABLE statement_regions ENABLE TRIGGER USER`); err != nil {
			return fmt.Errorf("store: generate: triggers back: %w", err)
		}
		if _, err := tx.Exec(ctx, `SELECT refresh_region_timeline(array_agg(id)) FROM statements WHERE occasion = 'Generated'`); err != nil {
			return fmt.Errorf("store: generate region timeline: %w", err)
		}

		_, err = tx.Exec(ctx, `ANALYZE`)
		return err
	})
	return res, err
}
