package store_test

import (
	"context"
	"fmt"
	"parley"
	"strings"
	"testing"
	"time"

	"parley/internal/store"
	"parley/internal/testdb"
)

// exportBoth returns a region export read from the precomputed timeline
// and computed by the joined query, as text.
func exportBoth(t *testing.T, s *store.Store, f parley.StatementFilter) (fast, slow string) {
	t.Helper()
	var a, b strings.Builder
	err := s.ExportBothWays(context.Background(), f,
		func(r parley.ExportRow) error { fmt.Fprintf(&a, "%v\n", r); return nil },
		func(r parley.ExportRow) error { fmt.Fprintf(&b, "%v\n", r); return nil })
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	return a.String(), b.String()
}

// TestRegionTimelineNeverGoesStale edits every kind of record the timeline
// depends on and checks, after each write, that every region's precomputed
// timeline equals what the joined query computes from scratch.
func TestRegionTimelineNeverGoesStale(t *testing.T) {
	pool := testdb.New(t)
	s := store.New(pool)
	ctx := context.Background()
	by := parley.Editor{}
	mustExec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	mustExec(`INSERT INTO regions (slug, name, country, kind) VALUES ('donetsk', 'Donetsk', 'Ukraine', 'oblast'),
		('crimea', 'Crimea', 'Ukraine', 'autonomous-republic'), ('kursk', 'Kursk', 'Russia', 'oblast')`)
	mustExec(`INSERT INTO actors (slug, name, kind, side) VALUES ('putin', 'Putin', 'person', 'russia'), ('zelensky', 'Zelensky', 'person', 'ukraine')`)
	mustExec(`INSERT INTO demands (slug, title, side, category) VALUES ('withdrawal', 'Withdrawal', 'russia', 'territory'), ('swap', 'Swap', 'ukraine', 'territory')`)
	mustExec(`INSERT INTO demand_regions (demand_id, region_id) SELECT d.id, r.id FROM demands d, regions r WHERE d.slug = 'withdrawal' AND r.slug = 'donetsk'`)
	src, err := s.CreateSource(ctx, by, parley.SourceInput{Outlet: "Reuters", Title: "T"})
	if err != nil {
		t.Fatal(err)
	}
	day := func(y, m, d int) parley.Date {
		return parley.Date{Time: time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), Precision: "day"}
	}
	check := func(step string) {
		t.Helper()
		for _, region := range []string{"donetsk", "crimea", "kursk"} {
			for _, f := range []parley.StatementFilter{{Region: region}, {Region: region, Stance: "insists"}, {Region: region, Actor: "putin", From: day(2024, 1, 1).Time}} {
				fast, slow := exportBoth(t, s, f)
				if fast != slow {
					t.Fatalf("after %s, %+v: precomputed timeline differs from the joined query:\n fast %q\n slow %q", step, f, fast, slow)
				}
			}
		}
	}
	a, err := s.CreateStatement(ctx, by, parley.StatementInput{Actor: "putin", Date: day(2024, 6, 14), Summary: "Demands withdrawal",
		Attribution: "on_record", SourceID: src.ID, Positions: []parley.PositionInput{{Demand: "withdrawal", Stance: "insists"}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateStatement(ctx, by, parley.StatementInput{Actor: "zelensky", Date: day(2025, 2, 11), Summary: "Offers a swap",
		Attribution: "on_record", Regions: []string{"kursk", "crimea"}, Positions: []parley.PositionInput{{Demand: "swap", Stance: "supports"}}})
	if err != nil {
		t.Fatal(err)
	}
	check("creating statements")
	if _, err := s.UpdateStatement(ctx, by, a.ID, a.Version, parley.StatementInput{Actor: "putin", Date: day(2024, 6, 15), Summary: "Edited",
		Attribution: "on_record", Regions: []string{"crimea"}, Positions: []parley.PositionInput{{Demand: "withdrawal", Stance: "open"}, {Demand: "swap", Stance: "rejects"}}}); err != nil {
		t.Fatal(err)
	}
	check("editing a statement")
	if _, err := s.UpdateActor(ctx, by, "putin", 1, parley.ActorInput{Name: "Vladimir Putin", Kind: "person", Side: "russia"}); err != nil {
		t.Fatal(err)
	}
	check("renaming an actor")
	if _, err := s.UpdateSource(ctx, by, src.ID, src.Version, parley.SourceInput{Outlet: "Reuters (edited)", URL: "https://example.org/x"}); err != nil {
		t.Fatal(err)
	}
	check("editing a source")
	if _, err := s.UpdateDemand(ctx, by, "swap", 1, parley.DemandInput{Title: "Swap", Side: "ukraine", Category: "territory", Regions: []string{"kursk", "donetsk"}}); err != nil {
		t.Fatal(err)
	}
	check("changing a demand's regions")
	if err := s.DeleteStatement(ctx, by, b.ID); err != nil {
		t.Fatal(err)
	}
	check("deleting a statement")
	if err := s.RestoreStatement(ctx, by, b.ID); err != nil {
		t.Fatal(err)
	}
	check("restoring a statement")
	if err := s.DeleteSource(ctx, by, src.ID); err != nil {
		t.Fatal(err)
	}
	check("deleting a source")
	if err := s.DeleteRegion(ctx, by, "crimea"); err != nil {
		t.Fatal(err)
	}
	check("deleting a region")
	var rows int
	pool.QueryRow(ctx, `SELECT count(*) FROM region_timeline`).Scan(&rows)
	if rows == 0 {
		t.Fatal("the timeline is empty: the comparison proved nothing")
	}
}

func TestGeneratedRegionTimelineMatchesTheJoinedQuery(t *testing.T) {
	pool := generated(t, 400, 5)
	s := store.New(pool)
	for _, region := range []string{"gen-region-1", "gen-region-7"} {
		fast, slow := exportBoth(t, s, parley.StatementFilter{Region: region})
		if fast != slow || fast == "" {
			t.Errorf("%s: precomputed timeline (%d bytes) differs from the joined query (%d bytes)", region, len(fast), len(slow))
		}
	}
}
