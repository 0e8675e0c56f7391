package store_test

import (
	"context"
	"fmt"
	"parley"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/store"
	"parley/internal/testdb"
)

// TestCurrentPositionsStayRightUnderConcurrentWriters has editors save,
// redate and delete statements of one actor on the same demands at once:
// each writer computes the pair's newest stance, and without the pair lock
// one computed from a snapshot missing the other's row would win.
func TestCurrentPositionsStayRightUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := store.New(pool)
	ctx := context.Background()
	scaleExec(t, pool, `INSERT INTO actors (slug, name, kind, side) VALUES ('putin', 'Putin', 'person', 'russia')`)
	scaleExec(t, pool, `INSERT INTO demands (slug, title, side, category) VALUES
		('neutrality', 'Neutrality', 'russia', 'security'), ('sanctions', 'Sanctions', 'russia', 'sanctions-economy')`)
	stances := parley.Stances
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				in := parley.StatementInput{Actor: "putin", Summary: fmt.Sprintf("Writer %d statement %d", w, i),
					Attribution: "on_record", Date: parley.Date{Time: scaleDay(2020+(w*7+i*3)%6, 1+(i*5+w)%12, 1+(w+i)%28), Precision: "day"},
					Positions: []parley.PositionInput{{Demand: "neutrality", Stance: stances[(w+i)%5]}, {Demand: "sanctions", Stance: stances[(w*3+i)%5]}}}
				st, err := s.CreateStatement(ctx, parley.Editor{}, in)
				if err != nil {
					errs <- fmt.Errorf("writer %d create %d: %w", w, i, err)
					return
				}
				if i%4 == 3 {
					if err := s.DeleteStatement(ctx, parley.Editor{}, st.ID); err != nil {
						errs <- fmt.Errorf("writer %d delete %d: %w", w, i, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	scaleCheckDerivedTables(t, s, pool, "after 8 concurrent writers")
	if n := scaleInt(t, pool, `SELECT count(*) FROM current_positions`); n != 2 {
		t.Errorf("current_positions has %d rows, want 2 (one actor, two demands)", n)
	}
}

// TestCurrentPositionsWaitForAConcurrentWriterOfThePair interleaves two
// transactions on one (actor, demand) deterministically: A saves a newer
// stance and holds its transaction open; B saves an older one and must wait
// for A, then recompute seeing A's row. Computed from B's first snapshot,
// the pair would end on B's older stance.
func TestCurrentPositionsWaitForAConcurrentWriterOfThePair(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := store.New(pool)
	ctx := context.Background()
	scaleExec(t, pool, `INSERT INTO actors (slug, name, kind, side) VALUES ('putin', 'Putin', 'person', 'russia')`)
	scaleExec(t, pool, `INSERT INTO demands (slug, title, side, category) VALUES ('neutrality', 'Neutrality', 'russia', 'security')`)
	save := func(tx pgx.Tx, date, stance string) error {
		_, err := tx.Exec(ctx, `
			WITH st AS (
			    INSERT INTO statements (actor_id, date, date_precision, summary, attribution)
			    SELECT id, $1::date, 'day', 'Said on ' || $1, 'on_record' FROM actors WHERE slug = 'putin'
			    RETURNING id)
			INSERT INTO positions (statement_id, demand_id, stance)
			SELECT st.id, d.id, $2 FROM st, demands d WHERE d.slug = 'neutrality'`, date, stance)
		return err
	}
	// The pair exists, committed, before either writer starts.
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return save(tx, "2020-01-01", "open") }); err != nil {
		t.Fatalf("first statement: %v", err)
	}
	a, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Rollback(ctx)
	if err := save(a, "2025-06-01", "insists"); err != nil {
		t.Fatalf("A: %v", err)
	}
	// The derived tables are rebuilt at commit (a deferred trigger); run
	// A's rebuild now, so A holds the pair while B comes.
	if _, err := a.Exec(ctx, `SET CONSTRAINTS ALL IMMEDIATE`); err != nil {
		t.Fatalf("A: %v", err)
	}
	connB, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer connB.Release()
	var pidB int
	if err := connB.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pidB); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- pgx.BeginFunc(ctx, connB, func(b pgx.Tx) error { return save(b, "2024-01-01", "rejects") })
	}()
	// B is waiting for A's lock on the pair.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting bool
		if err := pool.QueryRow(ctx, `SELECT coalesce(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = $1`, pidB).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("B never waited for A's lock on the pair: the writers of one pair are not serialized")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatalf("A commit: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("B: %v", err)
	}
	var stance, date string
	if err := pool.QueryRow(ctx, `SELECT stance, date::text FROM current_positions`).Scan(&stance, &date); err != nil {
		t.Fatal(err)
	}
	if stance != "insists" || date != "2025-06-01" {
		t.Errorf("current position = %s on %s, want A's newer insists on 2025-06-01", stance, date)
	}
	scaleCheckDerivedTables(t, s, pool, "after two interleaved writers of one pair")
}
