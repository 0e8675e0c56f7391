package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"parley"
)

// BargainingMonths returns the bargaining space's figures at the end of
// every month from the first statement's month up to, not including,
// until's month (which must not be after the current month: a
// month still running has no end yet). Months already computed come from
// bargaining_months; the others are computed from one snapshot and stored
// there, unless a write invalidated them meanwhile (migration 00014):
//
//  1. the months' rows are created (empty) if missing;
//  2. in one REPEATABLE READ snapshot: the epoch, the rows' generations
//     and results, and for the empty ones the parties' positions as of
//     each month's last day, compared with the month before's (stored, or
//     computed too) for what moved;
//  3. the results are stored only where the generation is still the one
//     read, with the epoch locked and unchanged. A write invalidates by
//     bumping the generation (or the epoch) under the row's lock in its
//     own transaction, so a computation from a snapshot without that
//     write either waits for it and finds the generation moved, or is
//     stored first and then invalidated by it.
//
// A month's Moved is relative to the month before, which a write
// invalidates only with every later month, so stored moves stay true. The
// last point carries its Positions, for comparing the next one with.
//
// On a read-only replica nothing is stored: the empty months are computed.
func (s *Store) BargainingMonths(ctx context.Context, until time.Time) ([]parley.BargainingPoint, error) {
	return s.bargainingMonths(ctx, until, nil)
}

// bargainingMonths is BargainingMonths; beforeStore, when not nil, runs
// after the missing months are computed and before they are stored (the
// tests land a write there, in the race the generations guard).
func (s *Store) bargainingMonths(ctx context.Context, until time.Time, beforeStore func()) ([]parley.BargainingPoint, error) {
	// Since the first statement (one probe of statements_date_idx).
	var first *time.Time
	err := s.pool.QueryRow(ctx, `SELECT min(date) FROM statements WHERE deleted_at IS NULL`).Scan(&first)
	if err != nil {
		return nil, wrap(err, "bargaining months: first statement")
	}
	if first == nil {
		return nil, nil
	}
	days := parley.MonthEnds(*first, until)
	if len(days) == 0 {
		return nil, nil
	}
	months := make([]time.Time, len(days))
	for i, d := range days {
		months[i] = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	// Most reads find every month stored: one snapshot, no writes.
	points, _, _, missing, err := s.readMonths(ctx, months, days, false)
	if err != nil || len(missing) == 0 {
		return points, err
	}
	writable := true
	if _, err := s.pool.Exec(ctx, `INSERT INTO bargaining_months (month) SELECT unnest($1::date[]) ORDER BY 1 ON CONFLICT DO NOTHING`, months); err != nil {
		if !readOnly(err) {
			return nil, wrap(err, "bargaining months")
		}
		writable = false
	}
	points, gens, epoch, missing, err := s.readMonths(ctx, months, days, true)
	if err != nil {
		return nil, err
	}
	if beforeStore != nil {
		beforeStore()
	}
	if writable && len(missing) > 0 {
		if err := s.storeMonths(ctx, epoch, missing, months, gens, points); err != nil {
			return nil, err
		}
	}
	return points, nil
}

// readMonths reads the months' stored figures, their generations and the
// epoch from one snapshot, and the indexes of the months not stored;
// with compute it computes those from the same snapshot (step 2).
func (s *Store) readMonths(ctx context.Context, months, days []time.Time, compute bool) (points []parley.BargainingPoint, gens []int64, epoch int64, missing []int, err error) {
	points = make([]parley.BargainingPoint, len(days))
	gens = make([]int64, len(days))
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT n FROM bargaining_epoch`).Scan(&epoch); err != nil {
			return err
		}
		// The positions only of the last month and of those a month to
		// compute is compared with.
		rows, err := tx.Query(ctx, `SELECT x.i, b.gen, b.result,
			    CASE WHEN x.i = cardinality($1::date[]) OR lead(b.result IS NULL, 1, false) OVER (ORDER BY x.i)
			         THEN b.positions END
			FROM unnest($1::date[]) WITH ORDINALITY x(month, i) LEFT JOIN bargaining_months b ON b.month = x.month
			ORDER BY x.i`, months)
		if err != nil {
			return err
		}
		var (
			i                 int
			gen               *int64
			result, positions []byte
		)
		_, err = pgx.ForEachRow(rows, []any{&i, &gen, &result, &positions}, func() error {
			if gen != nil {
				gens[i-1] = *gen
			}
			if result == nil {
				missing = append(missing, i-1)
				return nil
			}
			p, err := decodePoint(result, positions)
			p.Day = days[i-1]
			points[i-1] = p
			return err
		})
		if err != nil || len(missing) == 0 || !compute {
			return err
		}
		on := make([]time.Time, len(missing))
		for k, i := range missing {
			on[k] = days[i]
		}
		computed, err := bargainingOn(ctx, tx, on)
		if err != nil {
			return err
		}
		for k, i := range missing {
			points[i] = computed[k]
			if i == 0 {
				points[i].Moved = parley.MovesBetween(nil, points[i].Positions)
			} else {
				points[i].Moved = parley.MovesBetween(points[i-1].Positions, points[i].Positions)
			}
		}
		return nil
	})
	return points, gens, epoch, missing, wrap(err, "bargaining months")
}

// storeMonths stores the computed months whose generation is still the
// one read (step 3 of BargainingMonths).
func (s *Store) storeMonths(ctx context.Context, epoch int64, missing []int, months []time.Time, gens []int64, points []parley.BargainingPoint) error {
	ms := make([]time.Time, len(missing))
	gs := make([]int64, len(missing))
	rs := make([][]byte, len(missing))
	ps := make([][]byte, len(missing))
	for k, i := range missing {
		r, p, err := encodePoint(points[i])
		if err != nil {
			return fmt.Errorf("store: bargaining months: %w", err)
		}
		ms[k], gs[k], rs[k], ps[k] = months[i], gens[i], r, p
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var now int64
		if err := tx.QueryRow(ctx, `SELECT n FROM bargaining_epoch FOR SHARE`).Scan(&now); err != nil || now != epoch {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE bargaining_months b SET result = x.r, positions = x.p
			FROM unnest($1::date[], $2::bigint[], $3::jsonb[], $4::jsonb[]) x(m, g, r, p)
			WHERE b.month = x.m AND b.gen = x.g`, ms, gs, rs, ps)
		return err
	})
	return wrap(err, "bargaining months: store")
}

