package store

import (
	"context"
	"strconv"
	"strings"

	"parley"
)

// filterSQL is a StatementFilter compiled to SQL conditions with numbered
// parameters. compileFilter is the one place a filter becomes SQL: search,
// counts, change feeds and exports compile it over the joined tables,
// region pages and region exports over region_timeline's rows.
type filterSQL struct {
	conds []string
	args  []any
	// join and order, when set, drive the rows from a derived table's
	// index (resolvedFilter.drive): a JOIN after statementFrom, and the
	// newest-first order by that table's columns.
	join, order string
}

// arg adds v as the next parameter and returns its placeholder.
func (q *filterSQL) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// where is the conditions joined by AND.
func (q *filterSQL) where() string { return strings.Join(q.conds, " AND ") }

// filterTarget names the columns a filter is compiled against.
type filterTarget struct {
	statement, actorSlug, actorSide, attribution, date string
	// timeline: the rows are region_timeline's (alias in the columns), so
	// the region is the row's own and a text query or source cannot apply.
	timeline bool
	// rowPositions: demand and stance match the row's own columns (a
	// timeline row is one position) instead of any position of the
	// statement.
	rowPositions bool
}

var (
	// overStatements is statements s joined with their actor a.
	overStatements = filterTarget{statement: "s.id", actorSlug: "a.slug", actorSide: "a.side",
		attribution: "s.attribution", date: "s.date"}
	// overExportTimeline is region_timeline rt, keeping every row of a
	// statement that matches (an export shows the whole statement).
	overExportTimeline = timelineTarget("rt", false)
	// overTimelineRows is region_timeline t, matching row by row.
	overTimelineRows = timelineTarget("t", true)
)

func timelineTarget(alias string, rowPositions bool) filterTarget {
	return filterTarget{statement: alias + ".statement_id", actorSlug: alias + ".actor_slug", actorSide: alias + ".actor_side",
		attribution: alias + ".attribution", date: alias + ".date", timeline: true, rowPositions: rowPositions}
}

// readsTimeline reports whether a region's statements matching f can be
// read from region_timeline: its columns hold every filter but a text
// query and a source.
func readsTimeline(f parley.StatementFilter) bool {
	return f.Region != "" && f.Query == "" && f.SourceID == 0
}

// resolvedFilter is a filter with the actor's id looked up (actorID: 0 not
// looked up, -1 no such actor), so that a query planned with its values
// reads that actor's rows by the (actor_id, date) index in order instead
// of joining by slug and sorting every one of them: the planner knows an
// id's frequency, not a slug's.
type resolvedFilter struct {
	parley.StatementFilter
	actorID int64
	// drive: the query may read its rows newest first from a derived
	// table's index (SearchStatements) — stance_log for a demand,
	// region_timeline for a region — instead of walking every statement
	// by date and probing each, which reads tens of thousands of rows for
	// a page of a common demand or region.
	drive bool
}

