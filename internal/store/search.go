package store

import (
	"context"
	"fmt"
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
// the whole result.
type StatementPage struct {
	Statements []Statement
	Total      int
	Facets     Facets
}

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
	n := len(args)
	rows, err := s.pool.Query(ctx, `SELECT `+cols+from+` ORDER BY `+f.orderBy(queryArg)+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return page, wrap(err, "search statements")
	}
	page.Statements, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Statement, error) {
		var summary, quote string
		st, err := scanStatement(r, &summary, &quote)
		st.SummaryMarked, st.QuoteMarked = summary, quote
		return st, err
	})
	if err != nil {
		return page, wrap(err, "search statements")
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*)`+from, args...).Scan(&page.Total); err != nil {
		return page, wrap(err, "count statements")
	}
	facet := func(sql string) ([]Facet, error) {
		rows, err := s.pool.Query(ctx, sql, args...)
		if err != nil {
			return nil, wrap(err, "statement facets")
		}
		out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Facet, error) {
			var x Facet
			err := r.Scan(&x.Value, &x.Label, &x.Count)
			return x, err
		})
		return out, wrap(err, "statement facets")
	}
	if page.Facets.Sides, err = facet(`SELECT a.side, a.side, count(*)` + from + ` GROUP BY a.side ORDER BY count(*) DESC, a.side`); err != nil {
		return page, err
	}
	if page.Facets.Demands, err = facet(`SELECT fd.slug, fd.title, count(DISTINCT s.id)` + statementFrom + `
		JOIN positions fp ON fp.statement_id = s.id JOIN demands fd ON fd.id = fp.demand_id AND fd.deleted_at IS NULL
		WHERE ` + where + ` GROUP BY fd.slug, fd.title ORDER BY count(DISTINCT s.id) DESC, fd.title`); err != nil {
		return page, err
	}
	if page.Facets.Years, err = facet(`SELECT extract(year FROM s.date)::text, extract(year FROM s.date)::text, count(*)` + from + `
		GROUP BY 1 ORDER BY 1 DESC`); err != nil {
		return page, err
	}
	return page, nil
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
