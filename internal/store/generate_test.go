package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// generatedStatement is what identifies a synthetic statement's content.
type generatedStatement struct {
	Actor string
	Date  string
	Quote string
}

// generated runs Generate(n, seed) on a fresh database and returns its
// pool.
func generated(t *testing.T, n int, seed int64) *pgxpool.Pool {
	t.Helper()
	s, pool := newStoreWithPool(t)
	res, err := s.Generate(context.Background(), n, seed)
	if err != nil {
		t.Fatalf("Generate(%d, %d): %v", n, seed, err)
	}
	if res.Statements != int64(n) {
		t.Errorf("Generate(%d, %d) statements = %d, want %d", n, seed, res.Statements, n)
	}
	return pool
}

// generatedFingerprint returns the first few statements by id and a hash of
// every (actor slug, date, quote) in id order.
func generatedFingerprint(t *testing.T, pool *pgxpool.Pool) ([]generatedStatement, string) {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `
		SELECT a.slug, s.date::text, s.quote FROM statements s JOIN actors a ON a.id = s.actor_id
		ORDER BY s.id LIMIT 5`)
	if err != nil {
		t.Fatalf("first statements: %v", err)
	}
	first, err := pgx.CollectRows(rows, pgx.RowToStructByPos[generatedStatement])
	if err != nil {
		t.Fatalf("first statements: %v", err)
	}
	var hash string
	err = pool.QueryRow(ctx, `
		SELECT md5(string_agg(a.slug || '|' || s.date || '|' || s.quote, E'\n' ORDER BY s.id))
		FROM statements s JOIN actors a ON a.id = s.actor_id`).Scan(&hash)
	if err != nil {
		t.Fatalf("statements hash: %v", err)
	}
	return first, hash
}

func TestGenerateAddsStatementsOfTheDocumentedShape(t *testing.T) {
	t.Parallel()
	pool := generated(t, 500, 7)
	ctx := context.Background()
	var got struct {
		statements, minPositions, maxPositions, minRegions, maxRegions int
		emptyQuotes, outOfRange, notGenerated                          int
	}
	err := pool.QueryRow(ctx, `
		WITH c AS (
		    SELECT s.id, s.quote, s.date, s.occasion,
		           (SELECT count(*) FROM positions p WHERE p.statement_id = s.id) AS positions,
		           (SELECT count(*) FROM statement_regions r WHERE r.statement_id = s.id) AS regions
		    FROM statements s)
		SELECT count(*), min(positions), max(positions), min(regions), max(regions),
		       count(*) FILTER (WHERE btrim(quote) = ''),
		       count(*) FILTER (WHERE date < '2014-01-01' OR date > '2026-12-31'),
		       count(*) FILTER (WHERE occasion <> 'Generated')
		FROM c`).Scan(&got.statements, &got.minPositions, &got.maxPositions, &got.minRegions, &got.maxRegions,
		&got.emptyQuotes, &got.outOfRange, &got.notGenerated)
	if err != nil {
		t.Fatalf("shape query: %v", err)
	}
	if got.statements != 500 {
		t.Errorf("statements = %d, want 500", got.statements)
	}
	// Each statement has 1-3 positions and 1-2 regions, and every count occurs.
	if got.minPositions != 1 || got.maxPositions != 3 {
		t.Errorf("positions per statement = %d..%d, want 1..3", got.minPositions, got.maxPositions)
	}
	if got.minRegions != 1 || got.maxRegions != 2 {
		t.Errorf("regions per statement = %d..%d, want 1..2", got.minRegions, got.maxRegions)
	}
	if got.emptyQuotes != 0 {
		t.Errorf("statements with an empty quote = %d, want 0", got.emptyQuotes)
	}
	if got.outOfRange != 0 {
		t.Errorf("statements dated outside 2014-2026 = %d, want 0", got.outOfRange)
	}
	if got.notGenerated != 0 {
		t.Errorf("statements not marked as generated = %d, want 0", got.notGenerated)
	}
}

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	t.Parallel()
	first, hash := generatedFingerprint(t, generated(t, 500, 7))
	if len(first) != 5 {
		t.Fatalf("first statements = %d, want 5", len(first))
	}
	againFirst, againHash := generatedFingerprint(t, generated(t, 500, 7))
	if diff := cmp.Diff(first, againFirst); diff != "" {
		t.Errorf("first statements with the same seed differ (-first +second):\n%s", diff)
	}
	if againHash != hash {
		t.Errorf("statements hash with the same seed = %s, want %s", againHash, hash)
	}
	otherFirst, otherHash := generatedFingerprint(t, generated(t, 500, 8))
	if otherHash == hash {
		t.Errorf("statements hash with seed 8 = %s, the same as with seed 7", otherHash)
	}
	if cmp.Equal(first, otherFirst) {
		t.Errorf("first statements with seeds 7 and 8 are the same: %+v", first)
	}
}

