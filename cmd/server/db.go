package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/pgcluster"
	"parley/internal/store"
)

const embeddedDB = "parley"

// database is an open pool and how to let go of it.
type database struct {
	pool    *pgxpool.Pool
	cluster *pgcluster.Cluster // nil with DATABASE_URL
}

// Close closes the pool and stops the embedded cluster if this process
// started it.
func (d *database) Close() {
	d.pool.Close()
	if d.cluster != nil {
		_ = d.cluster.Stop()
	}
}

// openDatabase connects to DATABASE_URL, or starts (or attaches to) the
// embedded cluster under DATA_DIR and its "parley" database. settings
// ("name=value") apply if this process starts the cluster.
func openDatabase(ctx context.Context, cfg config, log *slog.Logger, settings ...string) (*database, error) {
	if cfg.DatabaseURL != "" {
		pool, err := store.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		return &database{pool: pool}, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("DATA_DIR: %w", err)
	}
	c, err := startCluster(ctx, filepath.Join(cfg.DataDir, "pg"), log, settings)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*database, error) {
		_ = c.Stop()
		return nil, err
	}
	if err := prepareEmbeddedDatabase(ctx, c); err != nil {
		return fail(err)
	}
	// The app (serving, migrations, seed) connects as the role that owns
	// Parley's database and nothing else: not a superuser, so a query gone
	// wrong cannot reach the operating system (COPY ... TO PROGRAM) or other
	// databases' data.
	pool, err := store.Open(ctx, c.RoleURL(embeddedDB, embeddedRole))
	if err != nil {
		return fail(err)
	}
	return &database{pool: pool, cluster: c}, nil
}

// embeddedRole is the role the app connects as on the embedded cluster.
const embeddedRole = "parley"

// prepareEmbeddedDatabase, as the cluster's superuser, creates the app's
// role (LOGIN, nothing more) and its database, owned by it. A database
// from an earlier version, made and migrated by the superuser, is handed
// over to the role with everything Parley created in it.
func prepareEmbeddedDatabase(ctx context.Context, c *pgcluster.Cluster) error {
	admin, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to embedded cluster: %w", err)
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, `CREATE ROLE `+embeddedRole+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`)
	if err != nil && !isDuplicate(err) {
		return fmt.Errorf("create role %s: %w", embeddedRole, err)
	}
	_, err = admin.Exec(ctx, `CREATE DATABASE `+embeddedDB+` OWNER `+embeddedRole)
	if err != nil && !isDuplicate(err) {
		return fmt.Errorf("create database %s: %w", embeddedDB, err)
	}
	var owner string
	if err := admin.QueryRow(ctx, `SELECT datdba::regrole::text FROM pg_database WHERE datname = $1`, embeddedDB).Scan(&owner); err != nil {
		return fmt.Errorf("database %s: %w", embeddedDB, err)
	}
	if owner == embeddedRole {
		return nil
	}
	db, err := pgx.Connect(ctx, c.URL(embeddedDB))
	if err != nil {
		return fmt.Errorf("connect to database %s: %w", embeddedDB, err)
	}
	defer db.Close(ctx)
	// The database's owner changes last, in the same transaction: an
	// interrupted hand-over is done again at the next start.
	err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, handOver); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER DATABASE `+embeddedDB+` OWNER TO `+embeddedRole)
		return err
	})
	if err != nil {
		return fmt.Errorf("hand database %s over to role %s: %w", embeddedDB, embeddedRole, err)
	}
	return nil
}

// handOver gives the app's role every table, view, sequence, function,
// type and text search configuration of the public schema that is not an
// extension's (REASSIGN OWNED cannot: the bootstrap superuser also owns the
// system catalogs). Sequences owned by a column follow their table.
const handOver = `DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT format('ALTER %s %s OWNER TO ` + embeddedRole + `',
             CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                            WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, c.oid::regclass) AS sql
    FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND c.relowner <> '` + embeddedRole + `'::regrole
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i') AND d.refclassid = 'pg_class'::regclass)))
    UNION ALL
    SELECT format('ALTER ROUTINE %s OWNER TO ` + embeddedRole + `', p.oid::regprocedure)
    FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> '` + embeddedRole + `'::regrole
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
    SELECT format('ALTER TYPE %s OWNER TO ` + embeddedRole + `', t.oid::regtype)
    FROM pg_type t
    WHERE t.typnamespace = 'public'::regnamespace AND t.typowner <> '` + embeddedRole + `'::regrole
      AND t.typtype IN ('e', 'd', 'c', 'r', 'm')
      AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
    UNION ALL
    SELECT format('ALTER TEXT SEARCH CONFIGURATION %s OWNER TO ` + embeddedRole + `', c.oid::regconfig)
    FROM pg_ts_config c WHERE c.cfgnamespace = 'public'::regnamespace AND c.cfgowner <> '` + embeddedRole + `'::regrole
  LOOP
    EXECUTE r.sql;
  END LOOP;
END $$`

func isDuplicate(err error) bool {
	var pgErr interface{ SQLState() string }
	// 42P04 duplicate_database, 42710 duplicate_object (a role); 23505
	// when another process created it at the same moment.
	return errors.As(err, &pgErr) && (pgErr.SQLState() == "42P04" || pgErr.SQLState() == "42710" || pgErr.SQLState() == "23505")
}

// startCluster starts the embedded cluster; when the PostgreSQL binaries
// are missing and this is Debian as root, it installs them first.
func startCluster(ctx context.Context, dir string, log *slog.Logger, settings []string) (*pgcluster.Cluster, error) {
	if _, err := pgcluster.FindBinaries(); errors.Is(err, pgcluster.ErrNoBinaries) && os.Geteuid() == 0 {
		if _, aptErr := exec.LookPath("apt-get"); aptErr == nil {
			log.Info("PostgreSQL binaries not found; installing them with apt-get (Debian package postgresql)")
			for _, args := range [][]string{{"update", "-q"}, {"install", "-y", "-q", "postgresql"}} {
				cmd := exec.CommandContext(ctx, "apt-get", args...)
				cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
				cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
				if err := cmd.Run(); err != nil {
					return nil, fmt.Errorf("apt-get %v: %w", args, err)
				}
			}
		}
	}
	return pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Logger: log, Settings: settings})
}
