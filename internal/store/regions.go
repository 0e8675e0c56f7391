package store

import (
	"context"
	"slices"
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
	plain := StatementFilter{Region: f.Region, Sort: f.Sort, Limit: f.Limit, Offset: f.Offset}
	if f != plain || f.Sort == "relevance" {
		var err error
		if page.StatementPage, err = s.SearchStatements(ctx, f); err != nil {
			return page, err
		}
		page.Counts, err = s.CountStancesByYear(ctx, f)
		return page, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	// The region by slug inside each query: no round trip to look it up.
	const regionID = `(SELECT id FROM regions WHERE slug = $1 AND deleted_at IS NULL)`
	rows, err := s.pool.Query(ctx, `
		SELECT year, CASE stance WHEN '' THEN 'none' ELSE stance END, sum(rows)::int, sum(statements)::int
		FROM region_counts WHERE region_id = `+regionID+`
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
		    SELECT date, statement_id FROM region_timeline WHERE region_id = `+regionID+`
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
