package seed_test

import (
	"context"
	"parley"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/store"
	"parley/internal/testdb"
)

// TestSeedAnswersAnalystQuestions ensures the loaded seed answers the
// questions the articles were read for, naming the records that answer them.
func TestSeedAnswersAnalystQuestions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	if _, err := store.New(pool).LoadSeed(ctx, seedData(t)); err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}

	t.Run("what Putin demanded on 2024-06-14", func(t *testing.T) {
		keys := queryStrings(t, pool, `
			SELECT s.seed_key FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE s.deleted_at IS NULL AND a.slug = 'vladimir-putin'
			  AND s.date = '2024-06-14' AND s.date_precision = 'day'
			  AND EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id
			              WHERE p.statement_id = s.id AND d.slug = 'withdrawal-four-regions' AND p.stance = 'insists')
			  AND EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id
			              WHERE p.statement_id = s.id AND d.slug = 'ukraine-neutrality' AND p.stance = 'insists')
			  AND (SELECT array_agg(r.slug::text) FROM statement_regions sr JOIN regions r ON r.id = sr.region_id
			       WHERE sr.statement_id = s.id) @> ARRAY['donetsk', 'luhansk', 'zaporizhzhia', 'kherson']
			ORDER BY s.seed_key`)
		// (v2) The speech is one statement: 001-putin-june-2024-conditions
		// and 000-putin-ceasefire-conditions, which v1 also listed, are its
		// reports now, not statements of their own.
		if diff := cmp.Diff([]string{"003-putin-foreign-ministry-terms"}, keys); diff != "" {
			t.Errorf("Putin's 2024-06-14 demands (-want +got):\n%s", diff)
		}
		var source, occasion string
		err := pool.QueryRow(ctx, `SELECT src.ref, s.occasion FROM statements s JOIN sources src ON src.id = s.source_id
			WHERE s.seed_key = '003-putin-foreign-ministry-terms'`).Scan(&source, &occasion)
		if err != nil {
			t.Fatalf("read 003-putin-foreign-ministry-terms: %v", err)
		}
		if source != "003_219be40f0e460795.txt" || !strings.Contains(occasion, "Foreign Ministry") {
			t.Errorf("003-putin-foreign-ministry-terms source, occasion = %q, %q; want the Bloomberg article, a Foreign Ministry speech",
				source, occasion)
		}
	})

	t.Run("who ruled out a territorial swap and when", func(t *testing.T) {
		type row struct{ Key, Actor, Side, Date, Precision, Stance string }
		rows := queryRows(t, pool, `
			SELECT s.seed_key, a.slug, a.side, to_char(s.date, 'YYYY-MM-DD'), s.date_precision, p.stance
			FROM positions p JOIN demands d ON d.id = p.demand_id
			JOIN statements s ON s.id = p.statement_id JOIN actors a ON a.id = s.actor_id
			WHERE s.deleted_at IS NULL AND d.slug = 'kursk-territorial-swap'
			ORDER BY s.date, s.seed_key`, func(scan func(...any) error) (row, error) {
			var r row
			err := scan(&r.Key, &r.Actor, &r.Side, &r.Date, &r.Precision, &r.Stance)
			return r, err
		})
		wantRejection := row{"000-moscow-rejects-swap-and-freeze", "russian-government", "russia", "2025-02-01", "month", "rejects"}
		wantOffer := row{"000-zelensky-kursk-swap-offer", "volodymyr-zelensky", "ukraine", "2025-02-11", "day", "supports"}
		for _, want := range []row{wantRejection, wantOffer} {
			if !slices.Contains(rows, want) {
				t.Errorf("positions on kursk-territorial-swap = %+v, want %+v among them", rows, want)
			}
		}
		for _, r := range rows {
			if r.Stance == "rejects" && r.Side != "russia" {
				t.Errorf("swap rejected by %s (side %s), want only Russian-side rejections in the articles", r.Actor, r.Side)
			}
		}
	})

	t.Run("Hegseth on NATO membership", func(t *testing.T) {
		type row struct{ Date, Precision, Quote, Stance string }
		rows := queryRows(t, pool, `
			SELECT to_char(s.date, 'YYYY-MM-DD'), s.date_precision, s.quote, p.stance
			FROM positions p JOIN demands d ON d.id = p.demand_id
			JOIN statements s ON s.id = p.statement_id JOIN actors a ON a.id = s.actor_id
			WHERE s.deleted_at IS NULL AND a.slug = 'pete-hegseth' AND d.slug = 'ukraine-nato-membership'`,
			func(scan func(...any) error) (row, error) {
				var r row
				err := scan(&r.Date, &r.Precision, &r.Quote, &r.Stance)
				return r, err
			})
		if len(rows) != 1 {
			t.Fatalf("Hegseth's positions on ukraine-nato-membership = %+v, want exactly one", rows)
		}
		r := rows[0]
		if r.Date != "2025-02-12" || r.Precision != "day" {
			t.Errorf("Hegseth's statement dated %s (%s), want 2025-02-12 (day)", r.Date, r.Precision)
		}
		if !strings.Contains(r.Quote, "not a realistic outcome") {
			t.Errorf("Hegseth's quote = %q, want it to contain %q", r.Quote, "not a realistic outcome")
		}
		if parley.Stance(r.Stance).Score() >= 0 {
			t.Errorf("Hegseth's stance on NATO membership = %q, want opposes or rejects", r.Stance)
		}
	})

	t.Run("who rejects foreign peacekeepers", func(t *testing.T) {
		stances := queryStrings(t, pool, `
			SELECT DISTINCT a.slug || ':' || p.stance
			FROM positions p JOIN demands d ON d.id = p.demand_id
			JOIN statements s ON s.id = p.statement_id JOIN actors a ON a.id = s.actor_id
			WHERE s.deleted_at IS NULL AND d.slug = 'no-foreign-peacekeepers'
			ORDER BY 1`)
		// The demand is "no foreign peacekeepers": ruling peacekeepers out is insisting on it.
		for _, want := range []string{"maria-zakharova:insists", "vladimir-putin:insists", "france:opposes", "united-kingdom:opposes"} {
			if !slices.Contains(stances, want) {
				t.Errorf("stances on no-foreign-peacekeepers = %q, want %q among them", stances, want)
			}
		}
	})

	t.Run("anonymous statements belong to anonymous actors", func(t *testing.T) {
		if bad := queryStrings(t, pool, `
			SELECT s.seed_key || ' by ' || a.slug || ' (' || a.kind || ')'
			FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE s.attribution = 'anonymous' AND a.kind <> 'anonymous' ORDER BY 1`); len(bad) != 0 {
			t.Errorf("statements attributed anonymous to a non-anonymous actor: %q", bad)
		}
		if bad := queryStrings(t, pool, `
			SELECT s.seed_key || ' by ' || a.slug
			FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE s.attribution = 'anonymous' AND a.kind = 'person' ORDER BY 1`); len(bad) != 0 {
			t.Errorf("statements attributed anonymous to a named person: %q", bad)
		}
		if bad := queryStrings(t, pool, `
			SELECT s.seed_key || ' by ' || a.slug || ' (' || s.attribution || ')'
			FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE a.kind = 'anonymous' AND s.attribution IN ('on_record', 'spokesperson') ORDER BY 1`); len(bad) != 0 {
			t.Errorf("statements by anonymous actors attributed on the record: %q", bad)
		}
		// The unnamed sources the README singles out speak only anonymously.
		got := queryStrings(t, pool, `
			SELECT DISTINCT a.slug || ':' || a.kind || ':' || s.attribution
			FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE a.slug IN ('anonymous-russian-officials', 'anonymous-kremlin-sources')
			ORDER BY 1`)
		want := []string{"anonymous-kremlin-sources:anonymous:anonymous", "anonymous-russian-officials:anonymous:anonymous"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("anonymous sources' statements (actor:kind:attribution) (-want +got):\n%s", diff)
		}
		var actor, attribution string
		err := pool.QueryRow(ctx, `SELECT a.slug, s.attribution FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE s.quote LIKE 'Putin can fight no matter what it takes%'`).Scan(&actor, &attribution)
		if err != nil {
			t.Fatalf("find the high-ranking source's quote: %v", err)
		}
		if actor != "anonymous-kremlin-sources" || attribution != "anonymous" {
			t.Errorf("\"Putin can fight…\" by %s (%s), want anonymous-kremlin-sources (anonymous), not Putin", actor, attribution)
		}
	})

	t.Run("actors are findable by the articles' other spellings", func(t *testing.T) {
		// Spellings taken from the articles: 000 writes "Dmitri Peskow",
		// "Zelenskyy" and "Kiev"; 004 writes "Zelenskyy".
		for alias, want := range map[string]string{
			"Peskow":        "dmitry-peskov",
			"Dmitri Peskow": "dmitry-peskov",
			"Zelenskyy":     "volodymyr-zelensky",
			"Kiev":          "ukrainian-government",
		} {
			got := queryStrings(t, pool, `SELECT slug FROM actors WHERE $1 = ANY (aliases) ORDER BY slug`, alias)
			if diff := cmp.Diff([]string{want}, got); diff != "" {
				t.Errorf("actors with alias %q (-want +got):\n%s", alias, diff)
			}
		}
	})
}

func queryStrings(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	return queryRows(t, pool, sql, func(scan func(...any) error) (string, error) {
		var s string
		err := scan(&s)
		return s, err
	}, args...)
}

func queryRows[T any](t *testing.T, pool *pgxpool.Pool, sql string, scanRow func(scan func(...any) error) (T, error), args ...any) []T {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("query: %v\n%s", err, sql)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scanRow(rows.Scan)
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("query: %v\n%s", err, sql)
	}
	return out
}
