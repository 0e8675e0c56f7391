package store

import (
	"context"
	"parley"
	"time"
)

// ExportBothWays runs a region export through the precomputed timeline and
// through the joined query, for tests that compare them.
func (s *Store) ExportBothWays(ctx context.Context, f parley.StatementFilter, fast, slow func(parley.ExportRow) error) error {
	f.Sort = "oldest"
	sql, args := timelineExportQuery(f)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	if err := scanExport(rows, fast); err != nil {
		return err
	}
	q := compileFilter(f, overStatements)
	rows, err = s.pool.Query(ctx, exportJoinSQL(q.where()), q.args...)
	if err != nil {
		return err
	}
	return scanExport(rows, slow)
}

// BargainingMonthsInterleaved is BargainingMonths with between run after
// the months are computed from their snapshot and before they are stored:
// where a concurrent write lands in the race the generations guard.
func (s *Store) BargainingMonthsInterleaved(ctx context.Context, until time.Time, between func()) error {
	var first time.Time
	if err := s.pool.QueryRow(ctx, `SELECT min(date) FROM stance_log`).Scan(&first); err != nil {
		return err
	}
	days := parley.MonthEnds(first, until)
	months := make([]time.Time, len(days))
	for i, d := range days {
		months[i] = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO bargaining_months (month) SELECT unnest($1::date[]) ON CONFLICT DO NOTHING`, months); err != nil {
		return err
	}
	points, gens, epoch, missing, err := s.readMonths(ctx, months, days, true)
	if err != nil {
		return err
	}
	between()
	return s.storeMonths(ctx, epoch, missing, months, gens, points)
}
