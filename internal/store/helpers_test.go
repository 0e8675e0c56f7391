package store_test

import (
	"context"
	"parley"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/store"
)

// Helpers of the tests that compare the store's readers with from-scratch
// queries (oracles) over the base tables, on small and generated databases.

// scaleRowDiff returns, as JSON text, the rows of got that want lacks and the
// rows of want that got lacks, counting duplicates (EXCEPT ALL both ways).
func scaleRowDiff(t *testing.T, pool *pgxpool.Pool, got, want string, args ...any) (onlyGot, onlyWant []string) {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT 'got', row_to_json(only_got_)::text FROM ((`+got+`) EXCEPT ALL (`+want+`)) only_got_
		UNION ALL
		SELECT 'want', row_to_json(only_want_)::text FROM ((`+want+`) EXCEPT ALL (`+got+`)) only_want_
		ORDER BY 1, 2`, args...)
	if err != nil {
		t.Fatalf("comparing\n%s\nwith\n%s\n: %v", got, want, err)
	}
	type diff struct{ Side, Row string }
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByPos[diff])
	if err != nil {
		t.Fatalf("comparing\n%s\nwith\n%s\n: %v", got, want, err)
	}
	for _, d := range ds {
		if d.Side == "got" {
			onlyGot = append(onlyGot, d.Row)
		} else {
			onlyWant = append(onlyWant, d.Row)
		}
	}
	return onlyGot, onlyWant
}

// scaleSameRows reports an error unless the two queries give the same multiset
// of rows.
func scaleSameRows(t *testing.T, pool *pgxpool.Pool, step, what, got, want string, args ...any) {
	t.Helper()
	onlyGot, onlyWant := scaleRowDiff(t, pool, got, want, args...)
	if len(onlyGot) > 0 || len(onlyWant) > 0 {
		t.Errorf("%s: %s differs from the oracle:\n  only in the derived table: %s\n  only in the oracle:        %s",
			step, what, strings.Join(onlyGot, " "), strings.Join(onlyWant, " "))
	}
}

func scaleInt(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func scaleStrings(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func scaleInt64s(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func scaleExec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func scaleDay(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func scaleIDs(sts []parley.Statement) []int64 {
	out := make([]int64, len(sts))
	for i, st := range sts {
		out[i] = st.ID
	}
	return out
}

// scaleGenerated generates n statements with seed on a fresh database.
func scaleGenerated(t *testing.T, n int, seed int64) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	pool := generated(t, n, seed)
	return store.New(pool), pool
}
