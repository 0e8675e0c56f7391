package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"parley/internal/pgcluster"
	"parley/internal/store"
)

// embeddedDataDir is a DATA_DIR the postgres user can reach when tests run
// as root.
func embeddedDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "parley-role-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "data")
}

// TestEmbeddedServingRoleIsNotSuperuser: the pool the app serves, migrates
// and seeds with on the embedded cluster is not a superuser and cannot run
// programs on the server.
func TestEmbeddedServingRoleIsNotSuperuser(t *testing.T) {
	ctx := context.Background()
	cfg, err := loadConfig(getenv(map[string]string{"DATA_DIR": embeddedDataDir(t)}))
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDatabase(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrateUp(ctx, db); err != nil {
		t.Fatalf("migrations as the app's role: %v", err)
	}
	if err := loadSeed(ctx, store.New(db.pool), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("seed as the app's role: %v", err)
	}
	var role string
	var super bool
	if err := db.pool.QueryRow(ctx, `SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&role, &super); err != nil {
		t.Fatal(err)
	}
	if super {
		t.Errorf("the app connects as %s, a superuser", role)
	}
	_, err = db.pool.Exec(ctx, `COPY (SELECT 1) TO PROGRAM 'true'`)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("COPY ... TO PROGRAM as the app's role = %v; want insufficient_privilege (42501)", err)
	}
}

// TestEmbeddedDatabaseOfEarlierVersion: a data directory whose database an
// earlier version made and migrated as the superuser keeps working, handed
// over to the app's role.
func TestEmbeddedDatabaseOfEarlierVersion(t *testing.T) {
	ctx := context.Background()
	dataDir := embeddedDataDir(t)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: filepath.Join(dataDir, "pg")})
	if err != nil {
		t.Fatal(err)
	}
	old, err := store.Open(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = old.Exec(ctx, `CREATE DATABASE `+embeddedDB)
	old.Close()
	if err != nil {
		t.Fatal(err)
	}
	old, err = store.Open(ctx, c.URL(embeddedDB))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateUp(ctx, &database{pool: old}); err != nil {
		t.Fatal(err)
	}
	if err := loadSeed(ctx, store.New(old), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	old.Close()
	c.Stop()

	cfg, err := loadConfig(getenv(map[string]string{"DATA_DIR": dataDir}))
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDatabase(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrateUp(ctx, db); err != nil {
		t.Fatalf("migrate after the hand-over: %v", err)
	}
	if err := loadSeed(ctx, store.New(db.pool), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("seed after the hand-over: %v", err)
	}
	var notOurs int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM pg_class
		WHERE relnamespace = 'public'::regnamespace AND relowner <> current_user::regrole`).Scan(&notOurs); err != nil {
		t.Fatal(err)
	}
	if notOurs != 0 {
		t.Errorf("%d relations of the public schema are not the app role's after the hand-over", notOurs)
	}
	var statements int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM statements`).Scan(&statements); err != nil || statements == 0 {
		t.Errorf("statements of the earlier version: %d, %v", statements, err)
	}
	if _, err := db.pool.Exec(ctx, `UPDATE statements SET summary = summary WHERE id = (SELECT min(id) FROM statements)`); err != nil {
		t.Errorf("writing as the app's role: %v", err)
	}
}
