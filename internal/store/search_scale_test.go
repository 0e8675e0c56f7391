package store_test

import (
	"context"
	"fmt"
	"parley"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The region timeline's fast path and the sampled search counts, compared
// on generated data with from-scratch queries over the base tables.

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
	// A seed whose data matches every filter below in the largest regions.
	s, pool := scaleGenerated(t, 2500, 52)
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
		// A region alone and with a text query: read off region_timeline.
		{f: parley.StatementFilter{Region: "gen-region-2"}, cond: scaleRegionCond},
		{f: parley.StatementFilter{Region: "gen-region-2", Query: "ukraine"}, cond: `s.search @@ websearch_to_tsquery('english', $1) AND ` + scaleRegionCond, args: []any{"ukraine"}},
		// A demand alone, with a stance, with a text query: read off stance_log.
		{f: parley.StatementFilter{Demand: "gen-demand-9"}, cond: `EXISTS (SELECT 1 FROM positions p
			JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL WHERE p.statement_id = s.id AND d.slug = 'gen-demand-9')`},
		{f: parley.StatementFilter{Demand: "gen-demand-9", Stance: "insists"}, cond: `EXISTS (SELECT 1 FROM positions p
			JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL WHERE p.statement_id = s.id AND d.slug = 'gen-demand-9' AND p.stance = 'insists')`},
		{f: parley.StatementFilter{Demand: "gen-demand-9", Query: "ukraine"}, cond: `s.search @@ websearch_to_tsquery('english', $1) AND EXISTS (SELECT 1 FROM positions p
			JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL WHERE p.statement_id = s.id AND d.slug = 'gen-demand-9')`, args: []any{"ukraine"}},
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

// scaleRegionCond is the region filter on gen-region-2 in plain SQL: a
// statement mentions the region, or takes a position on a live demand of
// it.
const scaleRegionCond = `(EXISTS (SELECT 1 FROM statement_regions sr JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL
		WHERE sr.statement_id = s.id AND r.slug = 'gen-region-2')
	OR EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
		JOIN demand_regions dr ON dr.demand_id = d.id JOIN regions r ON r.id = dr.region_id AND r.deleted_at IS NULL
		WHERE p.statement_id = s.id AND r.slug = 'gen-region-2'))`
