package store_test

import (
	"context"
	"errors"
	"parley"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"parley/internal/store"
)

// createRegions stores regions, failing the test on error.
func createRegions(t *testing.T, s *store.Store, regions ...parley.RegionInput) {
	t.Helper()
	for _, in := range regions {
		if _, err := s.CreateRegion(context.Background(), parley.Editor{}, in); err != nil {
			t.Fatalf("CreateRegion(%q): %v", in.Slug, err)
		}
	}
}

var (
	regionZaporizhzhia = parley.RegionInput{Slug: "zaporizhzhia", Name: "Zaporizhzhia", Country: "Ukraine", Kind: "oblast"}
	regionDonetsk      = parley.RegionInput{Slug: "donetsk", Name: "Donetsk", Country: "Ukraine", Kind: "oblast"}
	regionKherson      = parley.RegionInput{Slug: "kherson", Name: "Kherson", Country: "Ukraine", Kind: "oblast"}
	// Its name sorts after Donetsk, its slug before.
	regionCrimea = parley.RegionInput{Slug: "crimea", Name: "Republic of Crimea", Country: "Ukraine", Kind: "autonomous-republic"}
)

func TestCreateDemandThenGetAndList(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	createRegions(t, s, regionZaporizhzhia, regionDonetsk, regionKherson)
	created, err := s.CreateDemand(ctx, parley.Editor{}, parley.DemandInput{
		Slug: "withdrawal-from-four-oblasts", Title: " Ukrainian withdrawal from four oblasts ",
		Description: " Russia demands Ukraine leave the oblasts it claims. ", Side: "russia", Category: "territory",
		// Unsorted and with a repeat: the store keeps each region once, by slug.
		Regions: []string{"zaporizhzhia", "donetsk", "kherson", "donetsk"},
		// (v2) Keywords are stored trimmed.
		Keywords: []string{" four oblasts ", "withdraw"},
	})
	if err != nil {
		t.Fatalf("CreateDemand: %v", err)
	}
	want := parley.Demand{
		ID: created.ID, Slug: "withdrawal-from-four-oblasts", Title: "Ukrainian withdrawal from four oblasts",
		Description: "Russia demands Ukraine leave the oblasts it claims.", Side: "russia", Category: "territory",
		Regions: []string{"donetsk", "kherson", "zaporizhzhia"}, Keywords: []string{"four oblasts", "withdraw"}, Version: 1,
	}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("CreateDemand result mismatch (-want +got):\n%s", diff)
	}
	got, err := s.GetDemand(ctx, "withdrawal-from-four-oblasts")
	if err != nil {
		t.Fatalf("GetDemand: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetDemand mismatch (-want +got):\n%s", diff)
	}

	for _, in := range []parley.DemandInput{
		{Slug: "security-guarantees", Title: "Security guarantees", Side: "ukraine", Category: "security"},
		{Slug: "ceasefire-first", Title: "Ceasefire first", Side: "ukraine", Category: "process"},
		{Slug: "alliance-neutrality", Title: "Neutrality outside alliances", Side: "russia", Category: "security"},
		{Slug: "recognition", Title: "Annexation recognised", Side: "russia", Category: "territory"},
	} {
		if _, err := s.CreateDemand(ctx, parley.Editor{}, in); err != nil {
			t.Fatalf("CreateDemand(%q): %v", in.Slug, err)
		}
	}
	list, err := s.ListDemands(ctx)
	if err != nil {
		t.Fatalf("ListDemands: %v", err)
	}
	var order []string
	for _, d := range list {
		order = append(order, string(d.Category)+"/"+d.Title)
		if d.Slug == "withdrawal-from-four-oblasts" {
			if diff := cmp.Diff(want, d); diff != "" {
				t.Errorf("ListDemands entry mismatch (-want +got):\n%s", diff)
			}
		} else if len(d.Regions) != 0 {
			t.Errorf("demand %q regions = %q, want none", d.Slug, d.Regions)
		}
	}
	wantOrder := []string{
		"process/Ceasefire first",
		"security/Neutrality outside alliances",
		"security/Security guarantees",
		"territory/Annexation recognised",
		"territory/Ukrainian withdrawal from four oblasts",
	}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("ListDemands order (-want +got):\n%s", diff)
	}

	revs, err := s.ListRevisions(ctx, "demand", created.ID)
	if err != nil {
		t.Fatalf("ListRevisions: %v", err)
	}
	if len(revs) != 1 || revs[0].Action != "create" || revs[0].Version != 1 {
		t.Errorf("revisions = %+v, want one create at version 1", revs)
	}
}

