// Package testdb gives each test its own PostgreSQL database, cloned from a
// migrated template, on a private cluster the test binary starts (or on the
// server named by TEST_DATABASE_URL).
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/pgcluster"
	"parley/internal/store"
	"parley/migrations"
)

var (
	adminURL string
	cluster  *pgcluster.Cluster

	templateOnce sync.Once
	templateName string
	templateErr  error
)

// Main runs a package's tests with a database server available: the one
// TEST_DATABASE_URL names, or a private cluster started for this test
// binary and stopped afterwards. Call it from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	for _, a := range os.Args {
		if strings.HasPrefix(a, "-test.fuzzworker") {
			return m.Run() // fuzz workers run pure targets only: no database
		}
	}
	adminURL = os.Getenv("TEST_DATABASE_URL")
	if adminURL == "" {
		dir, err := os.MkdirTemp("", "parley-test-pg-")
		if err != nil {
			log.Printf("testdb: %v", err)
			return 1
		}
		defer os.RemoveAll(dir)
		// The cluster may run as the postgres user, who must be able to enter.
		if err := os.Chmod(dir, 0o755); err != nil {
			log.Printf("testdb: %v", err)
			return 1
		}
		c, err := pgcluster.Start(context.Background(), pgcluster.Options{Dir: filepath.Join(dir, "pg"), Fast: true})
		if err != nil {
			log.Printf("testdb: start PostgreSQL: %v", err)
			return 1
		}
		defer c.Stop()
		cluster = c
		adminURL = c.URL("postgres")
	}
	return m.Run()
}

// Cluster returns the private cluster of this test binary, or nil when the
// tests use TEST_DATABASE_URL.
func Cluster() *pgcluster.Cluster { return cluster }

// URL creates a fresh, migrated database for t, dropped when t ends, and
// returns its connection string.
func URL(t testing.TB) string {
	t.Helper()
	if adminURL == "" {
		t.Fatal("testdb: no database server: call testdb.Main from TestMain")
	}
	templateOnce.Do(func() { templateName, templateErr = prepareTemplate() })
	if templateErr != nil {
		t.Fatalf("testdb: template: %v", templateErr)
	}
	return createDatabase(t, "TEMPLATE "+templateName)
}

// EmptyURL creates a fresh database for t with no migrations applied (a
// plain CREATE DATABASE), dropped when t ends, and returns its connection
// string. Tests of the migrations themselves start from it.
func EmptyURL(t testing.TB) string {
	t.Helper()
	if adminURL == "" {
		t.Fatal("testdb: no database server: call testdb.Main from TestMain")
	}
	return createDatabase(t, "")
}

// createDatabase creates a database with a random name and the given
// CREATE DATABASE options, drops it when t ends, and returns its
// connection string.
func createDatabase(t testing.TB, options string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("testdb: connect: %v", err)
	}
	defer admin.Close(ctx)
	name := "parley_test_" + randomHex(6)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s %s`, name, options)); err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Errorf("testdb: connect to drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Errorf("testdb: drop %s: %v", name, err)
		}
	})
	return withDatabase(adminURL, name)
}

// New creates a fresh, migrated database for t and returns a pool on it,
// closed when t ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := store.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// prepareTemplate creates (once per migration set, shared between test
// binaries on the same server) a database with every migration applied.
func prepareTemplate() (string, error) {
	ctx := context.Background()
	name := "parley_tmpl_" + migrationsHash()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	// Test binaries of several packages may share a server: build it once.
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(hashtext('parley testdb template'))`); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(hashtext('parley testdb template'))`)
	var ready bool
	err = admin.QueryRow(ctx, `SELECT datistemplate FROM pg_database WHERE datname = $1`, name).Scan(&ready)
	if err == nil && ready {
		return name, nil
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
		return "", err
	}
	pool, err := store.Open(ctx, withDatabase(adminURL, name))
	if err != nil {
		return "", err
	}
	m, err := store.NewMigrator(pool)
	if err == nil {
		err = m.Up(ctx)
		m.Close()
	}
	if err == nil {
		_, err = pool.Exec(ctx, fixtureSides)
	}
	pool.Close()
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s IS_TEMPLATE true`, name)); err != nil {
		return "", err
	}
	return name, nil
}

// withDatabase returns the connection string dsn (URL or key=value form)
// pointed at database name.
func withDatabase(dsn, name string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		q := u.Query()
		q.Del("dbname")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " dbname=" + name
}

// fixtureSides are the sides every test database starts with: those a
// live database has from the seed (or, migrated from before sides were
// records, from its actors), with their default roles. Tests that need
// another side create it.
const fixtureSides = `INSERT INTO sides (slug, name, role) VALUES
	('russia', 'Russia', 'party'), ('ukraine', 'Ukraine', 'party'),
	('united-states', 'United States', 'stakeholder'), ('europe', 'Europe', 'stakeholder'),
	('nato', 'NATO', 'stakeholder'), ('belarus', 'Belarus', 'stakeholder'),
	('switzerland', 'Switzerland', 'stakeholder'), ('international', 'International', 'stakeholder'),
	('independent', 'Independent analysts', 'observer')`

func migrationsHash() string {
	h := sha256.New()
	h.Write([]byte(fixtureSides))
	_ = fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// URLOf returns the connection string of a pool New made, so a test can
// open more pools (another app instance) on the same database.
func URLOf(pool *pgxpool.Pool) string {
	return pool.Config().ConnString()
}
