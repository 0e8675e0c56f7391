package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Region is a territory that statements and demands concern.
type Region struct {
	ID      int64  `json:"id"`
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Country string `json:"country"`
	Kind    string `json:"kind"`
	Version int    `json:"version"`
}

// RegionInput is what an editor or the seed supplies for a region.
type RegionInput struct {
	Slug, Name, Country, Kind string
}

// Validate checks the input against the domain's rules.
func (in RegionInput) Validate() error {
	p := Problems{}
	checkText(p, map[string]string{"name": in.Name, "country": in.Country})
	if !ValidSlug(in.Slug) {
		p.Add("slug", "Use lowercase letters, digits and single hyphens, like \"donetsk\".")
	}
	if strings.TrimSpace(in.Name) == "" {
		p.Add("name", "Enter the region's name.")
	} else if utf8.RuneCountInString(in.Name) > 200 {
		p.Add("name", "Keep the name under 200 characters.")
	}
	if strings.TrimSpace(in.Country) == "" {
		p.Add("country", "Enter the country the region belongs to.")
	} else if utf8.RuneCountInString(in.Country) > 100 {
		p.Add("country", "Keep the country under 100 characters.")
	}
	if !slices.Contains(RegionKinds, in.Kind) {
		p.Add("kind", "Choose one of: "+strings.Join(RegionKinds, ", ")+".")
	}
	return p.Err()
}

const regionCols = `id, slug, name, country, kind, version`

func scanRegion(row pgx.Row) (Region, error) {
	var r Region
	err := row.Scan(&r.ID, &r.Slug, &r.Name, &r.Country, &r.Kind, &r.Version)
	return r, err
}

// ListRegions returns every region that is not deleted, by name.
func (s *Store) ListRegions(ctx context.Context) ([]Region, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+regionCols+` FROM regions WHERE deleted_at IS NULL ORDER BY name`)
	if err != nil {
		return nil, wrap(err, "list regions")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Region, error) { return scanRegion(r) })
	return out, wrap(err, "list regions")
}

// GetRegion returns the region with slug; ErrNotFound if there is none or
// it is deleted.
func (s *Store) GetRegion(ctx context.Context, slug string) (Region, error) {
	r, err := scanRegion(s.pool.QueryRow(ctx,
		`SELECT `+regionCols+` FROM regions WHERE slug = $1 AND deleted_at IS NULL`, slug))
	return r, wrap(err, "get region %q", slug)
}

// CreateRegion stores a new region with its first revision. It returns a
// *ValidationError for bad input and ErrConflict for a slug in use.
func (s *Store) CreateRegion(ctx context.Context, by Editor, in RegionInput) (Region, error) {
	if err := in.Validate(); err != nil {
		return Region{}, err
	}
	var r Region
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = createRegion(ctx, tx, by, in, "create")
		return err
	})
	return r, err
}

func createRegion(ctx context.Context, q querier, by Editor, in RegionInput, action string) (Region, error) {
	r, err := scanRegion(q.QueryRow(ctx, `
		INSERT INTO regions (slug, name, country, kind) VALUES ($1, $2, $3, $4)
		RETURNING `+regionCols, in.Slug, strings.TrimSpace(in.Name), strings.TrimSpace(in.Country), in.Kind))
	if err != nil {
		return r, wrap(err, "create region %q", in.Slug)
	}
	return r, writeRevision(ctx, q, by, "region", r.ID, r.Version, action, r)
}

// regionBySlug is the live region named by $1, inside a query: no round
// trip to look it up first.
const regionBySlug = `(SELECT id FROM regions WHERE slug = $1 AND deleted_at IS NULL)`

// RegionPage is one page of a region's timeline with the chart's counts.
type RegionPage struct {
	StatementPage
	Counts []StanceCount // by year and stance, as CountStancesByYear
}

