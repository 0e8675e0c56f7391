package store

import (
	"context"
	"parley"
	"time"

	"github.com/jackc/pgx/v5"
)

// The queries here read stance_log (migration 00005), the live positions
// kept with their actor, side and date by triggers, so that "the latest
// stance as of a day" is an index probe instead of a sort of every
// position.

// TopActors returns the live actors with the most positions, at most
// limit, most active first, and how many actors have any position.
func (s *Store) TopActors(ctx context.Context, limit int) ([]parley.Actor, int, error) {
	rows, err := s.pool.Query(ctx, `
		WITH c AS (`+actorTotalsSQL+`),
		top AS (SELECT c.actor_id, c.n, x.name FROM c JOIN actors x ON x.id = c.actor_id
		        ORDER BY c.n DESC, x.name, x.id LIMIT $1)
		SELECT `+actorCols+`, (SELECT count(*) FROM c)`+actorFrom+`
		JOIN top ON top.actor_id = a.id
		ORDER BY top.n DESC, top.name, top.actor_id`, limit)
	if err != nil {
		return nil, 0, wrap(err, "top actors")
	}
	total := 0
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Actor, error) {
		var a parley.Actor
		err := r.Scan(append(actorDest(&a), &total)...)
		return a, err
	})
	return out, total, wrap(err, "top actors")
}

// CompactCounts folds the rows the count ledgers (actor_counts,
// region_counts) accumulate, one per write, into one row per key.
func (s *Store) CompactCounts(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `SELECT compact_counts()`)
	return wrap(err, "compact counts")
}

// CurrentPositions returns the given actors' current stances on every
// demand they have addressed, as of asOf (the zero time: as of now).
func (s *Store) CurrentPositions(ctx context.Context, actorIDs []int64, asOf time.Time) ([]parley.CurrentPosition, error) {
	return s.currentPositions(ctx, "= ANY ($1)", asOf, actorIDs)
}

// TopActorPositions is CurrentPositions of the limit actors TopActors
// returns, without waiting for it: the dashboard runs both at once. With
// partiesOnly, only those of them whose side is a party.
func (s *Store) TopActorPositions(ctx context.Context, limit int, asOf time.Time, partiesOnly bool) ([]parley.CurrentPosition, error) {
	actors := `IN (
		SELECT c.actor_id FROM (` + actorTotalsSQL + `) c JOIN actors x ON x.id = c.actor_id
		ORDER BY c.n DESC, x.name, x.id LIMIT $1)`
	if partiesOnly {
		actors += ` AND a.side IN (SELECT slug FROM sides WHERE role = 'party' AND deleted_at IS NULL)`
	}
	return s.currentPositions(ctx, actors, asOf, limit)
}

// actorTotalsSQL is the live positions of each actor with any, from the
// actor_counts ledger (summed as int: a bigint sum is a numeric, ~40%
// slower here). Deleted actors have no stance_log rows, so none counted.
const actorTotalsSQL = `SELECT actor_id, sum(positions::int) AS n FROM actor_counts GROUP BY actor_id HAVING sum(positions::int) > 0`

// currentPositions reads the stances of the actors whose id is actors (a
// condition on an id with $1 as its argument) as of asOf ($2).
func (s *Store) currentPositions(ctx context.Context, actors string, asOf time.Time, arg any) ([]parley.CurrentPosition, error) {
	// Now: the maintained current_positions (with its conditional flag).
	// As of a day: one probe per (actor, demand) of stance_log's (actor,
	// demand, date) index, and one of position_conditions.
	sql := `
		SELECT a.slug, a.name, a.side, d.slug, c.stance, c.date, c.date_precision, c.statement_id, c.attribution, c.conditional
		FROM current_positions c
		JOIN actors a ON a.id = c.actor_id AND a.deleted_at IS NULL
		JOIN demands d ON d.id = c.demand_id AND d.deleted_at IS NULL
		WHERE c.actor_id ` + actors + ` AND $2::date IS NULL
		ORDER BY a.id, d.id`
	if !asOf.IsZero() {
		sql = `
		SELECT a.slug, a.name, a.side, d.slug, l.stance, l.date, l.date_precision, l.statement_id, l.attribution,
		       coalesce(pc.conditional, false)
		FROM actors a
		CROSS JOIN demands d
		CROSS JOIN LATERAL (
		    SELECT l.stance, l.date, l.date_precision, l.statement_id, l.attribution
		    FROM stance_log l
		    WHERE l.actor_id = a.id AND l.demand_id = d.id AND l.date <= coalesce($2::date, 'infinity')
		    ORDER BY l.date DESC, l.statement_id DESC LIMIT 1) l
		` + conditionalSQL("l.statement_id", "d.id") + `
		WHERE a.id ` + actors + ` AND a.deleted_at IS NULL AND d.deleted_at IS NULL
		ORDER BY a.id, d.id`
	}
	rows, err := s.pool.Query(ctx, sql, arg, nullDate(asOf))
	if err != nil {
		return nil, wrap(err, "current positions")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.CurrentPosition, error) {
		var c parley.CurrentPosition
		err := r.Scan(&c.ActorSlug, &c.ActorName, &c.ActorSide, &c.DemandSlug, &c.Stance, &c.Date.Time, &c.Date.Precision, &c.StatementID, &c.Attribution, &c.Conditional)
		return c, err
	})
	return out, wrap(err, "current positions")
}

