package store_test

import (
	"context"
	"errors"
	"parley"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"parley/internal/store"
)

// statementFixtures creates the actors, demands, regions and a source that
// the statement tests refer to, and returns the source.
func statementFixtures(t *testing.T, s *store.Store) parley.Source {
	t.Helper()
	ctx := context.Background()
	createRegions(t, s, regionCrimea, regionZaporizhzhia, regionDonetsk, regionKherson)
	for _, in := range []parley.ActorInput{
		{Slug: "vladimir-putin", Name: "Vladimir Putin", Kind: "person", Side: "russia"},
		{Slug: "volodymyr-zelensky", Name: "Volodymyr Zelensky", Kind: "person", Side: "ukraine"},
	} {
		if _, err := s.CreateActor(ctx, parley.Editor{}, in); err != nil {
			t.Fatalf("CreateActor(%q): %v", in.Slug, err)
		}
	}
	for _, in := range []parley.DemandInput{
		{Slug: "withdrawal", Title: "Ukrainian withdrawal from four oblasts", Side: "russia", Category: "territory"},
		// Its title sorts after the withdrawal's, its slug before.
		{Slug: "ceasefire-first", Title: "Unconditional ceasefire first", Side: "ukraine", Category: "process"},
		{Slug: "neutrality", Title: "Neutrality", Side: "russia", Category: "security"},
	} {
		if _, err := s.CreateDemand(ctx, parley.Editor{}, in); err != nil {
			t.Fatalf("CreateDemand(%q): %v", in.Slug, err)
		}
	}
	src, err := s.CreateSource(ctx, parley.Editor{}, parley.SourceInput{
		Ref: "kremlin-2024-06.md", Outlet: "Kremlin.ru", Title: "Meeting with the Foreign Ministry",
		URL: "http://en.kremlin.ru/events/president/news/74285", Via: "transcript", Published: mustDate(t, "2024-06-14"),
	})
	if err != nil {
		t.Fatalf("CreateSource: %v", err)
	}
	return src
}

// validStatement is a statement input that the fixtures make acceptable.
func validStatement(t *testing.T) parley.StatementInput {
	t.Helper()
	return parley.StatementInput{
		Actor: "vladimir-putin", Date: mustDate(t, "2024-06-14"), Summary: "Sets terms for a ceasefire.",
		Attribution: "on_record", Regions: []string{"donetsk"},
		Positions: []parley.PositionInput{{Demand: "withdrawal", Stance: "insists"}},
	}
}

// countStatements returns how many statements ListStatements finds.
func countStatements(t *testing.T, s *store.Store) int {
	t.Helper()
	list, err := s.ListStatements(context.Background(), parley.StatementFilter{Limit: 10000})
	if err != nil {
		t.Fatalf("ListStatements: %v", err)
	}
	return len(list)
}

// validationFields returns the sorted field names of err, which must be a
// *ValidationError.
func validationFields(t *testing.T, err error) []string {
	t.Helper()
	var ve *parley.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	var fields []string
	for f, msg := range ve.Fields {
		if msg == "" {
			t.Errorf("field %q has an empty message", f)
		}
		fields = append(fields, f)
	}
	return fields
}

var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

