package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"parley/internal/handlers"
	"parley/internal/seed"
	"parley/internal/store"
)

// serve runs the web application until ctx is cancelled, then drains
// in-flight requests and releases the database.
func serve(ctx context.Context, cfg config, log *slog.Logger, stdout io.Writer) error {
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	st := store.New(db.pool)
	var replica handlers.Store // nil unless DATABASE_READ_URL is set
	if cfg.ReadURL != "" {
		// Never migrated: a replica follows the primary's schema.
		pool, err := store.Open(ctx, cfg.ReadURL)
		if err != nil {
			return fmt.Errorf("DATABASE_READ_URL: %w", err)
		}
		defer pool.Close()
		replica = store.New(pool)
		c := pool.Config().ConnConfig
		log.Info("browsing reads from a replica: visitors who are not signed in",
			"host", c.Host, "port", c.Port, "database", c.Database)
	}
	if err := migrateUp(ctx, db); err != nil {
		return err
	}
	if empty, err := st.Empty(ctx); err != nil {
		return err
	} else if empty {
		if err := loadSeed(ctx, st, log); err != nil {
			return err
		}
	}

	// Bind before serving, so ADDR=127.0.0.1:0 works and the address
	// printed is the one that answers.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// pgxstore's own cleanup goroutine races with StopCleanup (scs issue
	// #231), so expired sessions are swept here instead.
	sessions := store.NewSessions(db.pool)
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		keepHouse(sweepCtx, st, log)
	}()
	defer func() { stopSweep(); <-swept }()
	srv := &http.Server{
		Handler: handlers.NewServer(log, st, sessions, handlers.Config{
			CookieSecure:   cfg.CookieSecure == "true",
			RequireSignIn:  cfg.ReadAccess == "signed-in",
			BaseURL:        cfg.BaseURL,
			Review:         cfg.Review == "two-person",
			TrustedProxies: cfg.TrustedProxies,
			Replica:        replica,
		}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      time.Minute, // exports extend their own deadline while the client reads
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "Parley is listening on http://%s\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func loadSeed(ctx context.Context, st *store.Store, log *slog.Logger) error {
	data, err := seed.Data()
	if err != nil {
		return err
	}
	res, err := st.LoadSeed(ctx, data)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	log.Info("seed data loaded", "sides", res.Sides, "regions", res.Regions, "sources", res.Sources, "actors", res.Actors,
		"demands", res.Demands, "statements", res.Statements, "statements updated", res.Updated, "statements merged", res.Merged)
	return nil
}

func migrateUp(ctx context.Context, db *database) error {
	m, err := store.NewMigrator(db.pool)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Up(ctx)
}

// keepHouse, every five minutes until ctx ends, deletes expired sessions
// and folds the count ledgers, which every write appends to. Instances
// doing it at once is harmless.
func keepHouse(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := st.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				log.Warn("sweep expired sessions", "err", err)
			}
			if err := st.CompactCounts(ctx); err != nil && ctx.Err() == nil {
				log.Warn("compact count ledgers", "err", err)
			}
		}
	}
}
