package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// bulkTables are the tables Generate fills in bulk.
var bulkTables = []string{"statements", "positions", "statement_regions", "reports", "position_conditions", "region_timeline", "stance_log"}

// bulkTriggerTables are the base tables whose triggers Generate turns off:
// it computes the search vector itself and fills the derived tables
// set-based afterwards.
var bulkTriggerTables = []string{"statements", "positions", "statement_regions", "reports", "position_conditions"}

// bulkObjects are what Generate drops for the bulk load and puts back.
type bulkObjects struct {
	// keys are the derived tables' primary keys (nothing references
	// them) and indexes the bulk tables' other, non-unique indexes: def
	// creates the index (for a key, its unique index, which then becomes
	// the key). fkeys are the foreign keys: def as pg_get_constraintdef
	// gives it.
	keys, indexes, fkeys []bulkDef
}

// bulkDef is a table's index or constraint, by name and definition.
type bulkDef struct{ table, name, def string }

// dropForBulk drops the bulk tables' secondary indexes, foreign keys and
// (for the derived tables) primary keys, and turns the base tables'
// triggers off: building an index once by sorting and validating a
// foreign key by one join beat maintaining them for every inserted row.
func dropForBulk(ctx context.Context, tx pgx.Tx) (bulkObjects, error) {
	var b bulkObjects
	rows, err := tx.Query(ctx, `
		SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype,
		       coalesce(pg_get_indexdef(c.conindid), '')
		FROM pg_constraint c
		WHERE c.conrelid = ANY ($1::regclass[])
		  AND (c.contype = 'f' OR (c.contype = 'p' AND c.conrelid IN ('region_timeline'::regclass, 'stance_log'::regclass)))
		ORDER BY c.contype DESC, c.conname`, bulkTables)
	if err != nil {
		return b, fmt.Errorf("store: generate: constraints: %w", err)
	}
	var drop []string
	var table, name, def, kind, index string
	_, err = pgx.ForEachRow(rows, []any{&table, &name, &def, &kind, &index}, func() error {
		drop = append(drop, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", table, pgx.Identifier{name}.Sanitize()))
		if kind == "p" {
			b.keys = append(b.keys, bulkDef{table, name, index})
		} else {
			b.fkeys = append(b.fkeys, bulkDef{table, name, def})
		}
		return nil
	})
	if err != nil {
		return b, fmt.Errorf("store: generate: constraints: %w", err)
	}
	rows, err = tx.Query(ctx, `
		SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = ANY ($1::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique
		ORDER BY 1, 2`, bulkTables)
	if err != nil {
		return b, fmt.Errorf("store: generate: indexes: %w", err)
	}
	_, err = pgx.ForEachRow(rows, []any{&table, &name, &def}, func() error {
		drop = append(drop, "DROP INDEX "+name)
		b.indexes = append(b.indexes, bulkDef{table, name, def})
		return nil
	})
	if err != nil {
		return b, fmt.Errorf("store: generate: indexes: %w", err)
	}
	for _, t := range bulkTriggerTables {
		drop = append(drop, "ALTER TABLE "+t+" DISABLE TRIGGER USER")
	}
	if _, err := tx.Exec(ctx, strings.Join(drop, ";\n")); err != nil {
		return b, fmt.Errorf("store: generate: drop indexes: %w", err)
	}
	return b, nil
}

// genSessions are the connections Generate works on.
type genSessions struct {
	conns []*pgx.Conn
	held  []*pgxpool.Conn
}

// genSessions acquires n connections and checks that no other session is
// connected to the database: while Generate runs, the bulk tables have no
// indexes, foreign keys or triggers, which a server's writes would
// corrupt the derived tables without and its reads crawl without.
func (s *Store) genSessions(ctx context.Context, n int) (*genSessions, error) {
	sess := &genSessions{}
	for range n {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			sess.release()
			return nil, fmt.Errorf("store: generate: connect: %w", err)
		}
		sess.held = append(sess.held, c)
		sess.conns = append(sess.conns, c.Conn())
	}
	// This pool's other connections are idle: they are ours too.
	idle := s.pool.AcquireAllIdle(ctx)
	var pids []uint32
	for _, c := range append(slices.Clone(sess.held), idle...) {
		pids = append(pids, c.Conn().PgConn().PID())
	}
	for _, c := range idle {
		c.Release()
	}
	var others int
	var who string
	err := sess.conns[0].QueryRow(ctx, `
		SELECT count(*), coalesce(string_agg(DISTINCT coalesce(nullif(application_name, ''), usename::text, 'a client'), ', '), '')
		FROM pg_stat_activity
		WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> ALL ($1::int[])`,
		pids).Scan(&others, &who)
	if err != nil {
		sess.release()
		return nil, fmt.Errorf("store: generate: other sessions: %w", err)
	}
	if others > 0 {
		sess.release()
		return nil, fmt.Errorf("store: generate: other sessions are connected to the database (%d: %s): stop the server (and any other client) first; gen drops the indexes, foreign keys and triggers while it runs", others, who)
	}
	return sess, nil
}

