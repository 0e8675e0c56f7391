package store

import "context"

// ExportBothWays runs a region export through the precomputed timeline and
// through the joined query, for tests that compare them.
func (s *Store) ExportBothWays(ctx context.Context, f StatementFilter, fast, slow func(ExportRow) error) error {
	f.Sort = "oldest"
	sql, args := f.timelineQuery()
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	if err := scanExport(rows, fast); err != nil {
		return err
	}
	where, args := f.where()
	rows, err = s.pool.Query(ctx, exportJoinSQL(where), args...)
	if err != nil {
		return err
	}
	return scanExport(rows, slow)
}
