package store_test

import (
	"context"
	"errors"
	"parley"
	"testing"

	"parley/internal/store"
	"parley/internal/testdb"
)

// TestReviewDerivedTablesFollowApprovals proposes and approves changes of
// every kind that moves a figure, and checks after each step that the
// derived tables equal their from-scratch oracles: a proposal (whose write
// runs and is rolled back in a savepoint) leaves them and the records
// untouched; an approval updates them in its own transaction.
func TestReviewDerivedTablesFollowApprovals(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := store.New(pool)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string) { t.Helper(); scaleCheckDerivedTables(t, s, pool, "after "+step) }
	day := func(y, m, d int) parley.Date { return parley.Date{Time: scaleDay(y, m, d), Precision: "day"} }
	ann, err := s.CreateUser(ctx, "ann@example.org", "x", parley.RoleEditor)
	must(err)
	ben, err := s.CreateUser(ctx, "ben@example.org", "x", parley.RoleEditor)
	must(err)
	a, b := parley.Editor{ID: ann.ID, Email: ann.Email}, parley.Editor{ID: ben.ID, Email: ben.Email}

	scaleExec(t, pool, `INSERT INTO regions (slug, name, country, kind) VALUES ('donetsk', 'Donetsk', 'Ukraine', 'oblast')`)
	scaleExec(t, pool, `INSERT INTO actors (slug, name, kind, side) VALUES ('putin', 'Putin', 'person', 'russia'), ('zelensky', 'Zelensky', 'person', 'ukraine')`)
	_, err = s.CreateDemand(ctx, parley.Editor{}, parley.DemandInput{Slug: "withdrawal", Title: "Withdrawal", Side: "russia", Category: "territory", Regions: []string{"donetsk"}})
	must(err)
	first, err := s.CreateStatement(ctx, parley.Editor{}, parley.StatementInput{Actor: "putin", Date: day(2024, 6, 14), Summary: "Demands withdrawal",
		Attribution: "on_record", Regions: []string{"donetsk"}, Positions: []parley.PositionInput{{Demand: "withdrawal", Stance: "insists"}}})
	must(err)
	check("setting up")
	records := func() string {
		t.Helper()
		var fp string
		must(pool.QueryRow(ctx, `SELECT concat_ws(' ', (SELECT count(*) || '/' || sum(version) FROM statements), (SELECT count(*) FROM positions),
			(SELECT count(*) FROM revisions), (SELECT count(*) FROM derived_queue), (SELECT count(*) FROM demands))`).Scan(&fp))
		return fp
	}

	propose := func(step string, p parley.Proposal) *parley.Proposed {
		t.Helper()
		before := records()
		pr, err := s.Propose(ctx, a, p)
		if err != nil {
			t.Fatalf("%s: Propose: %v", step, err)
		}
		if got := records(); got != before {
			t.Fatalf("%s: proposing changed the records: %s → %s", step, before, got)
		}
		check("proposing " + step)
		return pr
	}
	approve := func(step string, pr *parley.Proposed) parley.Candidate {
		t.Helper()
		c, err := s.GetCandidate(ctx, pr.ID)
		must(err)
		if _, err := s.Approve(ctx, a, pr.ID, c.Version); !errors.Is(err, parley.ErrOwnCandidate) {
			t.Fatalf("%s: the author's approval: %v, want ErrOwnCandidate", step, err)
		}
		c, err = s.Approve(ctx, b, pr.ID, c.Version)
		if err != nil {
			t.Fatalf("%s: Approve: %v", step, err)
		}
		check("approving " + step)
		return c
	}

	in := parley.StatementInput{Actor: "zelensky", Date: day(2025, 3, 1), Summary: "Rejects withdrawal", Attribution: "on_record",
		Regions: []string{"donetsk"}, Positions: []parley.PositionInput{{Demand: "withdrawal", Stance: "rejects"}}}
	pr := propose("a new statement", parley.Proposal{Kind: parley.KindStatement, Op: parley.OpCreate, Statement: &in})
	c, err := s.GetCandidate(ctx, pr.ID)
	must(err)
	if c.Impact.Level != parley.ImpactGap || len(c.After) != 1 {
		t.Errorf("new party stance: impact %v (%v), preview %d records; want a party's position to move, one record", c.Impact.Level, c.Impact.Notes, len(c.After))
	}
	created := approve("a new statement", pr)
	if n := scaleInt(t, pool, `SELECT count(*) FROM stance_log WHERE statement_id = $1::bigint`, created.ResultKey); n != 1 {
		t.Errorf("the approved statement has %d stance_log rows, want 1", n)
	}

	edit := parley.InputOf(first)
	edit.Positions = []parley.PositionInput{{Demand: "withdrawal", Stance: "open"}}
	approve("an edit of a stance", propose("an edit of a stance", parley.Proposal{Kind: parley.KindStatement, Op: parley.OpUpdate,
		Key: idString(first.ID), Version: first.Version, Statement: &edit}))
	approve("a deletion", propose("a deletion", parley.Proposal{Kind: parley.KindStatement, Op: parley.OpDelete, Key: created.ResultKey}))
	approve("a restore", propose("a restore", parley.Proposal{Kind: parley.KindStatement, Op: parley.OpRestore, Key: created.ResultKey}))
	approve("an actor's move to another side", propose("an actor's move", parley.Proposal{Kind: parley.KindActor, Op: parley.OpUpdate, Key: "zelensky", Version: 1,
		Actor: &parley.ActorInput{Slug: "zelensky", Name: "Zelensky", Kind: "person", Side: "russia"}}))

	// A proposal the write refuses is refused as the write would, and nothing is stored.
	bad := parley.StatementInput{Actor: "nobody", Date: day(2025, 3, 1), Summary: "x", Attribution: "on_record"}
	var ve *parley.ValidationError
	if _, err := s.Propose(ctx, a, parley.Proposal{Kind: parley.KindStatement, Op: parley.OpCreate, Statement: &bad}); !errors.As(err, &ve) {
		t.Errorf("proposing a statement of an unknown actor: %v, want a validation error", err)
	}
	if n := scaleInt(t, pool, `SELECT count(*) FROM candidates WHERE status = 'pending'`); n != 0 {
		t.Errorf("%d candidates pending after every approval and a refused proposal, want 0", n)
	}
}

func idString(id int64) string { return parley.StatementPath(id)[len("/statements/"):] }