// conditionalSQL joins pc.conditional: whether the position of the
// statement on the demand (the columns given) holds on conditions. A probe
// per row: as an EXISTS the planner hashes the whole position_conditions
// table for every query.
func conditionalSQL(statement, demand string) string {
	return `LEFT JOIN LATERAL (SELECT true AS conditional FROM position_conditions pc
		    WHERE pc.statement_id = ` + statement + ` AND pc.demand_id = ` + demand + ` LIMIT 1) pc ON true`
}

// DemandPositions returns every actor's current stance on one demand.
func (s *Store) DemandPositions(ctx context.Context, demand string) ([]parley.CurrentPosition, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT l.slug, l.name, l.side, d.slug, l.stance, l.date, l.date_precision, l.statement_id, l.attribution,
		       coalesce(pc.conditional, false)
		FROM (SELECT DISTINCT ON (l.actor_id)
		             l.actor_id, a.slug, a.name, a.side, l.demand_id, l.stance, l.date, l.date_precision, l.statement_id, l.attribution
		      FROM stance_log l
		      JOIN actors a ON a.id = l.actor_id
		      WHERE l.demand_id = (SELECT id FROM demands WHERE slug = $1)
		      ORDER BY l.actor_id, l.date DESC, l.statement_id DESC) l
		JOIN demands d ON d.id = l.demand_id
		`+conditionalSQL("l.statement_id", "l.demand_id")+`
		ORDER BY l.actor_id`, demand)
	if err != nil {
		return nil, wrap(err, "demand positions")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.CurrentPosition, error) {
		var c parley.CurrentPosition
		err := r.Scan(&c.ActorSlug, &c.ActorName, &c.ActorSide, &c.DemandSlug, &c.Stance, &c.Date.Time, &c.Date.Precision, &c.StatementID, &c.Attribution, &c.Conditional)
		return c, err
	})
	return out, wrap(err, "demand positions")
}

// SideStances returns the stance of every side that counts (parties and
// stakeholders, never observers) on every demand (on the one demand, when
// given) as of asOf (zero: now), by the rule of parley.SideStance. A stance
// on a demand's converse counts on the demand too, mirrored and marked Via
// the converse: whichever is newer is the side's stance.
func (s *Store) SideStances(ctx context.Context, asOf time.Time, demand string) ([]parley.SideStance, error) {
	return s.sideStances(ctx, asOf, demand, false)
}

// PartyStances is SideStances of the parties only (the gaps and the
// bargaining space need no more), on every demand.
func (s *Store) PartyStances(ctx context.Context, asOf time.Time) ([]parley.SideStance, error) {
	return s.sideStances(ctx, asOf, "", true)
}

func (s *Store) sideStances(ctx context.Context, asOf time.Time, demand string, parties bool) ([]parley.SideStance, error) {
	return sideStances(ctx, s.pool, asOf, demand, parties)
}

func sideStances(ctx context.Context, q querier, asOf time.Time, demand string, parties bool) ([]parley.SideStance, error) {
	// Four index probes per side and demand: the newest open and the newest
	// anonymous stance, on the demand and on its converse.
	rows, err := q.Query(ctx, `
		WITH sides AS MATERIALIZED (
		    SELECT slug, role FROM sides WHERE deleted_at IS NULL AND role <> 'observer' AND (NOT $3 OR role = 'party')
		      AND slug IN (SELECT side FROM actors WHERE deleted_at IS NULL))
		SELECT d.slug, sd.slug, sd.role, l.stance, l.date, l.date_precision, l.via, l.statement_id, l.on_demand
		FROM demands d
		LEFT JOIN demands c ON c.id = d.converse_id AND c.deleted_at IS NULL
		CROSS JOIN sides sd
		CROSS JOIN LATERAL `+newestSideStanceSQL("coalesce($1::date, 'infinity')")+` l
		WHERE d.deleted_at IS NULL AND ($2 = '' OR d.slug = $2)`, nullDate(asOf), demand, parties)
	if err != nil {
		return nil, wrap(err, "side stances")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.SideStance, error) {
		var x parley.SideStance
		err := r.Scan(&x.Demand, &x.Side, &x.Role, &x.Stance, &x.Date.Time, &x.Date.Precision, &x.Via, &x.StatementID, &x.On)
		return x, err
	})
	return out, wrap(err, "side stances")
}

// newestSideStanceSQL is the subquery (for a LATERAL join over demands d,
// their converse c and sides sd) of a side's stance on a demand as of the
// SQL date expression day, by the rule of parley.SideStance.
func newestSideStanceSQL(day string) string {
	return `(
		    -- The newest open stance, on the demand or (mirrored) on its
		    -- converse; only when there is none, the newest anonymous one.
		    -- Without ORDER BY the outer LIMIT stops at the first branch
		    -- that has a row: one index probe for a demand without a
		    -- converse, two with one.
		    (SELECT * FROM (
		        (SELECT l.stance, l.date, l.date_precision, l.statement_id, '' AS via, d.slug AS on_demand FROM stance_log l
		         WHERE l.demand_id = d.id AND l.side = sd.slug AND l.named AND l.date <= ` + day + `
		         ORDER BY l.date DESC, l.statement_id DESC LIMIT 1)
		        UNION ALL
		        (SELECT mirror_stance(l.stance), l.date, l.date_precision, l.statement_id, c.slug, c.slug FROM stance_log l
		         WHERE c.id IS NOT NULL AND l.demand_id = c.id AND l.side = sd.slug AND l.named AND l.date <= ` + day + `
		         ORDER BY l.date DESC, l.statement_id DESC LIMIT 1)) x
		     -- (one statement on both: its own words on the demand win)
		     ORDER BY x.date DESC, x.statement_id DESC, x.via = '' DESC LIMIT 1)
		    UNION ALL
		    (SELECT * FROM (
		        (SELECT l.stance, l.date, l.date_precision, l.statement_id, '' AS via, d.slug AS on_demand FROM stance_log l
		         WHERE l.demand_id = d.id AND l.side = sd.slug AND NOT l.named AND l.date <= ` + day + `
		         ORDER BY l.date DESC, l.statement_id DESC LIMIT 1)
		        UNION ALL
		        (SELECT mirror_stance(l.stance), l.date, l.date_precision, l.statement_id, c.slug, c.slug FROM stance_log l
		         WHERE c.id IS NOT NULL AND l.demand_id = c.id AND l.side = sd.slug AND NOT l.named AND l.date <= ` + day + `
		         ORDER BY l.date DESC, l.statement_id DESC LIMIT 1)) x
		     ORDER BY x.date DESC, x.statement_id DESC, x.via = '' DESC LIMIT 1)
		    LIMIT 1)`
}

// ConditionsOf returns the conditions of the positions the statements
// with ids take, by statement id and demand slug.
func (s *Store) ConditionsOf(ctx context.Context, ids []int64) (map[int64]map[string][]parley.Condition, error) {
	return conditionsOf(ctx, s.pool, ids)
}

func conditionsOf(ctx context.Context, q querier, ids []int64) (map[int64]map[string][]parley.Condition, error) {
	rows, err := q.Query(ctx, `
		SELECT pc.statement_id, d.slug, pc.side, cd.slug, cd.title, pc.stance
		FROM position_conditions pc JOIN demands d ON d.id = pc.demand_id JOIN demands cd ON cd.id = pc.cond_demand_id
		WHERE pc.statement_id = ANY ($1)
		ORDER BY pc.statement_id, d.slug, pc.side, cd.slug`, ids)
	if err != nil {
		return nil, wrap(err, "conditions")
	}
	out := map[int64]map[string][]parley.Condition{}
	var id int64
	var demand string
	var c parley.Condition
	_, err = pgx.ForEachRow(rows, []any{&id, &demand, &c.Side, &c.Demand, &c.DemandTitle, &c.Stance}, func() error {
		if out[id] == nil {
			out[id] = map[string][]parley.Condition{}
		}
		out[id][demand] = append(out[id][demand], c)
		return nil
	})
	return out, wrap(err, "conditions")
}

// ListShifts returns the most recent shifts dated on or before asOf (zero:
// now), newest first, at most limit (0: all). With actor or demand set,
// only that actor's or demand's shifts.
//
// It walks positions newest first and looks up each one's predecessor
// through stance_log's (actor, demand, date) index, stopping at limit: the
// cost follows how far back the shifts lie, not the size of the table.
func (s *Store) ListShifts(ctx context.Context, asOf time.Time, actor, demand string, limit int) ([]parley.Shift, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := s.pool.Query(ctx, `
		SELECT s.id, a.slug, a.name, d.slug, d.title, prev.stance, l.stance, s.date, s.date_precision
		FROM statements s
		JOIN stance_log l ON l.statement_id = s.id
		JOIN actors a ON a.id = s.actor_id
		JOIN demands d ON d.id = l.demand_id
		CROSS JOIN LATERAL (
		    SELECT q.stance FROM stance_log q
		    WHERE q.actor_id = l.actor_id AND q.demand_id = l.demand_id
		      AND (q.date < l.date OR (q.date = l.date AND q.statement_id < l.statement_id))
		    ORDER BY q.date DESC, q.statement_id DESC LIMIT 1) prev
		WHERE s.deleted_at IS NULL AND s.date <= coalesce($1::date, 'infinity')
		  AND ($2 = '' OR s.actor_id = (SELECT id FROM actors WHERE slug = $2))
		  AND ($3 = '' OR l.demand_id = (SELECT id FROM demands WHERE slug = $3))
		  AND prev.stance <> l.stance
		ORDER BY s.date DESC, s.id DESC, d.slug
		LIMIT $4`, nullDate(asOf), actor, demand, limit)
	if err != nil {
		return nil, wrap(err, "list shifts")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.Shift, error) {
		var x parley.Shift
		err := r.Scan(&x.StatementID, &x.ActorSlug, &x.ActorName, &x.DemandSlug, &x.DemandTitle, &x.From, &x.To, &x.Date.Time, &x.Date.Precision)
		return x, err
	})
	return out, wrap(err, "list shifts")
}

// ListStanceEvents returns every stance taken (by actor, or on demand, when
// given), oldest first.
func (s *Store) ListStanceEvents(ctx context.Context, actor, demand string) ([]parley.StanceEvent, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT l.statement_id, a.slug, a.side, d.slug, l.stance, l.date, l.date_precision, l.attribution
		FROM stance_log l
		JOIN actors a ON a.id = l.actor_id
		JOIN demands d ON d.id = l.demand_id
		WHERE ($1 = '' OR a.slug = $1) AND ($2 = '' OR d.slug = $2)
		ORDER BY l.date, l.statement_id`, actor, demand)
	if err != nil {
		return nil, wrap(err, "list stance events")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.StanceEvent, error) {
		var e parley.StanceEvent
		err := r.Scan(&e.StatementID, &e.ActorSlug, &e.ActorSide, &e.DemandSlug, &e.Stance, &e.Date.Time, &e.Date.Precision, &e.Attribution)
		return e, err
	})
	return out, wrap(err, "list stance events")
}

