package store_test

import (
	"context"
	"errors"
	"testing"

	"parley"
)

// TestCreateStatementsReportOneSourcePerArticle: the drafts of one article
// saved together report one new source, and a source already stored with
// the same URL is reused, not repeated.
func TestCreateStatementsReportOneSourcePerArticle(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	statementFixtures(t, s)
	before := countSources(t, s)
	article := parley.SourceInput{Outlet: "Bloomberg News", Title: "Putin Demands Ukraine Abandon 4 Regions", Published: mustDate(t, "2024-06-14")}
	a, b := validStatement(t), validStatement(t)
	a.NewSource, a.Quote = &article, "our side will immediately cease fire"
	second := article // the same article, as each draft carries it
	b.NewSource, b.Actor, b.Summary = &second, "volodymyr-zelensky", "Rejects the terms."
	got, err := s.CreateStatements(ctx, parley.Editor{}, []parley.StatementInput{a, b})
	if err != nil {
		t.Fatalf("CreateStatements: %v", err)
	}
	if len(got) != 2 || got[0].Source == nil || got[1].Source == nil || got[0].Source.ID != got[1].Source.ID {
		t.Fatalf("got %d statements with sources %+v, %+v; want 2 reporting one source", len(got), got[0].Source, got[1].Source)
	}
	if n := countSources(t, s); n != before+1 {
		t.Errorf("sources: %d, want %d (one new)", n, before+1)
	}
	if got[0].Reports[0].Quote != "" || got[0].Quote != "our side will immediately cease fire" {
		t.Errorf("first statement: quote %q, report %+v", got[0].Quote, got[0].Reports[0])
	}

	// Saved again from the same article (no URL): the same source.
	c := validStatement(t)
	third := article
	c.NewSource, c.Summary = &third, "Restates the terms."
	again, err := s.CreateStatements(ctx, parley.Editor{}, []parley.StatementInput{c})
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Source.ID != got[0].Source.ID {
		t.Errorf("the same outlet, headline and date made a new source %d, want %d", again[0].Source.ID, got[0].Source.ID)
	}

	// With a URL, a stored source with that URL is the one.
	stored, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{Outlet: "Reuters", URL: "https://example.org/a", Published: mustDate(t, "2024-11-20")})
	if err != nil {
		t.Fatal(err)
	}
	d := validStatement(t)
	d.NewSource = &parley.SourceInput{Outlet: "Reuters (via UP)", URL: "https://example.org/a", Published: mustDate(t, "2024-11-20")}
	byURL, err := s.CreateStatements(ctx, parley.Editor{}, []parley.StatementInput{d})
	if err != nil {
		t.Fatal(err)
	}
	if byURL[0].Source.ID != stored.ID {
		t.Errorf("source %d, want the stored one with that URL (%d)", byURL[0].Source.ID, stored.ID)
	}
}

// TestCreateStatementsAllOrNothing: one bad draft saves none, and the
// problem names the draft.
func TestCreateStatementsAllOrNothing(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	statementFixtures(t, s)
	before, sources := countStatements(t, s), countSources(t, s)
	good, unknown, undated := validStatement(t), validStatement(t), validStatement(t)
	article := parley.SourceInput{Outlet: "Wire", Published: mustDate(t, "2024-06")}
	good.NewSource, unknown.NewSource = &article, &article
	unknown.Actor = "nobody-known"
	_, err := s.CreateStatements(ctx, parley.Editor{}, []parley.StatementInput{good, unknown})
	var ve *parley.ValidationError
	if !errors.As(err, &ve) || ve.Fields["statements.1.actor"] == "" {
		t.Fatalf("err = %v, want a problem with statements.1.actor", err)
	}
	undated.Date = parley.Date{}
	_, err = s.CreateStatements(ctx, parley.Editor{}, []parley.StatementInput{good, undated})
	if !errors.As(err, &ve) || ve.Fields["statements.1.date"] == "" {
		t.Fatalf("err = %v, want a problem with statements.1.date", err)
	}
	if n, m := countStatements(t, s), countSources(t, s); n != before || m != sources {
		t.Errorf("after failed saves: %d statements and %d sources, want %d and %d (nothing written)", n, m, before, sources)
	}
}

// TestCreateStatementsAddsAReportOfAnExistingStatement: a draft that is a
// statement already recorded adds the article as one more report of it,
// once, however often it is saved.
func TestCreateStatementsAddsAReportOfAnExistingStatement(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	kremlin := statementFixtures(t, s)
	in := validStatement(t)
	in.SourceID = kremlin.ID
	st, err := s.CreateStatement(ctx, parley.Editor{}, in)
	if err != nil {
		t.Fatal(err)
	}
	before := countStatements(t, s)
	again := validStatement(t)
	again.ReportOf, again.Quote = st.ID, "cease fire at the same minute"
	again.NewSource = &parley.SourceInput{Outlet: "Bloomberg News", URL: "https://example.org/b", Published: mustDate(t, "2024-06-14")}
	for range 2 {
		got, err := s.CreateStatements(ctx, parley.Editor{}, []parley.StatementInput{again})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].ID != st.ID || len(got[0].Reports) != 2 || got[0].Reports[1].Quote != "cease fire at the same minute" {
			t.Fatalf("got statement %d with reports %+v, want %d with the new report and its quote", got[0].ID, got[0].Reports, st.ID)
		}
	}
	if n := countStatements(t, s); n != before {
		t.Errorf("statements: %d, want %d (no new one)", n, before)
	}
	missing := validStatement(t)
	missing.ReportOf, missing.SourceID = 999999, kremlin.ID
	if _, err := s.CreateStatements(ctx, parley.Editor{}, []parley.StatementInput{missing}); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("a report of a missing statement: err = %v, want ErrNotFound", err)
	}
}

// TestCreateStatementsSubmittedTwice: the same drafts saved twice (their
// idempotency keys) create their statements once.
func TestCreateStatementsSubmittedTwice(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	statementFixtures(t, s)
	in := validStatement(t)
	in.IdempotencyKey = parley.NewUUID()
	in.NewSource = &parley.SourceInput{Outlet: "Wire", Published: mustDate(t, "2024-06-14")}
	first, err := s.CreateStatements(ctx, parley.Editor{}, []parley.StatementInput{in})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.CreateStatements(ctx, parley.Editor{}, []parley.StatementInput{in})
	if err != nil {
		t.Fatal(err)
	}
	if first[0].ID != second[0].ID || !second[0].Resubmitted {
		t.Errorf("second save gave statement %d (resubmitted %v), want %d again", second[0].ID, second[0].Resubmitted, first[0].ID)
	}
}

func countSources(t *testing.T, s interface {
	ListSources(context.Context) ([]parley.Source, error)
}) int {
	t.Helper()
	list, err := s.ListSources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}
