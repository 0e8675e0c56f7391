package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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
	sql, args := f.exportQuery()
	// One read-only transaction: a consistent snapshot however long the
	// download takes.
	return wrap(pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if f.usesTimeline() {
			// The timeline's primary key is already in export order: walk it,
			// so the first row leaves at once. Left to itself the planner
			// would collect and sort a large region first, as if the client
			// wanted nothing until the end.
			if _, err := tx.Exec(ctx, `SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off`); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		return scanExport(rows, fn)
	}), "export statements")
}

// usesTimeline reports whether the export of f reads region_timeline.
func (f StatementFilter) usesTimeline() bool {
	return f.Region != "" && f.Query == "" && f.SourceID == 0
}

// exportQuery is the export's SQL for f. A region's timeline without a text
// search reads the precomputed region_timeline rows, already in export
// order; anything else joins and sorts.
func (f StatementFilter) exportQuery() (string, []any) {
	if f.usesTimeline() {
		return f.timelineQuery()
	}
	where, args := f.where()
	return exportJoinSQL(where), args
}

// exportJoinSQL is the export computed from the tables, for any filter.
func exportJoinSQL(where string) string {
	return `
		SELECT s.id, s.date, s.date_precision, a.name, a.slug, a.side, coalesce(d.slug, ''), coalesce(p.stance, ''),
		       s.quote, s.summary,
		       coalesce((SELECT array_agg(r.slug ORDER BY r.slug) FROM statement_regions sr
		                 JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL WHERE sr.statement_id = s.id), '{}'),
		       s.occasion, s.attribution, coalesce(src.outlet, ''), coalesce(src.title, ''), coalesce(src.url, ''),
		       src.published, coalesce(src.published_precision, 'day')` + statementFrom + `
		LEFT JOIN (positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL)
		       ON p.statement_id = s.id
		WHERE ` + where + `
		ORDER BY s.date, s.id, d.slug`
}

// timelineQuery reads a region's precomputed timeline with f's filters.
// Filters on a statement's positions (demand, stance) keep every row of a
// matching statement, as the page shows the whole statement.
func (f StatementFilter) timelineQuery() (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	conds := []string{"rt.region_id = (SELECT id FROM regions WHERE slug = " + arg(f.Region) + " AND deleted_at IS NULL)"}
	// (an InitPlan: the index scan on region_id starts from its value)
	if f.Actor != "" {
		conds = append(conds, "rt.actor_slug = "+arg(f.Actor))
	}
	if f.Side != "" {
		conds = append(conds, "rt.actor_side = "+arg(f.Side))
	}
	if f.Attribution != "" {
		conds = append(conds, "rt.attribution = "+arg(f.Attribution))
	}
	if f.Demand != "" || f.Stance != "" {
		c := "EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL WHERE p.statement_id = rt.statement_id"
		if f.Demand != "" {
			c += " AND d.slug = " + arg(f.Demand)
		}
		if f.Stance != "" {
			c += " AND p.stance = " + arg(f.Stance)
		}
		conds = append(conds, c+")")
	}
	if !f.From.IsZero() {
		conds = append(conds, "rt.date >= "+arg(f.From)+"::date")
	}
	to := f.To
	if !f.AsOf.IsZero() && (to.IsZero() || f.AsOf.Before(to)) {
		to = f.AsOf
	}
	if !to.IsZero() {
		conds = append(conds, "rt.date <= "+arg(to)+"::date")
	}
	return `SELECT rt.statement_id, rt.date, rt.date_precision, rt.actor, rt.actor_slug, rt.actor_side, rt.demand, rt.stance,
		       rt.quote, rt.summary, rt.regions, rt.occasion, rt.attribution, rt.source_outlet, rt.source_title,
		       rt.source_url, rt.source_published, rt.source_precision
		FROM region_timeline rt
		WHERE ` + strings.Join(conds, " AND ") + `
		ORDER BY rt.region_id, rt.date, rt.statement_id, rt.demand`, args
}

// scanExport hands each row to fn.
func scanExport(rows pgx.Rows, fn func(ExportRow) error) error {
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