func nullDate(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// PositionChanges returns, for every (actor, demand) of the actors with
// ids whose stance log has an entry dated after from and on or before to,
// the actor's position as of to (the newest such entry, which made the
// change) and as of from (From empty: none). Two index probes per actor
// and demand: the cost follows the actors asked for, not the statements
// in the period.
func (s *Store) PositionChanges(ctx context.Context, actorIDs []int64, from, to time.Time) ([]parley.PositionChange, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT a.slug, a.name, a.side, d.slug, coalesce(o.stance, ''), n.stance, n.date, n.date_precision, n.statement_id
		FROM actors a
		CROSS JOIN demands d
		CROSS JOIN LATERAL (
		    SELECT l.stance, l.date, l.date_precision, l.statement_id FROM stance_log l
		    WHERE l.actor_id = a.id AND l.demand_id = d.id AND l.date <= $3::date
		    ORDER BY l.date DESC, l.statement_id DESC LIMIT 1) n
		LEFT JOIN LATERAL (
		    SELECT o.stance FROM stance_log o
		    WHERE o.actor_id = a.id AND o.demand_id = d.id AND o.date <= $2::date
		    ORDER BY o.date DESC, o.statement_id DESC LIMIT 1) o ON true
		WHERE a.id = ANY ($1) AND a.deleted_at IS NULL AND d.deleted_at IS NULL AND n.date > $2::date
		ORDER BY a.name, d.slug`, actorIDs, from, to)
	if err != nil {
		return nil, wrap(err, "position changes")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.PositionChange, error) {
		var c parley.PositionChange
		err := r.Scan(&c.ActorSlug, &c.ActorName, &c.ActorSide, &c.DemandSlug, &c.From, &c.To, &c.Date.Time, &c.Date.Precision, &c.StatementID)
		return c, err
	})
	return out, wrap(err, "position changes")
}
