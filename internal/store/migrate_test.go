package store_test

import (
	"bytes"
	"context"
	"io/fs"
	"parley"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/store"
	"parley/internal/testdb"
	"parley/migrations"
)

// schemaObjects reports, for each of a few objects of the first migration,
// whether it exists in the database.
func schemaObjects(t *testing.T, pool *pgxpool.Pool) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	for _, q := range []struct{ name, sql string }{
		{"regions", `SELECT to_regclass('public.regions') IS NOT NULL`},
		{"actors", `SELECT to_regclass('public.actors') IS NOT NULL`},
		{"statements", `SELECT to_regclass('public.statements') IS NOT NULL`},
		{"revisions", `SELECT to_regclass('public.revisions') IS NOT NULL`},
		{"slug domain", `SELECT to_regtype('public.slug') IS NOT NULL`},
	} {
		var ok bool
		if err := pool.QueryRow(context.Background(), q.sql).Scan(&ok); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		got[q.name] = ok
	}
	return got
}

// checkSchema fails t unless every object of schemaObjects exists (want
// true) or none does (want false).
func checkSchema(t *testing.T, pool *pgxpool.Pool, when string, want bool) {
	t.Helper()
	for name, ok := range schemaObjects(t, pool) {
		if ok != want {
			t.Errorf("%s: %s exists = %v, want %v", when, name, ok, want)
		}
	}
}

// checkStatus fails t unless Status writes one line per migration file,
// each naming the file and saying applied or pending as want says.
func checkStatus(t *testing.T, m *store.Migrator, when, want string) {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Status(context.Background(), &buf); err != nil {
		t.Fatalf("%s: Status: %v", when, err)
	}
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files = %v (err %v), want some", files, err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != len(files) {
		t.Fatalf("%s: Status wrote %d lines, want %d (one per migration):\n%s", when, len(lines), len(files), buf.String())
	}
	for i, file := range files {
		if !strings.Contains(lines[i], file) || !strings.Contains(lines[i], want) {
			t.Errorf("%s: Status line %d = %q, want it to name %s and say %q", when, i+1, lines[i], file, want)
		}
	}
	if !strings.Contains(lines[0], "00001") {
		t.Errorf("%s: first Status line = %q, want it to mention 00001", when, lines[0])
	}
}

func TestMigrationsUpDownUpOnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := store.Open(ctx, testdb.EmptyURL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(pool.Close)
	m, err := store.NewMigrator(pool)
	if err != nil {
		t.Fatalf("NewMigrator: %v", err)
	}
	t.Cleanup(func() { m.Close() })

	checkSchema(t, pool, "before migrating", false)
	checkStatus(t, m, "before migrating", "pending")

	if err := m.Up(ctx); err != nil {
		t.Fatalf("Up: %v", err)
	}
	checkSchema(t, pool, "after Up", true)
	checkStatus(t, m, "after Up", "applied")
	// Up again has nothing left to do.
	if err := m.Up(ctx); err != nil {
		t.Fatalf("second Up: %v", err)
	}

	if err := m.DownTo(ctx, 0); err != nil {
		t.Fatalf("DownTo(0): %v", err)
	}
	checkSchema(t, pool, "after DownTo(0)", false)
	checkStatus(t, m, "after DownTo(0)", "pending")

	if err := m.Up(ctx); err != nil {
		t.Fatalf("Up after DownTo(0): %v", err)
	}
	checkSchema(t, pool, "after Up again", true)
	checkStatus(t, m, "after Up again", "applied")

	// The schema built again is usable.
	s := store.New(pool)
	if _, err := s.CreateRegion(ctx, parley.Editor{}, regionDonetsk); err != nil {
		t.Fatalf("CreateRegion after Up again: %v", err)
	}
	if _, err := s.GetRegion(ctx, "donetsk"); err != nil {
		t.Errorf("GetRegion after Up again: %v", err)
	}
}

func TestMigrationsDownRollsBackOneAtATime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := store.Open(ctx, testdb.EmptyURL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(pool.Close)
	m, err := store.NewMigrator(pool)
	if err != nil {
		t.Fatalf("NewMigrator: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Up(ctx); err != nil {
		t.Fatalf("Up: %v", err)
	}
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for i := len(files); i > 1; i-- {
		if err := m.Down(ctx); err != nil {
			t.Fatalf("Down from %s: %v", files[i-1], err)
		}
		checkSchema(t, pool, "after rolling back "+files[i-1], true)
	}
	if err := m.Down(ctx); err != nil {
		t.Fatalf("Down from %s: %v", files[0], err)
	}
	checkSchema(t, pool, "after rolling back "+files[0], false)
}