func TestCreateDemandRejectsUnknownRegion(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	createRegions(t, s, regionDonetsk)
	_, err := s.CreateDemand(ctx, parley.Editor{}, parley.DemandInput{
		Slug: "donbas", Title: "The whole of Donbas", Side: "russia", Category: "territory",
		Regions: []string{"donetsk", "luhansk"},
	})
	var ve *parley.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	if !strings.Contains(ve.Fields["regions"], "luhansk") {
		t.Errorf("regions message = %q, want it to name luhansk", ve.Fields["regions"])
	}
	if _, err := s.GetDemand(ctx, "donbas"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetDemand after failed create err = %v, want ErrNotFound", err)
	}
}

func TestCreateDemandRejectsDuplicateSlug(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	in := parley.DemandInput{Slug: "sanctions-relief", Title: "Sanctions relief", Side: "russia", Category: "sanctions-economy"}
	if _, err := s.CreateDemand(ctx, parley.Editor{}, in); err != nil {
		t.Fatal(err)
	}
	in.Title = "Lifting of sanctions"
	if _, err := s.CreateDemand(ctx, parley.Editor{}, in); !errors.Is(err, parley.ErrConflict) {
		t.Errorf("second CreateDemand err = %v, want ErrConflict", err)
	}
	list, err := s.ListDemands(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Title != "Sanctions relief" {
		t.Errorf("ListDemands = %+v, want only the first demand", list)
	}
}

func TestCreateDemandValidation(t *testing.T) {
	t.Parallel()
	valid := parley.DemandInput{Slug: "elections", Title: "New elections in Ukraine", Side: "russia", Category: "political"}
	tests := []struct {
		name   string
		modify func(*parley.DemandInput)
		fields []string
	}{
		{"bad slug", func(in *parley.DemandInput) { in.Slug = "New_Elections" }, []string{"slug"}},
		{"empty slug", func(in *parley.DemandInput) { in.Slug = "" }, []string{"slug"}},
		{"blank title", func(in *parley.DemandInput) { in.Title = "\t" }, []string{"title"}},
		{"long title", func(in *parley.DemandInput) { in.Title = strings.Repeat("t", 301) }, []string{"title"}},
		{"long description", func(in *parley.DemandInput) { in.Description = strings.Repeat("d", 5001) }, []string{"description"}},
		{"bad side", func(in *parley.DemandInput) { in.Side = "" }, []string{"side"}},
		{"unknown category", func(in *parley.DemandInput) { in.Category = "weather" }, []string{"category"}},
		{"several problems", func(in *parley.DemandInput) { in.Slug, in.Title, in.Category = "-", "", "" }, []string{"slug", "title", "category"}},
	}
	// Nothing is written by a rejected input, so the cases share a database.
	s := newStore(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			tt.modify(&in)
			_, err := s.CreateDemand(ctx, parley.Editor{}, in)
			if diff := cmp.Diff(tt.fields, validationFields(t, err), sortStrings); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			list, err := s.ListDemands(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 0 {
				t.Errorf("ListDemands after rejected input = %d demands, want 0", len(list))
			}
		})
	}
}

func TestGetDemandUnknown(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if _, err := s.GetDemand(context.Background(), "nothing"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetDemand(unknown) err = %v, want ErrNotFound", err)
	}
}

// TestDemandKeywordsAreEditedAndRestored: editors change a demand's
// keywords; a revision restores them (v2, for the intake assistant).
func TestDemandKeywordsAreEditedAndRestored(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	in := parley.DemandInput{Slug: "neutrality", Title: "Neutrality", Side: "russia", Category: "security", Keywords: []string{"neutral"}}
	d, err := s.CreateDemand(ctx, parley.Editor{}, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Keywords = []string{"neutral", "non-aligned"}
	if d, err = s.UpdateDemand(ctx, parley.Editor{}, "neutrality", d.Version, in); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"neutral", "non-aligned"}, d.Keywords); diff != "" {
		t.Errorf("keywords after update (-want +got):\n%s", diff)
	}
	revs, err := s.ListRevisions(ctx, "demand", d.ID)
	if err != nil || len(revs) != 2 {
		t.Fatalf("revisions: %d, %v", len(revs), err)
	}
	if _, _, err := s.RestoreRevision(ctx, parley.Editor{}, revs[len(revs)-1].ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetDemand(ctx, "neutrality")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"neutral"}, got.Keywords); diff != "" {
		t.Errorf("keywords after restoring the first revision (-want +got):\n%s", diff)
	}
	in.Keywords = []string{"neutral", " Neutral "}
	var ve *parley.ValidationError
	if _, err := s.UpdateDemand(ctx, parley.Editor{}, "neutrality", got.Version, in); !errors.As(err, &ve) || ve.Fields["keywords"] == "" {
		t.Errorf("a keyword listed twice: err = %v, want a problem with keywords", err)
	}
}
