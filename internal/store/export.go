package store

import (
	"context"
	"fmt"
	"parley"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ExportStatements streams the rows of the statements matching f, oldest
// first, to fn as they arrive from the database (memory stays flat). It
// stops at the first error fn returns.
func (s *Store) ExportStatements(ctx context.Context, f parley.StatementFilter, fn func(parley.ExportRow) error) error {
	f.Sort, f.Limit, f.Offset = "oldest", 0, 0
	sql, args := exportQuery(f)
	// One read-only transaction: a consistent snapshot however long the
	// download takes.
	return wrap(pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if readsTimeline(f) {
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

// exportQuery is the export's SQL for f. A region's timeline without a text
// search reads the precomputed region_timeline rows, already in export
// order; anything else joins and sorts.
func exportQuery(f parley.StatementFilter) (string, []any) {
	if readsTimeline(f) {
		return timelineExportQuery(f)
	}
	q := compileFilter(f, overStatements)
	return exportJoinSQL(q.where()), q.args
}

// exportJoinSQL is the export computed from the tables, for any filter.
func exportJoinSQL(where string) string {
	return `
		SELECT s.id, s.date, s.date_precision, a.name, a.slug, a.side, coalesce(d.slug, ''), coalesce(p.stance, ''),
		       s.quote, s.summary,
		       coalesce((SELECT array_agg(r.slug ORDER BY r.slug) FROM statement_regions sr
		                 JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL WHERE sr.statement_id = s.id), '{}'),
		       s.occasion, s.attribution, coalesce(src.outlet, ''), coalesce(src.title, ''), coalesce(src.url, ''),
		       src.published, coalesce(src.published_precision, 'day'),
		       (SELECT count(*)::int FROM reports rp WHERE rp.statement_id = s.id),
		       coalesce((SELECT string_agg(pc.side || ':' || cd.slug || ':' || pc.stance, ';' ORDER BY pc.side, cd.slug)
		                 FROM position_conditions pc JOIN demands cd ON cd.id = pc.cond_demand_id
		                 WHERE pc.statement_id = s.id AND pc.demand_id = p.demand_id), '')` + statementFrom + `
		LEFT JOIN (positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL)
		       ON p.statement_id = s.id
		WHERE ` + where + `
		ORDER BY s.date, s.id, d.slug`
}

// timelineExportQuery reads a region's precomputed timeline with f's
// filters. Filters on a statement's positions (demand, stance) keep every
// row of a matching statement, as the page shows the whole statement.
func timelineExportQuery(f parley.StatementFilter) (string, []any) {
	q := compileFilter(f, overExportTimeline)
	return `SELECT rt.statement_id, rt.date, rt.date_precision, rt.actor, rt.actor_slug, rt.actor_side, rt.demand, rt.stance,
		       rt.quote, rt.summary, rt.regions, rt.occasion, rt.attribution, rt.source_outlet, rt.source_title,
		       rt.source_url, rt.source_published, rt.source_precision, rt.report_count, rt.conditions
		FROM region_timeline rt
		WHERE ` + q.where() + `
		ORDER BY rt.region_id, rt.date, rt.statement_id, rt.demand`, q.args
}

// scanExport hands each row to fn.
func scanExport(rows pgx.Rows, fn func(parley.ExportRow) error) error {
	defer rows.Close()
	var r parley.ExportRow
	var published *time.Time
	var conditions string
	for rows.Next() {
		if err := rows.Scan(&r.StatementID, &r.Date.Time, &r.Date.Precision, &r.Actor, &r.ActorSlug, &r.ActorSide, &r.Demand,
			&r.Stance, &r.Quote, &r.Summary, &r.Regions, &r.Occasion, &r.Attribution, &r.SourceOutlet,
			&r.SourceTitle, &r.SourceURL, &published, &r.SourcePublished.Precision, &r.ReportCount, &conditions); err != nil {
			return wrap(err, "export statements")
		}
		r.Conditions = nil // a new slice per row: writers may keep it
		for _, c := range strings.Split(conditions, ";") {
			if c, err := parley.ParseCondition(c); err == nil { // as stored: side:demand:stance
				r.Conditions = append(r.Conditions, c)
			}
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
