package store

import (
	"context"
	"parley"
	"time"

	"github.com/jackc/pgx/v5"
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
	_, err := s.bargainingMonths(ctx, until, between)
	return err
}

// CreateStatementLosingConnection is CreateStatement whose transaction
// loses its connection after its last statement and before its COMMIT
// (another connection ends its backend), as when the primary dies mid-save.
func (s *Store) CreateStatementLosingConnection(ctx context.Context, by parley.Editor, in parley.StatementInput) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		if _, err := createStatement(ctx, tx, by, in, "create"); err != nil {
			return err
		}
		var pid int
		if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			return err
		}
		// With a timeout, pg_terminate_backend waits until the backend is gone.
		_, err := s.pool.Exec(ctx, `SELECT pg_terminate_backend($1, 10000)`, pid)
		return err
	})
}
