package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// StatementFilter selects statements. Zero fields do not filter. Every
// field is passed to SQL as a parameter; Sort picks one of fixed orders.
type StatementFilter struct {
	Query       string // web-search syntax: words, "phrases", -exclusions, or
	Actor       string // actor slug
	Side        string // actor's side
	Demand      string // demand slug: statements taking a position on it
	Stance      string // statements taking this stance (on Demand, if set)
	Region      string // region slug: the region timeline (see DESIGN.md)
	Attribution string
	SourceID    int64
	From, To    time.Time // inclusive dates
	AsOf        time.Time // as it stood on that day: nothing dated later
	Sort        string    // "date" (newest first, default), "oldest", "relevance"
	Limit       int       // default 50
	Offset      int
}

// Sorts are the orders StatementFilter.Sort accepts.
var Sorts = []string{"date", "oldest", "relevance"}

// StatementPage is one page of a search, with the total and facets over
// the whole result. A broad result (more than SearchSample statements) is
// Estimated: Total and Rows are then the planner's estimates and the facets
// count the newest SearchSample statements only; counting a few hundred
// thousand matches exactly would cost the page a quarter of a second.
type StatementPage struct {
	Statements []Statement
	Total      int
	Rows       int // export rows: one per (statement, position)
	Estimated  bool
	Facets     Facets
}

// SearchSample is how many matches a search counts exactly.
const SearchSample = 500

// Facet is a count of matching statements sharing one value.
type Facet struct {
	Value, Label string
	Count        int
}

// Facets break a result down by side, demand and year.
type Facets struct {
	Sides, Demands, Years []Facet
}

// Highlight markers around matched words in Statement.SummaryMarked and
// QuoteMarked: private-use characters that never occur in real text, so
// views can turn them into <mark> elements after escaping.
const (
	MarkStart = "\uE000"
	MarkEnd   = "\uE001"
)

// where builds the WHERE clause for f with numbered parameters.
func (f StatementFilter) where() (string, []any) {
	conds := []string{"s.deleted_at IS NULL", "a.deleted_at IS NULL"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Query != "" {
		conds = append(conds, "s.search @@ websearch_to_tsquery('english', "+arg(f.Query)+")")
	}
	if f.Actor != "" {
		conds = append(conds, "a.slug = "+arg(f.Actor))
	}
	if f.Side != "" {
		conds = append(conds, "a.side = "+arg(f.Side))
	}
	if f.Demand != "" || f.Stance != "" {
		c := "EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL WHERE p.statement_id = s.id"
		if f.Demand != "" {
			c += " AND d.slug = " + arg(f.Demand)
		}
		if f.Stance != "" {
			c += " AND p.stance = " + arg(f.Stance)
		}
		conds = append(conds, c+")")
	}
	if f.Region != "" {
		r := arg(f.Region)
		conds = append(conds, `(EXISTS (SELECT 1 FROM statement_regions sr JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL
			WHERE sr.statement_id = s.id AND r.slug = `+r+`)
		 OR EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
			JOIN demand_regions dr ON dr.demand_id = p.demand_id JOIN regions r ON r.id = dr.region_id AND r.deleted_at IS NULL
			WHERE p.statement_id = s.id AND r.slug = `+r+`))`)
	}
	if f.Attribution != "" {
		conds = append(conds, "s.attribution = "+arg(f.Attribution))
	}
	if f.SourceID != 0 {
		conds = append(conds, "s.source_id = "+arg(f.SourceID))
	}
	if !f.From.IsZero() {
		conds = append(conds, "s.date >= "+arg(f.From)+"::date")
	}
	to := f.To
	if !f.AsOf.IsZero() && (to.IsZero() || f.AsOf.Before(to)) {
		to = f.AsOf
	}
	if !to.IsZero() {
		conds = append(conds, "s.date <= "+arg(to)+"::date")
	}
	return strings.Join(conds, " AND "), args
}

func (f StatementFilter) orderBy(queryArg string) string {
	switch {
	case f.Sort == "oldest":
		return "s.date ASC, s.id ASC"
	case f.Sort == "relevance" && f.Query != "":
		return "ts_rank_cd(s.search, websearch_to_tsquery('english', " + queryArg + ")) DESC, s.date DESC, s.id DESC"
	}
	return "s.date DESC, s.id DESC"
}

// SearchStatements returns one page of the statements matching f, the
// total count and facets. The order is total (ties broken by id), so
// walking the pages of an unchanged result yields every row once.
func (s *Store) SearchStatements(ctx context.Context, f StatementFilter) (StatementPage, error) {
	var page StatementPage
	if f.Limit <= 0 {
		f.Limit = 50
	}
	where, args := f.where()
	cols := statementCols + `, '', ''`
	queryArg := ""
	if f.Query != "" {
		queryArg = "$1" // where() numbers the query first
		cols = statementCols + `,
			ts_headline('english', s.summary, websearch_to_tsquery('english', $1), 'HighlightAll=true, StartSel=' || chr(57344) || ', StopSel=' || chr(57345)),
			CASE WHEN s.quote = '' THEN '' ELSE ts_headline('english', s.quote, websearch_to_tsquery('english', $1), 'HighlightAll=true, StartSel=' || chr(57344) || ', StopSel=' || chr(57345)) END`
	}
	from := statementFrom + " WHERE " + where
	pageFrom := from
	if f.Sort == "relevance" && f.Query != "" {
		// Ranking every match of a common word (hundreds of thousands)
		// costs seconds: relevance orders the newest SearchSample matches,
		// which is all of them for any but a broad search.
		pageFrom = statementFrom + ` WHERE s.id IN (SELECT s.id FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE ` + where + ` ORDER BY s.date DESC, s.id DESC LIMIT ` + strconv.Itoa(SearchSample) + `)`
	}
	scan := func(r pgx.CollectableRow) (Statement, error) {
		var summary, quote string
		st, err := scanStatement(r, &summary, &quote)
		st.SummaryMarked, st.QuoteMarked = summary, quote
		return st, err
	}
	// Newest first within the sample: the counting pass also picks the
	// page, and the page is then read by id.
	if f.Sort == "date" && f.Offset+f.Limit <= SearchSample {
		ids, err := s.searchStats(ctx, &page, from, args, f.Offset, f.Limit)
		if err != nil {
			return page, err
		}
		idsArg, qargs := "$1", []any{ids}
		if f.Query != "" { // the headline columns use the query as $1
			idsArg, qargs = "$2", []any{f.Query, ids}
		}
		rows, err := s.pool.Query(ctx, `SELECT `+cols+statementFrom+`WHERE s.id = ANY (`+idsArg+`::bigint[])
			ORDER BY s.date DESC, s.id DESC`, qargs...)
		if err != nil {
			return page, wrap(err, "search statements")
		}
		page.Statements, err = pgx.CollectRows(rows, scan)
		return page, wrap(err, "search statements")
	}
	n := len(args)
	// Custom plans (an unnamed statement, planned with its values): the
	// right plan for a rare word (the text index, then sort) is the wrong
	// one for a common word (walk the date index until the page is full),
	// and a generic plan would pick one for both.
	rows, err := s.pool.Query(ctx, `SELECT `+cols+pageFrom+` ORDER BY `+f.orderBy(queryArg)+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), customPlan(append(args, f.Limit, f.Offset))...)
	if err != nil {
		return page, wrap(err, "search statements")
	}
	page.Statements, err = pgx.CollectRows(rows, scan)
	if err != nil {
		return page, wrap(err, "search statements")
	}
	if _, err := s.searchStats(ctx, &page, from, args, 0, 0); err != nil {
		return page, err
	}
	return page, nil
}

