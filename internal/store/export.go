package store

import (
	"context"
	"fmt"
	"time"
)

// ExportRow is one (statement, position) row of an export; a statement
// without positions gives one row with empty Demand and Stance.
type ExportRow struct {
	StatementID     int64
	Date            Date
	Actor           string
	ActorSlug       string
	ActorSide       string
	Demand          string
	Stance          string
	Quote           string
	Summary         string
	Regions         []string
	Occasion        string
	Attribution     string
	SourceOutlet    string
	SourceTitle     string
	SourceURL       string
	SourcePublished Date
}

// ExportStatements streams the rows of the statements matching f, oldest
// first, to fn as they arrive from the database (memory stays flat). It
// stops at the first error fn returns.
func (s *Store) ExportStatements(ctx context.Context, f StatementFilter, fn func(ExportRow) error) error {
	f.Sort, f.Limit, f.Offset = "oldest", 0, 0
	where, args := f.where()
	rows, err := s.pool.Query(ctx, `
		SELECT s.id, s.date, s.date_precision, a.name, a.slug, a.side, coalesce(d.slug, ''), coalesce(p.stance, ''),
		       s.quote, s.summary,
		       coalesce((SELECT array_agg(r.slug ORDER BY r.slug) FROM statement_regions sr
		                 JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL WHERE sr.statement_id = s.id), '{}'),
		       s.occasion, s.attribution, coalesce(src.outlet, ''), coalesce(src.title, ''), coalesce(src.url, ''),
		       src.published, coalesce(src.published_precision, 'day')`+statementFrom+`
		LEFT JOIN (positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL)
		       ON p.statement_id = s.id
		WHERE `+where+`
		ORDER BY s.date, s.id, d.slug`, args...)
	if err != nil {
		return wrap(err, "export statements")
	}
	defer rows.Close()
	var r ExportRow
	var published *time.Time
	for rows.Next() {
		if err := rows.Scan(&r.StatementID, &r.Date.Time, &r.Date.Precision, &r.Actor, &r.ActorSlug, &r.ActorSide, &r.Demand,
			&r.Stance, &r.Quote, &r.Summary, &r.Regions, &r.Occasion, &r.Attribution, &r.SourceOutlet,
			&r.SourceTitle, &r.SourceURL, &published, &r.SourcePublished.Precision); err != nil {
			return wrap(err, "export statements")
		}
		r.SourcePublished.Time = time.Time{}
		if published != nil {
			r.SourcePublished.Time = *published
		}
		if err := fn(r); err != nil {
			return fmt.Errorf("store: export statements: %w", err)
		}
	}
	return wrap(rows.Err(), "export statements")
}