// bargainingOn computes the bargaining space as of each day, from the
// querier's snapshot: the parties' positions by the rule of
// parley.SideStance, with their conditions.
func bargainingOn(ctx context.Context, q querier, days []time.Time) ([]parley.BargainingPoint, error) {
	sides, err := listSides(ctx, q)
	if err != nil {
		return nil, err
	}
	demands, err := listDemands(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `
		WITH sides AS MATERIALIZED (SELECT slug, role FROM sides WHERE deleted_at IS NULL AND role = 'party')
		SELECT x.i, d.slug, sd.slug, sd.role, l.stance, l.date, l.date_precision, l.via, l.statement_id, l.on_demand
		FROM unnest($1::date[]) WITH ORDINALITY x(day, i)
		CROSS JOIN demands d
		LEFT JOIN demands c ON c.id = d.converse_id AND c.deleted_at IS NULL
		CROSS JOIN sides sd
		CROSS JOIN LATERAL `+newestSideStanceSQL("x.day")+` l
		WHERE d.deleted_at IS NULL`, days)
	if err != nil {
		return nil, err
	}
	stances := make([][]parley.SideStance, len(days))
	var ids []int64
	var i int
	var x parley.SideStance
	_, err = pgx.ForEachRow(rows, []any{&i, &x.Demand, &x.Side, &x.Role, &x.Stance, &x.Date.Time, &x.Date.Precision, &x.Via, &x.StatementID, &x.On}, func() error {
		stances[i-1] = append(stances[i-1], x)
		ids = append(ids, x.StatementID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	conds, err := conditionsOf(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]parley.BargainingPoint, len(days))
	for i, day := range days {
		in := parley.PartyInput(sides, demands, stances[i], conds)
		out[i] = parley.PointOf(day, in, parley.Bargain(in))
	}
	return out, nil
}

// readOnly reports whether err is PostgreSQL refusing a write on a
// read-only connection (a standby).
func readOnly(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "25006"
}

// The stored form of a month's figures, and of its positions.
type pointJSON struct {
	Feasible bool     `json:"feasible"`
	Packages int64    `json:"packages"`
	Blocking []string `json:"blocking"`
	Moved    []int64  `json:"moved"`
}

type positionJSON struct {
	Side       string   `json:"side"`
	Demand     string   `json:"demand"`
	Stance     string   `json:"stance"`
	Via        string   `json:"via,omitempty"`
	Conditions []string `json:"conditions,omitempty"`
	Statements []int64  `json:"statements"`
}

func encodePoint(p parley.BargainingPoint) (result, positions []byte, err error) {
	result, err = json.Marshal(pointJSON{Feasible: p.Feasible, Packages: p.Packages, Blocking: p.Blocking, Moved: p.Moved})
	if err != nil {
		return nil, nil, err
	}
	ps := []positionJSON{}
	for _, x := range p.Positions {
		pj := positionJSON{Side: x.Side, Demand: x.Demand, Stance: string(x.Stance), Via: x.Via, Statements: x.Statements}
		for _, c := range x.Conditions {
			pj.Conditions = append(pj.Conditions, c.String())
		}
		ps = append(ps, pj)
	}
	positions, err = json.Marshal(ps)
	return result, positions, err
}

// decodePoint reads a stored month; positions may be nil (not read).
func decodePoint(result, positions []byte) (parley.BargainingPoint, error) {
	var in pointJSON
	if err := json.Unmarshal(result, &in); err != nil {
		return parley.BargainingPoint{}, fmt.Errorf("decode stored month: %w", err)
	}
	p := parley.BargainingPoint{Feasible: in.Feasible, Packages: in.Packages, Blocking: in.Blocking, Moved: in.Moved}
	if positions == nil {
		return p, nil
	}
	var ps []positionJSON
	if err := json.Unmarshal(positions, &ps); err != nil {
		return p, fmt.Errorf("decode stored month: %w", err)
	}
	for _, x := range ps {
		pp := parley.PartyPosition{Side: x.Side, Demand: x.Demand, Stance: parley.Stance(x.Stance), Via: x.Via, Statements: x.Statements}
		for _, c := range x.Conditions {
			cond, err := parley.ParseCondition(c)
			if err != nil {
				return p, fmt.Errorf("decode stored month: %w", err)
			}
			pp.Conditions = append(pp.Conditions, cond)
		}
		p.Positions = append(p.Positions, pp)
	}
	return p, nil
}