func TestCreateStatementThenGet(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	src := statementFixtures(t, s)
	user, err := s.CreateUser(ctx, "editor@example.org", "hash", "editor")
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	by := parley.Editor{ID: user.ID, Email: user.Email}
	created, err := s.CreateStatement(ctx, by, parley.StatementInput{
		Actor: "vladimir-putin", Date: mustDate(t, "2024-06"),
		Quote: " Ukrainian troops must be completely withdrawn. ", Summary: " Withdrawal before a ceasefire. ",
		Occasion: " Foreign Ministry speech ", Attribution: "on_record", SourceID: src.ID,
		Regions: []string{"crimea", "donetsk"},
		Positions: []parley.PositionInput{
			{Demand: "ceasefire-first", Stance: "rejects"},
			{Demand: "withdrawal", Stance: "insists"},
		},
	})
	if err != nil {
		t.Fatalf("CreateStatement: %v", err)
	}
	got, err := s.GetStatement(ctx, created.ID)
	if err != nil {
		t.Fatalf("GetStatement: %v", err)
	}
	want := parley.Statement{
		ID: created.ID, ActorSlug: "vladimir-putin", ActorName: "Vladimir Putin", ActorSide: "russia",
		Date:  parley.Date{Time: time.Date(2024, time.June, 1, 0, 0, 0, 0, time.UTC), Precision: "month"},
		Quote: "Ukrainian troops must be completely withdrawn.", Summary: "Withdrawal before a ceasefire.",
		Occasion: "Foreign Ministry speech", Attribution: "on_record",
		Source: &parley.Source{
			ID: src.ID, Outlet: "Kremlin.ru", Title: "Meeting with the Foreign Ministry",
			URL: "http://en.kremlin.ru/events/president/news/74285", Via: "transcript",
			Published: parley.Date{Time: time.Date(2024, time.June, 14, 0, 0, 0, 0, time.UTC), Precision: "day"},
		},
		// Regions by name, positions by demand title.
		Regions: []parley.RegionRef{{Slug: "donetsk", Name: "Donetsk"}, {Slug: "crimea", Name: "Republic of Crimea"}},
		Positions: []parley.Position{
			{Demand: "withdrawal", DemandTitle: "Ukrainian withdrawal from four oblasts", Stance: "insists"},
			{Demand: "ceasefire-first", DemandTitle: "Unconditional ceasefire first", Stance: "rejects"},
		},
		Version: 1,
	}
	// (v2) The source is the statement's one report.
	want.Reports = []parley.Report{{Source: *want.Source}}
	opts := cmp.Options{
		cmpopts.IgnoreFields(parley.Statement{}, "CreatedAt", "UpdatedAt"),
		// A statement's source carries what a citation shows; the store does
		// not load its ref or version there.
		cmpopts.IgnoreFields(parley.Source{}, "Ref", "Version"),
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("GetStatement mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, created, opts); diff != "" {
		t.Errorf("CreateStatement result mismatch (-want +got):\n%s", diff)
	}
	if got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
		t.Errorf("CreatedAt, UpdatedAt = %v, %v, want both set", got.CreatedAt, got.UpdatedAt)
	}
	if got.Date.String() != "June 2024" {
		t.Errorf("Date.String() = %q, want %q", got.Date.String(), "June 2024")
	}

	revs, err := s.ListRevisions(ctx, "statement", created.ID)
	if err != nil {
		t.Fatalf("ListRevisions: %v", err)
	}
	if len(revs) != 1 {
		t.Fatalf("revisions = %+v, want one", revs)
	}
	if r := revs[0]; r.Action != "create" || r.Version != 1 || r.EntityID != created.ID || r.UserEmail != "editor@example.org" {
		t.Errorf("revision = %+v, want create at version 1 of statement %d by editor@example.org", r, created.ID)
	}
}

func TestCreateStatementWithoutSourceOrPositions(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	statementFixtures(t, s)
	in := validStatement(t)
	in.Positions = nil
	in.Regions = []string{"kherson"}
	created, err := s.CreateStatement(ctx, parley.Editor{}, in)
	if err != nil {
		t.Fatalf("CreateStatement with regions only: %v", err)
	}
	got, err := s.GetStatement(ctx, created.ID)
	if err != nil {
		t.Fatalf("GetStatement: %v", err)
	}
	if got.Source != nil {
		t.Errorf("Source = %+v, want nil", got.Source)
	}
	if len(got.Positions) != 0 {
		t.Errorf("Positions = %+v, want none", got.Positions)
	}
	if diff := cmp.Diff([]parley.RegionRef{{Slug: "kherson", Name: "Kherson"}}, got.Regions); diff != "" {
		t.Errorf("Regions (-want +got):\n%s", diff)
	}

	in = validStatement(t)
	in.Regions = nil
	created, err = s.CreateStatement(ctx, parley.Editor{}, in)
	if err != nil {
		t.Fatalf("CreateStatement with positions only: %v", err)
	}
	got, err = s.GetStatement(ctx, created.ID)
	if err != nil {
		t.Fatalf("GetStatement: %v", err)
	}
	if len(got.Regions) != 0 || len(got.Positions) != 1 {
		t.Errorf("Regions, Positions = %+v, %+v, want none and one", got.Regions, got.Positions)
	}
}

func TestGetStatementUnknown(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if _, err := s.GetStatement(context.Background(), 99); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetStatement(unknown) err = %v, want ErrNotFound", err)
	}
}