// release gives the connections back (once).
func (sess *genSessions) release() {
	for _, c := range sess.held {
		c.Release()
	}
	sess.held, sess.conns = nil, nil
}

// genRestore undoes a failed Generate, in one transaction: it deletes the
// statements it wrote (ids lo..lo+n-1) and their rows, rebuilds the
// derived tables if they may have changed, and puts back whichever of the
// dropped indexes, keys, foreign keys and triggers are missing.
func (s *Store) genRestore(ctx context.Context, b bulkObjects, lo int64, n int, derived bool) error {
	return s.transact(ctx, func(tx pgx.Tx) error {
		var sql []string
		for _, t := range bulkTriggerTables {
			sql = append(sql, "ALTER TABLE "+t+" DISABLE TRIGGER USER")
		}
		sql = append(sql, `SET LOCAL maintenance_work_mem = '1GB'`, `SET LOCAL work_mem = '1GB'`)
		// No other statement has these ids (they were above every id),
		// but the test costs nothing.
		ours := fmt.Sprintf("SELECT id FROM statements WHERE id BETWEEN %d AND %d AND occasion = 'Generated'", lo, lo+int64(n)-1)
		// (The derived tables' rows go by their rebuild below, which
		// keeps the count ledgers right.)
		for _, t := range []string{"position_conditions", "positions", "reports", "statement_regions"} {
			sql = append(sql, fmt.Sprintf("DELETE FROM %s WHERE statement_id IN (%s)", t, ours))
		}
		sql = append(sql, fmt.Sprintf("DELETE FROM statements WHERE id IN (%s)", ours))
		if _, err := tx.Exec(ctx, strings.Join(sql, ";\n")); err != nil {
			return fmt.Errorf("store: generate: undo: %w", err)
		}
		sql = sql[:0]
		for _, i := range append(slices.Clone(b.keys), b.indexes...) {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, i.name).Scan(&exists); err != nil {
				return fmt.Errorf("store: generate: undo: %w", err)
			}
			if !exists {
				sql = append(sql, i.def)
			}
		}
		for _, k := range b.keys {
			if !hasConstraint(ctx, tx, k.table, k.name) {
				sql = append(sql, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY USING INDEX %[2]s", k.table, pgx.Identifier{k.name}.Sanitize()))
			}
		}
		if derived {
			// Their rows of the deleted statements, and the ledgers.
			sql = append(sql, `SELECT rebuild_region_timeline(NULL)`, `SELECT rebuild_stance_log(NULL)`,
				`SELECT rebuild_current_positions(NULL, NULL)`, `SELECT compact_counts()`)
		}
		for _, f := range b.fkeys {
			if !hasConstraint(ctx, tx, f.table, f.name) {
				sql = append(sql, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", f.table, pgx.Identifier{f.name}.Sanitize(), f.def))
			} else {
				sql = append(sql, fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", f.table, pgx.Identifier{f.name}.Sanitize()))
			}
		}
		for _, t := range bulkTriggerTables {
			sql = append(sql, "ALTER TABLE "+t+" ENABLE TRIGGER USER")
		}
		if _, err := tx.Exec(ctx, strings.Join(sql, ";\n")); err != nil {
			return fmt.Errorf("store: generate: put back indexes, constraints and triggers: %w", err)
		}
		return nil
	})
}

// hasConstraint reports whether table has a constraint called name (false
// also if the look-up fails: adding it again then fails with the reason).
func hasConstraint(ctx context.Context, tx pgx.Tx, table, name string) bool {
	var exists bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = $1::regclass AND conname = $2)`,
		table, name).Scan(&exists)
	return err == nil && exists
}
