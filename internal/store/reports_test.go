package store_test

import (
	"context"
	"testing"

	"parley"
)

// TestReportsMakeTheEarliestThePrimarySourceAndAreSearched: a statement
// reported by several sources has the earliest published as its source,
// and search finds it by any report's quote (v2).
func TestReportsMakeTheEarliestThePrimarySourceAndAreSearched(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	kremlin := statementFixtures(t, s) // published 14 June 2024
	later, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{Outlet: "Later Weekly", Published: mustDate(t, "2024-07")})
	if err != nil {
		t.Fatal(err)
	}
	earlier, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{Outlet: "Early Wire", Published: mustDate(t, "2024-06-14")})
	if err != nil {
		t.Fatal(err)
	}
	in := validStatement(t)
	in.Reports = []parley.ReportInput{{SourceID: later.ID, Quote: "zugzwang of the steppes"}, {SourceID: kremlin.ID}, {SourceID: earlier.ID}}
	st, err := s.CreateStatement(ctx, parley.Editor{}, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Reports) != 3 || st.Source == nil || st.Source.ID != kremlin.ID {
		t.Fatalf("statement = %d reports, primary %+v; want 3, the Kremlin's (earliest published, then first stored)", len(st.Reports), st.Source)
	}
	if st.Reports[2].Source.ID != later.ID || st.Reports[2].Quote != "zugzwang of the steppes" {
		t.Errorf("last report = %+v, want the later weekly with its quote", st.Reports[2])
	}
	find := func(q string) int {
		t.Helper()
		page, err := s.SearchStatements(ctx, parley.StatementFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	if n := find("zugzwang"); n != 1 {
		t.Errorf("search for a word of a report's quote finds %d, want 1", n)
	}
	// The report gone, its quote no longer finds the statement.
	in.Reports = in.Reports[1:]
	if _, err := s.UpdateStatement(ctx, parley.Editor{}, st.ID, st.Version, in); err != nil {
		t.Fatal(err)
	}
	if n := find("zugzwang"); n != 0 {
		t.Errorf("after removing the report, search finds %d, want 0", n)
	}
}