func TestListStatementsOrderAndFilters(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	statementFixtures(t, s)
	// Created in this order, so ids rise down the list.
	for _, st := range []struct {
		summary, actor, date string
		regions              []string
	}{
		{"a", "vladimir-putin", "2024-06-14", []string{"donetsk"}},
		{"b", "volodymyr-zelensky", "2024-06-14", []string{"kherson"}},
		{"c", "vladimir-putin", "2024-05", []string{"donetsk", "kherson"}},
		{"d", "volodymyr-zelensky", "2023", []string{"zaporizhzhia"}},
		{"e", "vladimir-putin", "2024-06-15", nil},
	} {
		in := validStatement(t)
		in.Summary, in.Actor, in.Date, in.Regions = st.summary, st.actor, mustDate(t, st.date), st.regions
		if _, err := s.CreateStatement(ctx, parley.Editor{}, in); err != nil {
			t.Fatalf("CreateStatement(%q): %v", st.summary, err)
		}
	}
	tests := []struct {
		name   string
		filter parley.StatementFilter
		want   []string
	}{
		{"all, newest date first then newest record", parley.StatementFilter{}, []string{"e", "b", "a", "c", "d"}},
		{"by actor", parley.StatementFilter{Actor: "vladimir-putin"}, []string{"e", "a", "c"}},
		{"by region", parley.StatementFilter{Region: "kherson"}, []string{"b", "c"}},
		{"by actor and region", parley.StatementFilter{Actor: "vladimir-putin", Region: "donetsk"}, []string{"a", "c"}},
		{"limit", parley.StatementFilter{Limit: 2}, []string{"e", "b"}},
		{"limit with filter", parley.StatementFilter{Actor: "volodymyr-zelensky", Limit: 1}, []string{"b"}},
		{"unknown actor", parley.StatementFilter{Actor: "nobody"}, nil},
		{"unknown region", parley.StatementFilter{Region: "atlantis"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.ListStatements(ctx, tt.filter)
			if err != nil {
				t.Fatalf("ListStatements: %v", err)
			}
			var got []string
			for _, st := range list {
				got = append(got, st.Summary)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListStatements(%+v) summaries (-want +got):\n%s", tt.filter, diff)
			}
		})
	}
}

func TestListStatementsDefaultLimit(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	statementFixtures(t, s)
	for i := 0; i < 51; i++ {
		if _, err := s.CreateStatement(ctx, parley.Editor{}, validStatement(t)); err != nil {
			t.Fatalf("CreateStatement #%d: %v", i+1, err)
		}
	}
	list, err := s.ListStatements(ctx, parley.StatementFilter{})
	if err != nil {
		t.Fatalf("ListStatements: %v", err)
	}
	if len(list) != 50 {
		t.Errorf("ListStatements without limit = %d statements, want 50", len(list))
	}
	if got := countStatements(t, s); got != 51 {
		t.Errorf("ListStatements with a high limit = %d statements, want 51", got)
	}
}