// resolveActor looks f's actor up (see resolvedFilter).
func (s *Store) resolveActor(ctx context.Context, f parley.StatementFilter) (resolvedFilter, error) {
	rf := resolvedFilter{StatementFilter: f}
	if f.Actor == "" {
		return rf, nil
	}
	err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT id FROM actors WHERE slug = $1 AND deleted_at IS NULL), -1)`, f.Actor).Scan(&rf.actorID)
	return rf, wrap(err, "find actor %q", f.Actor)
}

// compileFilter compiles f for target t. The text query, when there is one,
// is always parameter $1 (search's headline columns rely on it). On a
// timeline target, f must satisfy readsTimeline.
func compileFilter(f parley.StatementFilter, t filterTarget) *filterSQL {
	return compileResolved(resolvedFilter{StatementFilter: f}, t)
}

// compileResolved is compileFilter with the actor's id when rf has one.
func compileResolved(rf resolvedFilter, t filterTarget) *filterSQL {
	f := rf.StatementFilter
	q := &filterSQL{}
	if !t.timeline {
		q.conds = append(q.conds, "s.deleted_at IS NULL", "a.deleted_at IS NULL")
		if f.Query != "" {
			q.conds = append(q.conds, "s.search @@ websearch_to_tsquery('english', "+q.arg(f.Query)+")")
		}
	}
	demandDrives := rf.drive && !t.timeline && f.Demand != ""
	if f.Region != "" && rf.drive && !t.timeline && !demandDrives {
		// region_timeline holds a row per position (or one) of each live
		// statement of a live actor in the region, by mention or by a
		// live demand's regions: the statements the EXISTS below keeps.
		q.join = `JOIN (SELECT DISTINCT ON (rt.date, rt.statement_id) rt.statement_id, rt.date FROM region_timeline rt
			WHERE rt.region_id = (SELECT id FROM regions WHERE slug = ` + q.arg(f.Region) + ` AND deleted_at IS NULL)
			ORDER BY rt.date DESC, rt.statement_id DESC) rl ON rl.statement_id = s.id `
		q.order = "rl.date DESC, rl.statement_id DESC"
	} else if f.Region != "" {
		r := q.arg(f.Region)
		if t.timeline {
			// (an InitPlan: the index scan on region_id starts from its value)
			q.conds = append(q.conds, strings.SplitN(t.statement, ".", 2)[0]+".region_id = (SELECT id FROM regions WHERE slug = "+r+" AND deleted_at IS NULL)")
		} else {
			q.conds = append(q.conds, `(EXISTS (SELECT 1 FROM statement_regions sr JOIN regions r ON r.id = sr.region_id AND r.deleted_at IS NULL
			WHERE sr.statement_id = s.id AND r.slug = `+r+`)
		 OR EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
			JOIN demand_regions dr ON dr.demand_id = p.demand_id JOIN regions r ON r.id = dr.region_id AND r.deleted_at IS NULL
			WHERE p.statement_id = s.id AND r.slug = `+r+`))`)
		}
	}
	switch {
	case rf.actorID != 0 && !t.timeline:
		q.conds = append(q.conds, "s.actor_id = "+q.arg(rf.actorID))
	case f.Actor != "":
		q.conds = append(q.conds, t.actorSlug+" = "+q.arg(f.Actor))
	}
	if f.Side != "" {
		q.conds = append(q.conds, t.actorSide+" = "+q.arg(f.Side))
	}
	if f.Attribution != "" {
		q.conds = append(q.conds, t.attribution+" = "+q.arg(f.Attribution))
	}
	if demandDrives {
		// stance_log holds exactly the live positions of live statements
		// and actors: the rows the EXISTS below keeps.
		q.join = "JOIN stance_log dl ON dl.statement_id = s.id "
		q.order = "dl.date DESC, dl.statement_id DESC"
		q.conds = append(q.conds, "dl.demand_id = (SELECT id FROM demands WHERE slug = "+q.arg(f.Demand)+" AND deleted_at IS NULL)")
		if f.Stance != "" {
			q.conds = append(q.conds, "dl.stance = "+q.arg(f.Stance))
		}
	} else if f.Demand != "" || f.Stance != "" {
		if t.rowPositions {
			alias := strings.SplitN(t.statement, ".", 2)[0]
			if f.Demand != "" {
				q.conds = append(q.conds, alias+".demand = "+q.arg(f.Demand))
			}
			if f.Stance != "" {
				q.conds = append(q.conds, alias+".stance = "+q.arg(f.Stance))
			}
		} else {
			c := "EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL WHERE p.statement_id = " + t.statement
			if f.Demand != "" {
				c += " AND d.slug = " + q.arg(f.Demand)
			}
			if f.Stance != "" {
				c += " AND p.stance = " + q.arg(f.Stance)
			}
			q.conds = append(q.conds, c+")")
		}
	}
	if f.SourceID != 0 && !t.timeline {
		q.conds = append(q.conds, "s.source_id = "+q.arg(f.SourceID))
	}
	if !f.From.IsZero() {
		q.conds = append(q.conds, t.date+" >= "+q.arg(f.From)+"::date")
	}
	if to := f.Until(); !to.IsZero() {
		q.conds = append(q.conds, t.date+" <= "+q.arg(to)+"::date")
	}
	return q
}

// orderBy is the ORDER BY of a search over statements for f; queryArg is
// the text query's placeholder.
func orderBy(f parley.StatementFilter, queryArg string) string {
	switch {
	case f.Sort == "oldest":
		return "s.date ASC, s.id ASC"
	case f.Sort == "relevance" && f.Query != "":
		return "ts_rank_cd(s.search, websearch_to_tsquery('english', " + queryArg + ")) DESC, s.date DESC, s.id DESC"
	}
	return "s.date DESC, s.id DESC"
}
