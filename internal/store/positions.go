package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// CurrentPosition is an actor's stance on a demand as of a day: the stance
// of the actor's latest statement on it dated on or before that day.
type CurrentPosition struct {
	ActorSlug   string
	ActorName   string
	ActorSide   string
	DemandSlug  string
	Stance      string
	Date        Date
	StatementID int64
	Attribution string
}

// CurrentPositions returns every actor's current stance on every demand
// it has addressed, as of asOf (the zero time: as of now).
func (s *Store) CurrentPositions(ctx context.Context, asOf time.Time) ([]CurrentPosition, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT DISTINCT ON (s.actor_id, p.demand_id)
		       a.slug, a.name, a.side, d.slug, p.stance, s.date, s.date_precision, s.id, s.attribution
		FROM positions p
		JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
		JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
		JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
		WHERE $1::date IS NULL OR s.date <= $1::date
		ORDER BY s.actor_id, p.demand_id, s.date DESC, s.id DESC`, nullDate(asOf))
	if err != nil {
		return nil, wrap(err, "current positions")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CurrentPosition, error) {
		var c CurrentPosition
		err := r.Scan(&c.ActorSlug, &c.ActorName, &c.ActorSide, &c.DemandSlug, &c.Stance, &c.Date.Time, &c.Date.Precision, &c.StatementID, &c.Attribution)
		return c, err
	})
	return out, wrap(err, "current positions")
}

// Shift is a statement whose stance on a demand differs from the same
// actor's previous stance on it.
type Shift struct {
	StatementID int64
	ActorSlug   string
	ActorName   string
	DemandSlug  string
	DemandTitle string
	From, To    string
	Date        Date
}

// ListShifts returns the most recent shifts dated on or before asOf (zero:
// now), newest first, at most limit (0: all). With actor or demand set,
// only that actor's or demand's shifts.
func (s *Store) ListShifts(ctx context.Context, asOf time.Time, actor, demand string, limit int) ([]Shift, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := s.pool.Query(ctx, `
		WITH h AS (
		    SELECT s.id, a.slug AS actor, a.name AS actor_name, d.slug AS demand, d.title, p.stance,
		           s.date, s.date_precision,
		           lag(p.stance) OVER (PARTITION BY s.actor_id, p.demand_id ORDER BY s.date, s.id) AS prev
		    FROM positions p
		    JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
		    JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
		    JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
		    WHERE ($1::date IS NULL OR s.date <= $1::date)
		      AND ($2 = '' OR a.slug = $2) AND ($3 = '' OR d.slug = $3)
		)
		SELECT id, actor, actor_name, demand, title, prev, stance, date, date_precision
		FROM h WHERE prev IS NOT NULL AND prev <> stance
		ORDER BY date DESC, id DESC, demand
		LIMIT $4`, nullDate(asOf), actor, demand, limit)
	if err != nil {
		return nil, wrap(err, "list shifts")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Shift, error) {
		var x Shift
		err := r.Scan(&x.StatementID, &x.ActorSlug, &x.ActorName, &x.DemandSlug, &x.DemandTitle, &x.From, &x.To, &x.Date.Time, &x.Date.Precision)
		return x, err
	})
	return out, wrap(err, "list shifts")
}

// StanceEvent is one stance taken on a demand, for histories and charts.
type StanceEvent struct {
	StatementID int64
	ActorSlug   string
	ActorSide   string
	DemandSlug  string
	Stance      string
	Date        Date
	Attribution string
}

// ListStanceEvents returns every stance taken (by actor, or on demand, when
// given), oldest first.
func (s *Store) ListStanceEvents(ctx context.Context, actor, demand string) ([]StanceEvent, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT s.id, a.slug, a.side, d.slug, p.stance, s.date, s.date_precision, s.attribution
		FROM positions p
		JOIN statements s ON s.id = p.statement_id AND s.deleted_at IS NULL
		JOIN actors a ON a.id = s.actor_id AND a.deleted_at IS NULL
		JOIN demands d ON d.id = p.demand_id AND d.deleted_at IS NULL
		WHERE ($1 = '' OR a.slug = $1) AND ($2 = '' OR d.slug = $2)
		ORDER BY s.date, s.id`, actor, demand)
	if err != nil {
		return nil, wrap(err, "list stance events")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StanceEvent, error) {
		var e StanceEvent
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
