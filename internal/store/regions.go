package store

import (
	"context"
	"parley"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

const regionCols = `id, slug, name, country, kind, version`

func scanRegion(row pgx.Row) (parley.Region, error) {
	var r parley.Region
	err := row.Scan(&r.ID, &r.Slug, &r.Name, &r.Country, &r.Kind, &r.Version)
	return r, err
}

// ListRegions returns every region that is not deleted, by name.
func (s *Store) ListRegions(ctx context.Context) ([]parley.Region, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+regionCols+` FROM regions WHERE deleted_at IS NULL ORDER BY name`)
	if err != nil {
		return nil, wrap(err, "list regions")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Region, error) { return scanRegion(r) })
	return out, wrap(err, "list regions")
}

// GetRegion returns the region with slug; ErrNotFound if there is none or
// it is deleted.
func (s *Store) GetRegion(ctx context.Context, slug string) (parley.Region, error) {
	r, err := scanRegion(s.pool.QueryRow(ctx,
		`SELECT `+regionCols+` FROM regions WHERE slug = $1 AND deleted_at IS NULL`, slug))
	return r, wrap(err, "get region %q", slug)
}

// CreateRegion stores a new region with its first revision. It returns a
// *ValidationError for bad input and ErrConflict for a slug in use.
func (s *Store) CreateRegion(ctx context.Context, by parley.Editor, in parley.RegionInput) (parley.Region, error) {
	if err := in.Validate(); err != nil {
		return parley.Region{}, err
	}
	var r parley.Region
	err := s.transact(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = createRegion(ctx, tx, by, in, "create")
		return err
	})
	return r, err
}

func createRegion(ctx context.Context, q querier, by parley.Editor, in parley.RegionInput, action string) (parley.Region, error) {
	r, err := scanRegion(q.QueryRow(ctx, `
		INSERT INTO regions (slug, name, country, kind) VALUES ($1, $2, $3, $4)
		RETURNING `+regionCols, in.Slug, strings.TrimSpace(in.Name), strings.TrimSpace(in.Country), in.Kind))
	if err != nil {
		return r, wrap(err, "create region %q", in.Slug)
	}
	return r, writeRevision(ctx, q, by, parley.KindRegion, r.ID, r.Version, action, r)
}

// regionBySlug is the live region named by $1, inside a query: no round
// trip to look it up first.
const regionBySlug = `(SELECT id FROM regions WHERE slug = $1 AND deleted_at IS NULL)`

// RegionTimeline returns one page of the timeline of f.Region, its number
// of statements and the counts by year and stance. Without other filters
// it reads the precomputed region_timeline and region_counts: a page costs
// the same at any size. With filters it is SearchStatements and
// CountStancesByYear.
func (s *Store) RegionTimeline(ctx context.Context, f parley.StatementFilter) (parley.RegionPage, error) {
	var page parley.RegionPage
	if f.Limit <= 0 {
		f.Limit = 50
	}
	plain := parley.StatementFilter{Region: f.Region, Sort: f.Sort, Limit: f.Limit, Offset: f.Offset}
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
	page.Counts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StanceCount, error) {
		var c parley.StanceCount
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
	page.Statements, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Statement, error) { return scanStatement(r) })
	return page, wrap(err, "region timeline")
}

// filteredRegionTimeline is RegionTimeline with filters on the timeline's
// own columns: the matching statements are those with a row that passes
// (a position with the stance, on the demand), and the counts are over all
// their rows, as CountStancesByYear counts them.
func (s *Store) filteredRegionTimeline(ctx context.Context, f parley.StatementFilter) (parley.RegionPage, error) {
	var page parley.RegionPage
	// The region is $1 on a timeline target, which regionBySlug reads.
	q := compileFilter(f, overTimelineRows)
	order := "DESC"
	if f.Sort == "oldest" {
		order = "ASC"
	}
	rows, err := s.pool.Query(ctx, `
		WITH m AS MATERIALIZED (
		    SELECT t.date, t.statement_id FROM region_timeline t WHERE `+q.where()+`
		    GROUP BY t.date, t.statement_id)
		SELECT 'count', extract(year FROM t.date)::int, CASE t.stance WHEN '' THEN 'none' ELSE t.stance END, count(*)
		FROM region_timeline t JOIN m ON m.statement_id = t.statement_id
		WHERE t.region_id = `+regionBySlug+`
		GROUP BY 2, 3
		UNION ALL
		SELECT 'total', 0, '', count(*) FROM m
		UNION ALL
		(SELECT 'page', 0, '', statement_id FROM m ORDER BY date `+order+`, statement_id `+order+`
		 LIMIT `+strconv.Itoa(f.Limit)+` OFFSET `+strconv.Itoa(f.Offset)+`)`, q.args...)
	if err != nil {
		return page, wrap(err, "region timeline")
	}
	var ids []int64
	var kind, stance string
	var year int
	var n int64
	page.Counts = []parley.StanceCount{} // none is an empty list, as CountStancesByYear gives it
	_, err = pgx.ForEachRow(rows, []any{&kind, &year, &stance, &n}, func() error {
		switch kind {
		case "count":
			page.Counts = append(page.Counts, parley.StanceCount{Year: year, Stance: stance, Count: int(n)})
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
	slices.SortFunc(page.Counts, func(a, b parley.StanceCount) int {
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
	page.Statements, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Statement, error) { return scanStatement(r) })
	return page, wrap(err, "region timeline")
}
