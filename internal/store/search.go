package store

import (
	"cmp"
	"context"
	"fmt"
	"parley"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"
)

// SearchStatements returns one page of the statements matching f, the
// total count and facets. The order is total (ties broken by id), so
// walking the pages of an unchanged result yields every row once.
func (s *Store) SearchStatements(ctx context.Context, f parley.StatementFilter) (parley.StatementPage, error) {
	var page parley.StatementPage
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rf, err := s.resolveActor(ctx, f)
	if err != nil {
		return page, err
	}
	rf.drive = f.Sort != "relevance" || f.Query == ""
	q := compileResolved(rf, overStatements)
	where, args := q.where(), q.args
	cols := statementCols + `, '', ''`
	queryArg := ""
	if f.Query != "" {
		queryArg = "$1" // compileFilter numbers the query first
		cols = statementCols + `,
			ts_headline('english', s.summary, websearch_to_tsquery('english', $1), 'HighlightAll=true, StartSel=' || chr(57344) || ', StopSel=' || chr(57345)),
			CASE WHEN s.quote = '' THEN '' ELSE ts_headline('english', s.quote, websearch_to_tsquery('english', $1), 'HighlightAll=true, StartSel=' || chr(57344) || ', StopSel=' || chr(57345)) END`
	}
	from := statementFrom + " WHERE " + where
	order := "s.date DESC, s.id DESC"
	if q.join != "" {
		from = statementFrom + q.join + " WHERE " + where
		order = q.order
	}
	pageFrom := from
	if f.Sort == "relevance" && f.Query != "" {
		// Ranking every match of a common word (hundreds of thousands)
		// costs seconds: relevance orders the newest SearchSample matches,
		// which is all of them for any but a broad search.
		pageFrom = statementFrom + ` WHERE s.id IN (SELECT s.id FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE ` + where + ` ORDER BY s.date DESC, s.id DESC LIMIT ` + strconv.Itoa(parley.SearchSample) + `)`
	}
	scan := func(r pgx.CollectableRow) (parley.Statement, error) {
		var summary, quote string
		st, err := scanStatement(r, &summary, &quote)
		st.SummaryMarked, st.QuoteMarked = summary, quote
		return st, err
	}
	// Newest first within the sample: the counting pass also picks the
	// page, and the page is then read by id.
	if f.Sort == "date" && f.Offset+f.Limit <= parley.SearchSample {
		ids, err := s.searchStats(ctx, &page, from, order, planFor(f, args), f.Offset, f.Limit)
		if err != nil {
			return page, err
		}
		idsArg, qargs := "$1", []any{ids}
		if f.Query != "" { // the headline columns use the query as $1
			idsArg, qargs = "$2", []any{f.Query, ids}
		}
		// The page's rows and a broad search's estimate are independent:
		// read them at once.
		g, gctx := errgroup.WithContext(ctx)
		if page.Total > parley.SearchSample {
			g.Go(func() error { return s.estimate(gctx, &page, from, args) })
		}
		g.Go(func() error {
			rows, err := s.pool.Query(gctx, `SELECT `+cols+statementFrom+`WHERE s.id = ANY (`+idsArg+`::bigint[])
				ORDER BY s.date DESC, s.id DESC`, qargs...)
			if err != nil {
				return wrap(err, "search statements")
			}
			page.Statements, err = pgx.CollectRows(rows, scan)
			return wrap(err, "search statements")
		})
		err = g.Wait() // (before page is copied out)
		return page, err
	}
	n := len(args)
	// Custom plans (an unnamed statement, planned with its values): the
	// right plan for a rare word (the text index, then sort) is the wrong
	// one for a common word (walk the date index until the page is full),
	// and a generic plan would pick one for both.
	pageOrder := orderBy(f, queryArg)
	if order != "s.date DESC, s.id DESC" && f.Sort != "relevance" {
		pageOrder = order // (the same order, by the joined index's columns)
		if f.Sort == "oldest" {
			pageOrder = strings.ReplaceAll(order, "DESC", "ASC")
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT `+cols+pageFrom+` ORDER BY `+pageOrder+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), planFor(f, append(args, f.Limit, f.Offset))...)
	if err != nil {
		return page, wrap(err, "search statements")
	}
	page.Statements, err = pgx.CollectRows(rows, scan)
	if err != nil {
		return page, wrap(err, "search statements")
	}
	if _, err := s.searchStats(ctx, &page, from, order, planFor(f, args), 0, 0); err != nil {
		return page, err
	}
	if page.Total > parley.SearchSample {
		return page, s.estimate(ctx, &page, from, args)
	}
	return page, nil
}

// searchStats fills page's total, export rows and facets from the newest
// SearchSample+1 matches, in one pass (beyond SearchSample, estimate then
// makes the totals the planner's estimates). It returns the ids of the
// limit matches after offset, newest first. args are as planFor gives them.
func (s *Store) searchStats(ctx context.Context, page *parley.StatementPage, from, order string, args []any, offset, limit int) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `
		WITH top AS MATERIALIZED (
		    SELECT s.id, s.actor_id, s.date`+from+`
		    ORDER BY `+order+` LIMIT `+strconv.Itoa(parley.SearchSample+1)+`),
		m AS (SELECT * FROM top ORDER BY date DESC, id DESC LIMIT `+strconv.Itoa(parley.SearchSample)+`),
		live AS MATERIALIZED (SELECT id, slug, title FROM demands WHERE deleted_at IS NULL),
		-- a row per (statement, live position), or one for a statement without
		pos AS MATERIALIZED (
		    SELECT m.id, p.demand_id FROM m
		    LEFT JOIN positions p ON p.statement_id = m.id AND p.demand_id IN (SELECT id FROM live))
		SELECT 'total', '', '', count(*) FROM top
		UNION ALL
		SELECT 'rows', '', '', count(*) FROM pos
		UNION ALL
		SELECT 'side', a.side, a.side, count(*) FROM m JOIN actors a ON a.id = m.actor_id GROUP BY a.side
		UNION ALL
		SELECT 'demand', d.slug, d.title, count(DISTINCT pos.id) FROM pos JOIN live d ON d.id = pos.demand_id GROUP BY d.slug, d.title
		UNION ALL
		SELECT 'year', y, y, count(*) FROM (SELECT extract(year FROM m.date)::int::text AS y FROM m) x GROUP BY y
		UNION ALL
		(SELECT 'page', id::text, '', 0 FROM m ORDER BY date DESC, id DESC OFFSET `+strconv.Itoa(offset)+` LIMIT `+strconv.Itoa(limit)+`)`,
		args...)
	if err != nil {
		return nil, wrap(err, "search counts")
	}
	type stat struct {
		kind  string
		facet parley.Facet
	}
	stats, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stat, error) {
		var x stat
		err := r.Scan(&x.kind, &x.facet.Value, &x.facet.Label, &x.facet.Count)
		return x, err
	})
	if err != nil {
		return nil, wrap(err, "search counts")
	}
	var f parley.Facets
	var ids []int64
	for _, x := range stats {
		switch x.kind {
		case "total":
			page.Total = x.facet.Count
		case "rows":
			page.Rows = x.facet.Count
		case "side":
			f.Sides = append(f.Sides, x.facet)
		case "demand":
			f.Demands = append(f.Demands, x.facet)
		case "year":
			f.Years = append(f.Years, x.facet)
		case "page":
			id, _ := strconv.ParseInt(x.facet.Value, 10, 64)
			ids = append(ids, id)
		}
	}
	byCount := func(a, b parley.Facet) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Label, b.Label)
	}
	slices.SortFunc(f.Sides, byCount)
	slices.SortFunc(f.Demands, byCount)
	slices.SortFunc(f.Years, func(a, b parley.Facet) int { return cmp.Compare(b.Value, a.Value) })
	page.Facets = f
	return ids, nil
}

// estimate makes a broad search's totals (more than SearchSample matches)
// the planner's estimate of the matches, and the export rows in the
// sample's proportion. The estimate can be below the sample; not the
// total.
func (s *Store) estimate(ctx context.Context, page *parley.StatementPage, from string, args []any) error {
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := s.pool.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT 1`+from, customPlan(args)...).Scan(&plan); err != nil {
		return wrap(err, "search estimate")
	}
	est := page.Total
	if len(plan) == 1 && int(plan[0].Plan.Rows) > est {
		est = int(plan[0].Plan.Rows)
	}
	page.Rows = int(float64(page.Rows) / float64(parley.SearchSample) * float64(est))
	page.Total, page.Estimated = est, true
	return nil
}

// ListStatements returns the statements matching f (no count, no facets).
func (s *Store) ListStatements(ctx context.Context, f parley.StatementFilter) ([]parley.Statement, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Query, f.Sort = "", "date"
	q := compileFilter(f, overStatements)
	where, args := q.where(), q.args
	n := len(args)
	rows, err := s.pool.Query(ctx, `SELECT `+statementCols+statementFrom+` WHERE `+where+
		` ORDER BY s.date DESC, s.id DESC`+fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, wrap(err, "list statements")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Statement, error) { return scanStatement(r) })
	return out, wrap(err, "list statements")
}