// RegionTimeline returns one page of the timeline of f.Region, its number
// of statements and the counts by year and stance. Without other filters
// it reads the precomputed region_timeline and region_counts: a page costs
// the same at any size. With filters it is SearchStatements and
// CountStancesByYear.
func (s *Store) RegionTimeline(ctx context.Context, f StatementFilter) (RegionPage, error) {
	var page RegionPage
	if f.Limit <= 0 {
		f.Limit = 50
	}
	plain := StatementFilter{Region: f.Region, Sort: f.Sort, Limit: f.Limit, Offset: f.Offset}
	switch {
	case f.Query != "" || f.SourceID != 0 || f.Sort == "relevance":
		// Not columns of region_timeline: the general search.
		var err error
		if page.StatementPage, err = s.SearchStatements(ctx, f); err != nil {
			return page, err
		}
		page.Counts, err = s.CountStancesByYear(ctx, f)
		return page, err
	case f != plain:
		return s.filteredRegionTimeline(ctx, f)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT year, CASE stance WHEN '' THEN 'none' ELSE stance END, sum(rows)::int, sum(statements)::int
		FROM region_counts WHERE region_id = `+regionBySlug+`
		GROUP BY 1, 2 HAVING sum(rows) <> 0 ORDER BY 1, 2`, f.Region)
	if err != nil {
		return page, wrap(err, "region counts")
	}
	page.Counts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (StanceCount, error) {
		var c StanceCount
		var statements int
		err := r.Scan(&c.Year, &c.Stance, &c.Count, &statements)
		page.Total += statements
		return c, err
	})
	if err != nil {
		return page, wrap(err, "region counts")
	}
	// The page's statements are the distinct ones of the timeline's rows
	// (one per position), read in index order and stopping at the page.
	order := "DESC"
	if f.Sort == "oldest" {
		order = "ASC"
	}
	rows, err = s.pool.Query(ctx, `
		WITH page AS (
		    SELECT date, statement_id FROM region_timeline WHERE region_id = `+regionBySlug+`
		    GROUP BY date, statement_id
		    ORDER BY date `+order+`, statement_id `+order+` LIMIT $2 OFFSET $3)
		SELECT `+statementCols+` FROM page
		JOIN statements s ON s.id = page.statement_id
		JOIN actors a ON a.id = s.actor_id
		LEFT JOIN sources src ON src.id = s.source_id AND src.deleted_at IS NULL
		ORDER BY page.date `+order+`, page.statement_id `+order, f.Region, f.Limit, f.Offset)
	if err != nil {
		return page, wrap(err, "region timeline")
	}
	page.Statements, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Statement, error) { return scanStatement(r) })
	return page, wrap(err, "region timeline")
}

// filteredRegionTimeline is RegionTimeline with filters on the timeline's
// own columns: the matching statements are those with a row that passes
// (a position with the stance, on the demand), and the counts are over all
// their rows, as CountStancesByYear counts them.
func (s *Store) filteredRegionTimeline(ctx context.Context, f StatementFilter) (RegionPage, error) {
	var page RegionPage
	conds := []string{"t.region_id = " + regionBySlug}
	args := []any{f.Region}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	for col, v := range map[string]string{"actor_slug": f.Actor, "actor_side": f.Side, "demand": f.Demand,
		"stance": f.Stance, "attribution": f.Attribution} {
		if v != "" {
			conds = append(conds, "t."+col+" = "+arg(v))
		}
	}
	if !f.From.IsZero() {
		conds = append(conds, "t.date >= "+arg(f.From)+"::date")
	}
	to := f.To
	if !f.AsOf.IsZero() && (to.IsZero() || f.AsOf.Before(to)) {
		to = f.AsOf
	}
	if !to.IsZero() {
		conds = append(conds, "t.date <= "+arg(to)+"::date")
	}
	order := "DESC"
	if f.Sort == "oldest" {
		order = "ASC"
	}
	rows, err := s.pool.Query(ctx, `
		WITH m AS MATERIALIZED (
		    SELECT t.date, t.statement_id FROM region_timeline t WHERE `+strings.Join(conds, " AND ")+`
		    GROUP BY t.date, t.statement_id)
		SELECT 'count', extract(year FROM t.date)::int, CASE t.stance WHEN '' THEN 'none' ELSE t.stance END, count(*)
		FROM region_timeline t JOIN m ON m.statement_id = t.statement_id
		WHERE t.region_id = `+regionBySlug+`
		GROUP BY 2, 3
		UNION ALL
		SELECT 'total', 0, '', count(*) FROM m
		UNION ALL
		(SELECT 'page', 0, '', statement_id FROM m ORDER BY date `+order+`, statement_id `+order+`
		 LIMIT `+strconv.Itoa(f.Limit)+` OFFSET `+strconv.Itoa(f.Offset)+`)`, args...)
	if err != nil {
		return page, wrap(err, "region timeline")
	}
	var ids []int64
	var kind, stance string
	var year int
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&kind, &year, &stance, &n}, func() error {
		switch kind {
		case "count":
			page.Counts = append(page.Counts, StanceCount{Year: year, Stance: stance, Count: int(n)})
		case "total":
			page.Total = int(n)
		case "page":
			ids = append(ids, n)
		}
		return nil
	})
	if err != nil {
		return page, wrap(err, "region timeline")
	}
	slices.SortFunc(page.Counts, func(a, b StanceCount) int {
		if a.Year != b.Year {
			return a.Year - b.Year
		}
		return strings.Compare(a.Stance, b.Stance)
	})
	rows, err = s.pool.Query(ctx, `SELECT `+statementCols+statementFrom+`WHERE s.id = ANY ($1)
		ORDER BY s.date `+order+`, s.id `+order, ids)
	if err != nil {
		return page, wrap(err, "region timeline")
	}
	page.Statements, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Statement, error) { return scanStatement(r) })
	return page, wrap(err, "region timeline")
}