// searchStats fills page's total, export rows and facets from the newest
// SearchSample+1 matches, in one pass; beyond SearchSample, the totals are
// the planner's estimates, scaled. It returns the ids of the limit matches
// after offset, newest first.
func (s *Store) searchStats(ctx context.Context, page *StatementPage, from string, args []any, offset, limit int) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `
		WITH top AS MATERIALIZED (
		    SELECT s.id, s.actor_id, s.date`+from+`
		    ORDER BY s.date DESC, s.id DESC LIMIT `+strconv.Itoa(SearchSample+1)+`),
		m AS (SELECT * FROM top ORDER BY date DESC, id DESC LIMIT `+strconv.Itoa(SearchSample)+`),
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
		customPlan(args)...)
	if err != nil {
		return nil, wrap(err, "search counts")
	}
	type stat struct {
		kind  string
		facet Facet
	}
	stats, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stat, error) {
		var x stat
		err := r.Scan(&x.kind, &x.facet.Value, &x.facet.Label, &x.facet.Count)
		return x, err
	})
	if err != nil {
		return nil, wrap(err, "search counts")
	}
	var f Facets
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
	byCount := func(a, b Facet) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Label, b.Label)
	}
	slices.SortFunc(f.Sides, byCount)
	slices.SortFunc(f.Demands, byCount)
	slices.SortFunc(f.Years, func(a, b Facet) int { return cmp.Compare(b.Value, a.Value) })
	page.Facets = f
	if page.Total <= SearchSample {
		return ids, nil
	}
	// Broad: the planner's estimate of the matches, and export rows in the
	// sample's proportion. The estimate can be below the sample; not the
	// total.
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := s.pool.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT 1`+from, customPlan(args)...).Scan(&plan); err != nil {
		return nil, wrap(err, "search estimate")
	}
	est := page.Total
	if len(plan) == 1 && int(plan[0].Plan.Rows) > est {
		est = int(plan[0].Plan.Rows)
	}
	page.Rows = int(float64(page.Rows) / float64(SearchSample) * float64(est))
	page.Total, page.Estimated = est, true
	return ids, nil
}

// ListStatements returns the statements matching f (no count, no facets).
func (s *Store) ListStatements(ctx context.Context, f StatementFilter) ([]Statement, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Query, f.Sort = "", "date"
	where, args := f.where()
	n := len(args)
	rows, err := s.pool.Query(ctx, `SELECT `+statementCols+statementFrom+` WHERE `+where+
		` ORDER BY s.date DESC, s.id DESC`+fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, wrap(err, "list statements")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Statement, error) { return scanStatement(r) })
	return out, wrap(err, "list statements")
}

// StanceCount counts positions of one stance in one year ("none" counts
// statements without positions).
type StanceCount struct {
	Year   int
	Stance string
	Count  int
}

// CountStancesByYear breaks the statements matching f down by year and
// stance, for charts.
func (s *Store) CountStancesByYear(ctx context.Context, f StatementFilter) ([]StanceCount, error) {
	where, args := f.where()
	rows, err := s.pool.Query(ctx, `
		SELECT extract(year FROM s.date)::int, coalesce(p.stance, 'none'), count(*)`+statementFrom+`
		LEFT JOIN (positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL)
		       ON p.statement_id = s.id
		WHERE `+where+` GROUP BY 1, 2 ORDER BY 1, 2`, args...)
	if err != nil {
		return nil, wrap(err, "count stances by year")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StanceCount, error) {
		var c StanceCount
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