// CountStancesByYear breaks the statements matching f down by year and
// stance, for charts.
func (s *Store) CountStancesByYear(ctx context.Context, f parley.StatementFilter) ([]parley.StanceCount, error) {
	q := compileFilter(f, overStatements)
	where, args := q.where(), q.args
	rows, err := s.pool.Query(ctx, `
		SELECT extract(year FROM s.date)::int, coalesce(p.stance, 'none'), count(*)`+statementFrom+`
		LEFT JOIN (positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL)
		       ON p.statement_id = s.id
		WHERE `+where+` GROUP BY 1, 2 ORDER BY 1, 2`, args...)
	if err != nil {
		return nil, wrap(err, "count stances by year")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StanceCount, error) {
		var c parley.StanceCount
		err := r.Scan(&c.Year, &c.Stance, &c.Count)
		return c, err
	})
	return out, wrap(err, "count stances by year")
}

// customPlan makes pgx run a query as an unnamed statement, which
// PostgreSQL plans with the values of args each time.
func customPlan(args []any) []any {
	return append([]any{pgx.QueryExecModeExec}, args...)
}

// planFor is how a search's queries run: with a text query, planned for
// its values each time (customPlan: a rare word wants the text index, a
// common one the date index); with filters alone, as prepared statements
// whose plan PostgreSQL reuses once it finds it no worse than the custom
// ones (planning a page's statistics query took 3-8 ms of its 10-20).
func planFor(f parley.StatementFilter, args []any) []any {
	if f.Query != "" {
		return customPlan(args)
	}
	return args
}
