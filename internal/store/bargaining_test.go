package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"parley"
	"parley/internal/store"
	"parley/internal/testdb"
)

// monthFigures writes a month's figures: "2024-03 feasible 1" or
// "2024-03 blocked by x".
func monthFigures(points []parley.BargainingPoint) string {
	var out []string
	for _, p := range points {
		if p.Feasible {
			out = append(out, fmt.Sprintf("%s feasible %d", p.Day.Format("2006-01"), p.Packages))
		} else {
			out = append(out, fmt.Sprintf("%s blocked by %s", p.Day.Format("2006-01"), strings.Join(p.Blocking, "+")))
		}
	}
	return strings.Join(out, ", ")
}

// bargainingFixture has Putin insist on talks in January 2024 and
// Zelensky reject them in March.
func bargainingFixture(t *testing.T) (*store.Store, func(actor, day string, stance parley.Stance) int64, func() int) {
	t.Helper()
	pool := testdb.New(t)
	s := store.New(pool)
	ctx := context.Background()
	for _, a := range []parley.ActorInput{
		{Slug: "putin", Name: "Putin", Kind: "person", Side: "russia"},
		{Slug: "zelensky", Name: "Zelensky", Kind: "person", Side: "ukraine"},
	} {
		if _, err := s.CreateActor(ctx, parley.Editor{}, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateDemand(ctx, parley.Editor{}, parley.DemandInput{Slug: "talks", Title: "Talks", Side: "russia", Category: "process"}); err != nil {
		t.Fatal(err)
	}
	say := func(actor, day string, stance parley.Stance) int64 {
		t.Helper()
		d, err := parley.ParseDate(day)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.CreateStatement(ctx, parley.Editor{}, parley.StatementInput{Actor: actor, Date: d, Summary: actor + " on talks",
			Attribution: parley.OnRecord, Positions: []parley.PositionInput{{Demand: "talks", Stance: stance}}})
		if err != nil {
			t.Fatal(err)
		}
		return st.ID
	}
	stored := func() int {
		t.Helper()
		return scaleInt(t, pool, `SELECT count(*) FROM bargaining_months WHERE result IS NOT NULL`)
	}
	say("putin", "2024-01-10", parley.Insists)
	say("zelensky", "2024-03-05", parley.Rejects)
	return s, say, stored
}

func TestBargainingMonthsAreStoredAndForgottenByTheWritesThatChangeThem(t *testing.T) {
	t.Parallel()
	s, say, stored := bargainingFixture(t)
	ctx := context.Background()
	until := scaleDay(2024, 6, 15)
	months := func(step string) string {
		t.Helper()
		points, err := s.BargainingMonths(ctx, until)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return monthFigures(points)
	}
	want := "2024-01 feasible 1, 2024-02 feasible 1, 2024-03 blocked by talks, 2024-04 blocked by talks, 2024-05 blocked by talks"
	if got := months("first read"); got != want {
		t.Errorf("first read:\n got %s\nwant %s", got, want)
	}
	if n := stored(); n != 5 {
		t.Errorf("after the first read %d months are stored, want 5", n)
	}
	if got := months("second read"); got != want {
		t.Errorf("second read (stored):\n got %s\nwant %s", got, want)
	}

	// Zelensky comes round in April: April and May change, the months
	// before stay stored.
	say("zelensky", "2024-04-20", parley.Supports)
	if n := stored(); n != 3 {
		t.Errorf("after a statement of April %d months are stored, want 3 (January to March)", n)
	}
	want = "2024-01 feasible 1, 2024-02 feasible 1, 2024-03 blocked by talks, 2024-04 feasible 1, 2024-05 feasible 1"
	if got := months("after April"); got != want {
		t.Errorf("after April:\n got %s\nwant %s", got, want)
	}

	// Ukraine stops being a party: every month changes.
	if _, err := s.UpdateSide(ctx, parley.Editor{}, "ukraine", 1, parley.SideInput{Name: "Ukraine", Role: parley.Stakeholder}); err != nil {
		t.Fatal(err)
	}
	if n := stored(); n != 0 {
		t.Errorf("after a role change %d months are stored, want none", n)
	}
	want = "2024-01 feasible 1, 2024-02 feasible 1, 2024-03 feasible 1, 2024-04 feasible 1, 2024-05 feasible 1"
	if got := months("after the role change"); got != want {
		t.Errorf("after the role change:\n got %s\nwant %s", got, want)
	}
}

func TestBargainingMonthsComputedBeforeAWriteAreNotStoredAfterIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	until := scaleDay(2024, 6, 15)
	for _, tc := range []struct {
		name  string
		write func(s *store.Store, say func(string, string, parley.Stance) int64)
		want  string
		// months stored by the interleaved read: those the write left alone
		stored int
	}{
		{"a statement of February", func(_ *store.Store, say func(string, string, parley.Stance) int64) {
			say("zelensky", "2024-02-01", parley.Rejects)
		}, "2024-01 feasible 1, 2024-02 blocked by talks, 2024-03 blocked by talks, 2024-04 blocked by talks, 2024-05 blocked by talks", 1},
		{"a role change", func(s *store.Store, _ func(string, string, parley.Stance) int64) {
			if _, err := s.UpdateSide(ctx, parley.Editor{}, "ukraine", 1, parley.SideInput{Name: "Ukraine", Role: parley.Observer}); err != nil {
				t.Fatal(err)
			}
		}, "2024-01 feasible 1, 2024-02 feasible 1, 2024-03 feasible 1, 2024-04 feasible 1, 2024-05 feasible 1", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, say, stored := bargainingFixture(t)
			err := s.BargainingMonthsInterleaved(ctx, until, func() { tc.write(s, say) })
			if err != nil {
				t.Fatal(err)
			}
			if n := stored(); n != tc.stored {
				t.Errorf("%d months stored from the snapshot before %s, want %d", n, tc.name, tc.stored)
			}
			points, err := s.BargainingMonths(ctx, until)
			if err != nil {
				t.Fatal(err)
			}
			if got := monthFigures(points); got != tc.want {
				t.Errorf("after %s landed between computing and storing:\n got %s\nwant %s", tc.name, got, tc.want)
			}
		})
	}
}
