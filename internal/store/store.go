// Package store is Parley's PostgreSQL persistence: plain domain structs in,
// plain domain structs out, SQL kept readable. It knows nothing of HTTP.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the database behind Parley.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a Store over pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// defaultConnectTimeout bounds each host's connection attempt when the
// connection string sets no connect_timeout.
const defaultConnectTimeout = 5 * time.Second

// SessionSettings are PostgreSQL settings for Parley's connections (a
// connection string's own options win). Parallel workers are off: every
// page asks for a few hundred rows at most, and on a small server the
// workers' start-up and the rows each reads past the LIMIT cost more than
// they save (a demand's list page: 119 ms with two workers, 40–50 ms
// without, at a million statements), while they take cores from the
// other requests.
var SessionSettings = map[string]string{"max_parallel_workers_per_gather": "0"}

// Open connects a pool to url and checks the connection.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database url: %w", err)
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	for k, v := range SessionSettings {
		if _, set := cfg.ConnConfig.RuntimeParams[k]; !set {
			cfg.ConnConfig.RuntimeParams[k] = v
		}
	}
	// A host that accepts but never answers (hung, or a failed primary)
	// would hold every new connection until the request's deadline; with
	// a timeout the next host of a multi-host url (a promoted standby) is
	// tried. connect_timeout in the url overrides it.
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	// Broken connections (a database restart) are dropped before reuse.
	cfg.HealthCheckPeriod = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return pool, nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// querier is what query helpers need, so they run inside or outside a
// transaction alike.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
}

// transact runs fn in one transaction, committing if it returns nil.
// Serialization failures and deadlocks are retried a few times: fn must be
// safe to run again.
func (s *Store) transact(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if tx, ok := ctx.Value(txKey{}).(pgx.Tx); ok {
		// Part of a larger transaction (review.go): a savepoint, no retry.
		return pgx.BeginFunc(ctx, tx, fn)
	}
	const attempts = 3
	var err error
	for i := 0; i < attempts; i++ {
		err = s.transactOnce(ctx, fn)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01") {
			continue
		}
		return err
	}
	return err
}

// transactOnce is one attempt of transact. fn translates its own errors;
// BEGIN's and COMMIT's are translated here, so a connection lost at the
// commit (the primary gone during a failover) is ErrUnavailable, a 503
// the editor answers by saving again, not an unexplained 500.
func (s *Store) transactOnce(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap(err, "begin transaction")
	}
	defer func() { _ = tx.Rollback(ctx) }() // after a commit, a no-op
	if err := fn(tx); err != nil {
		return err
	}
	return wrap(tx.Commit(ctx), "commit")
}