// TestGenerateKeepsSearchAndIndexesAsTheTriggerWould: gen computes the
// search vector itself and rebuilds the text indexes; both must end as if
// every row had gone through the trigger.
func TestGenerateKeepsSearchAndIndexesAsTheTriggerWould(t *testing.T) {
	pool := generated(t, 300, 3)
	ctx := context.Background()
	var wrong int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM statements
		WHERE search IS DISTINCT FROM statement_search(actor_id, quote, summary, occasion)`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if wrong != 0 {
		t.Errorf("%d generated statements have a search vector the trigger would not give", wrong)
	}
	var indexes, triggers int
	pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE tablename = 'statements'
		AND indexname IN ('statements_search_idx', 'statements_summary_trgm_idx')`).Scan(&indexes)
	pool.QueryRow(ctx, `SELECT count(*) FROM pg_trigger WHERE tgname = 'statements_search' AND tgenabled = 'O'`).Scan(&triggers)
	if indexes != 2 || triggers != 1 {
		t.Errorf("after gen: %d of 2 text indexes, search trigger enabled: %v", indexes, triggers == 1)
	}
}

// bulkSchema lists the indexes, constraints (with whether each is
// validated) and triggers (with whether each is enabled) of the tables gen
// loads in bulk.
func bulkSchema(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT 'index ' || indexdef FROM pg_indexes
		WHERE tablename IN ('statements', 'positions', 'statement_regions', 'reports', 'position_conditions', 'region_timeline', 'stance_log')
		UNION ALL
		SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid) || ' validated ' || convalidated FROM pg_constraint
		WHERE conrelid::regclass::text IN ('statements', 'positions', 'statement_regions', 'reports', 'position_conditions', 'region_timeline', 'stance_log')
		UNION ALL
		SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text FROM pg_trigger
		WHERE NOT tgisinternal AND tgrelid::regclass::text IN ('statements', 'positions', 'statement_regions', 'reports', 'position_conditions')
		ORDER BY 1`)
	if err != nil {
		t.Fatalf("bulk schema: %v", err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("bulk schema: %v", err)
	}
	return got
}

// TestGenerateThatFailsPutsTheDatabaseBack: gen drops indexes, foreign keys
// and triggers and commits in several transactions; when a step fails
// (here a check refuses one synthetic statement, in the base table or in
// the timeline), the statements it wrote are removed and the schema and
// the derived tables are as before.
func TestGenerateThatFailsPutsTheDatabaseBack(t *testing.T) {
	t.Parallel()
	for table, column := range map[string]string{"statements": "id", "region_timeline": "statement_id"} {
		t.Run(table, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, pool := newStoreWithPool(t)
			if _, err := s.Generate(ctx, 300, 1); err != nil {
				t.Fatalf("Generate(300, 1): %v", err)
			}
			// The second gen's 150th statement (ids 301-600).
			derivedExec(t, pool, `ALTER TABLE `+table+` ADD CONSTRAINT not_450 CHECK (`+column+` <> 450)`)
			schema := bulkSchema(t, pool)

			_, err := s.Generate(ctx, 300, 2)
			if err == nil || !strings.Contains(err.Error(), "not_450") {
				t.Fatalf("Generate with statement 450 refused: error %v, want the check's", err)
			}
			var statements int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM statements`).Scan(&statements); err != nil {
				t.Fatal(err)
			}
			if statements != 300 {
				t.Errorf("after the failed gen: %d statements, want the first gen's 300", statements)
			}
			if diff := cmp.Diff(schema, bulkSchema(t, pool)); diff != "" {
				t.Errorf("indexes, constraints and triggers after the failed gen (-before +after):\n%s", diff)
			}
			checkDerivedTables(t, pool, "after the failed gen")
		})
	}
}

// TestGenerateRefusesWhileAnotherSessionIsConnected: with its indexes and
// triggers off, a server writing or reading alongside gen would go wrong
// or crawl, so gen starts only with the database to itself.
func TestGenerateRefusesWhileAnotherSessionIsConnected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, pool := newStoreWithPool(t)
	other, err := pgx.Connect(ctx, pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	schema := bulkSchema(t, pool)
	_, err = s.Generate(ctx, 100, 1)
	if err == nil || !strings.Contains(err.Error(), "stop the server") {
		t.Fatalf("Generate with another session connected: error %v, want one asking to stop the server", err)
	}
	if diff := cmp.Diff(schema, bulkSchema(t, pool)); diff != "" {
		t.Errorf("schema after the refusal (-before +after):\n%s", diff)
	}
	other.Close(ctx)
	if _, err := s.Generate(ctx, 100, 1); err != nil {
		t.Errorf("Generate once the other session is gone: %v", err)
	}
}
