package seed_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/store"
	"parley/internal/testdb"
)

// TestSeedLoadsIdempotently ensures loading the seed creates every record
// once, and loading it again creates nothing and keeps editors' changes.
func TestSeedLoadsIdempotently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	s := store.New(pool)
	f := rawSeed(t)
	d := seedData(t)
	// A fresh install has no sides: the seed brings them (test databases
	// start with them).
	if _, err := pool.Exec(ctx, `DELETE FROM sides`); err != nil {
		t.Fatal(err)
	}

	got, err := s.LoadSeed(ctx, d)
	if err != nil {
		t.Fatalf("first LoadSeed: %v", err)
	}
	want := store.SeedResult{Sides: len(f.Sides), Regions: len(f.Regions), Sources: len(f.Sources), Actors: len(f.Actors),
		Demands: len(f.Demands), Statements: len(f.Statements)}
	if got != want {
		t.Errorf("first LoadSeed created %+v, want %+v", got, want)
	}
	var positions, statementRegions, reports, conditions int
	for _, st := range f.Statements {
		positions += len(st.Positions)
		statementRegions += len(st.Regions)
		reports += len(st.Reports)
		for _, p := range st.Positions {
			conditions += len(p.Conditions)
		}
	}
	// (v2) Sides, reports and conditions are rows of their own too.
	wantRows := map[string]int{
		"sides": len(f.Sides), "regions": len(f.Regions), "sources": len(f.Sources), "actors": len(f.Actors),
		"demands": len(f.Demands), "statements": len(f.Statements), "positions": positions,
		"statement_regions": statementRegions, "reports": reports, "position_conditions": conditions,
	}
	if diff := cmp.Diff(wantRows, rowCounts(t, pool)); diff != "" {
		t.Errorf("rows after first load (-want +got):\n%s", diff)
	}

	// An editor renames an actor; the seed must not undo it.
	const renamed = "Dmitrii Sergeyevich Peskov"
	tag, err := pool.Exec(ctx, `UPDATE actors SET name = $1, version = version + 1 WHERE slug = 'dmitry-peskov'`, renamed)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("rename dmitry-peskov: %v (%d rows)", err, tag.RowsAffected())
	}

	again, err := s.LoadSeed(ctx, seedData(t))
	if err != nil {
		t.Fatalf("second LoadSeed: %v", err)
	}
	if again != (store.SeedResult{}) {
		t.Errorf("second LoadSeed created %+v, want nothing", again)
	}
	if diff := cmp.Diff(wantRows, rowCounts(t, pool)); diff != "" {
		t.Errorf("rows after second load (-want +got):\n%s", diff)
	}
	var name string
	if err := pool.QueryRow(ctx, `SELECT name FROM actors WHERE slug = 'dmitry-peskov'`).Scan(&name); err != nil {
		t.Fatalf("read dmitry-peskov: %v", err)
	}
	if name != renamed {
		t.Errorf("dmitry-peskov name after second load = %q, want %q", name, renamed)
	}
}

func rowCounts(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, table := range []string{"sides", "regions", "sources", "actors", "demands", "statements", "positions",
		"statement_regions", "reports", "position_conditions"} {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		got[table] = n
	}
	return got
}
