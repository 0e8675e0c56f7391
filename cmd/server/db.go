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
// embedded cluster under DATA_DIR and its "parley" database.
func openDatabase(ctx context.Context, cfg config, log *slog.Logger) (*database, error) {
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
	c, err := startCluster(ctx, filepath.Join(cfg.DataDir, "pg"), log)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*database, error) {
		_ = c.Stop()
		return nil, err
	}
	admin, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fail(fmt.Errorf("connect to embedded cluster: %w", err))
	}
	_, err = admin.Exec(ctx, `CREATE DATABASE `+embeddedDB)
	admin.Close(ctx)
	if err != nil && !isDuplicateDatabase(err) {
		return fail(fmt.Errorf("create database %s: %w", embeddedDB, err))
	}
	pool, err := store.Open(ctx, c.URL(embeddedDB))
	if err != nil {
		return fail(err)
	}
	return &database{pool: pool, cluster: c}, nil
}

func isDuplicateDatabase(err error) bool {
	var pgErr interface{ SQLState() string }
	// 42P04 duplicate_database; 23505 when another process created it at the same moment.
	return errors.As(err, &pgErr) && (pgErr.SQLState() == "42P04" || pgErr.SQLState() == "23505")
}

// startCluster starts the embedded cluster; when the PostgreSQL binaries
// are missing and this is Debian as root, it installs them first.
func startCluster(ctx context.Context, dir string, log *slog.Logger) (*pgcluster.Cluster, error) {
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
	return pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Logger: log})
}