func TestCreateStatementValidation(t *testing.T) {
	t.Parallel()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	tests := []struct {
		name   string
		modify func(*parley.StatementInput)
		fields []string
	}{
		{"future date", func(in *parley.StatementInput) {
			in.Date = parley.Date{Time: today.AddDate(0, 0, 2), Precision: "day"}
		}, []string{"date"}},
		{"no date", func(in *parley.StatementInput) { in.Date = parley.Date{} }, []string{"date"}},
		{"before 1900", func(in *parley.StatementInput) {
			in.Date = parley.Date{Time: time.Date(1899, time.December, 31, 0, 0, 0, 0, time.UTC), Precision: "day"}
		}, []string{"date"}},
		{"month precision not on the first", func(in *parley.StatementInput) {
			in.Date = parley.Date{Time: time.Date(2024, time.June, 14, 0, 0, 0, 0, time.UTC), Precision: "month"}
		}, []string{"date_precision"}},
		{"year precision not on January 1", func(in *parley.StatementInput) {
			in.Date = parley.Date{Time: time.Date(2024, time.June, 1, 0, 0, 0, 0, time.UTC), Precision: "year"}
		}, []string{"date_precision"}},
		{"unknown precision", func(in *parley.StatementInput) { in.Date.Precision = "week" }, []string{"date_precision"}},
		{"empty summary", func(in *parley.StatementInput) { in.Summary = " \n " }, []string{"summary"}},
		{"long summary", func(in *parley.StatementInput) { in.Summary = strings.Repeat("s", 2001) }, []string{"summary"}},
		{"long quote", func(in *parley.StatementInput) { in.Quote = strings.Repeat("q", 10001) }, []string{"quote"}},
		{"long occasion", func(in *parley.StatementInput) { in.Occasion = strings.Repeat("o", 501) }, []string{"occasion"}},
		{"unknown attribution", func(in *parley.StatementInput) { in.Attribution = "rumour" }, []string{"attribution"}},
		{"unknown stance", func(in *parley.StatementInput) { in.Positions[0].Stance = "maybe" }, []string{"positions.0"}},
		{"demand missing", func(in *parley.StatementInput) { in.Positions[0].Demand = "" }, []string{"positions.0"}},
		{"duplicate demand", func(in *parley.StatementInput) {
			in.Positions = append(in.Positions, parley.PositionInput{Demand: "withdrawal", Stance: "supports"})
		}, []string{"positions.1"}},
		// (v2) A remark that takes no position and names no region is kept;
		// what v2 refuses instead:
		{"a condition on its own demand", func(in *parley.StatementInput) {
			in.Positions[0].Conditions = []parley.Condition{{Side: "ukraine", Demand: in.Positions[0].Demand, Stance: "supports"}}
		}, []string{"conditions.0.0"}},
		{"a condition on an unknown side", func(in *parley.StatementInput) {
			in.Positions[0].Conditions = []parley.Condition{{Side: "atlantis", Demand: "ceasefire-first", Stance: "supports"}}
		}, []string{"conditions"}},
		{"a condition on an unknown demand", func(in *parley.StatementInput) {
			in.Positions[0].Conditions = []parley.Condition{{Side: "ukraine", Demand: "world-peace", Stance: "supports"}}
		}, []string{"conditions"}},
		{"the same source reporting twice", func(in *parley.StatementInput) {
			in.Reports = []parley.ReportInput{{SourceID: 7}, {SourceID: 7, Quote: "again"}}
		}, []string{"reports.1"}},
		{"an unknown report source", func(in *parley.StatementInput) {
			in.Reports = []parley.ReportInput{{SourceID: 424242}}
		}, []string{"reports.0"}},
		{"no actor", func(in *parley.StatementInput) { in.Actor = "" }, []string{"actor"}},
		{"unknown actor", func(in *parley.StatementInput) { in.Actor = "nobody" }, []string{"actor"}},
		{"unknown demand", func(in *parley.StatementInput) {
			in.Positions = append(in.Positions, parley.PositionInput{Demand: "world-peace", Stance: "supports"})
		}, []string{"positions"}},
		{"unknown region", func(in *parley.StatementInput) { in.Regions = []string{"donetsk", "atlantis"} }, []string{"regions"}},
		{"unknown source", func(in *parley.StatementInput) { in.SourceID = 424242 }, []string{"source"}},
		{"every reference unknown", func(in *parley.StatementInput) {
			in.Actor, in.SourceID, in.Regions = "nobody", 424242, []string{"atlantis"}
			in.Positions = []parley.PositionInput{{Demand: "world-peace", Stance: "open"}}
		}, []string{"actor", "positions", "regions", "source"}},
	}
	// Nothing is written by a rejected input, so the cases share a database.
	s := newStore(t)
	ctx := context.Background()
	statementFixtures(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validStatement(t)
			tt.modify(&in)
			_, err := s.CreateStatement(ctx, parley.Editor{}, in)
			if diff := cmp.Diff(tt.fields, validationFields(t, err), sortStrings); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if n := countStatements(t, s); n != 0 {
				t.Errorf("statements after rejected input = %d, want 0", n)
			}
		})
	}
	// The base input itself is acceptable, so each case failed for its own reason.
	if _, err := s.CreateStatement(ctx, parley.Editor{}, validStatement(t)); err != nil {
		t.Fatalf("CreateStatement(valid): %v", err)
	}
	if n := countStatements(t, s); n != 1 {
		t.Errorf("statements after valid input = %d, want 1", n)
	}
}

func TestDateString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
		iso  string
	}{
		{"day", "2024-06-14", "14 June 2024", "2024-06-14"},
		{"day without leading zero", "2024-06-04", "4 June 2024", "2024-06-04"},
		{"month", "2024-06", "June 2024", "2024-06-01"},
		{"year", "2024", "2024", "2024-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDate(t, tt.in)
			if got := d.String(); got != tt.want {
				t.Errorf("ParseDate(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			if got := d.ISO(); got != tt.iso {
				t.Errorf("ParseDate(%q).ISO() = %q, want %q", tt.in, got, tt.iso)
			}
		})
	}
	if got := (parley.Date{}).String(); got != "" {
		t.Errorf("zero Date String() = %q, want empty", got)
	}
	if _, err := parley.ParseDate("14/06/2024"); err == nil {
		t.Errorf("ParseDate(%q) err = nil, want an error", "14/06/2024")
	}
}
