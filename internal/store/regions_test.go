package store_test

import (
	"context"
	"errors"
	"parley"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCreateRegionThenGetAndList(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	in := parley.RegionInput{Slug: "donetsk", Name: "Donetsk", Country: "Ukraine", Kind: "oblast"}
	created, err := s.CreateRegion(ctx, parley.Editor{}, in)
	if err != nil {
		t.Fatalf("CreateRegion: %v", err)
	}
	got, err := s.GetRegion(ctx, "donetsk")
	if err != nil {
		t.Fatalf("GetRegion: %v", err)
	}
	want := parley.Region{Slug: "donetsk", Name: "Donetsk", Country: "Ukraine", Kind: "oblast", Version: 1}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(parley.Region{}, "ID")); diff != "" {
		t.Errorf("GetRegion mismatch (-want +got):\n%s", diff)
	}
	if got.ID != created.ID {
		t.Errorf("GetRegion id = %d, want %d", got.ID, created.ID)
	}
	if _, err := s.CreateRegion(ctx, parley.Editor{}, parley.RegionInput{Slug: "crimea", Name: "Crimea", Country: "Ukraine", Kind: "autonomous-republic"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListRegions(ctx)
	if err != nil {
		t.Fatalf("ListRegions: %v", err)
	}
	var names []string
	for _, r := range list {
		names = append(names, r.Name)
	}
	if diff := cmp.Diff([]string{"Crimea", "Donetsk"}, names); diff != "" {
		t.Errorf("ListRegions names (-want +got):\n%s", diff)
	}
	revs, err := s.ListRevisions(ctx, "region", created.ID)
	if err != nil {
		t.Fatalf("ListRevisions: %v", err)
	}
	if len(revs) != 1 || revs[0].Action != "create" || revs[0].Version != 1 {
		t.Errorf("revisions = %+v, want one create at version 1", revs)
	}
}

func TestCreateRegionRejectsDuplicateSlugAndBadInput(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	in := parley.RegionInput{Slug: "kursk", Name: "Kursk", Country: "Russia", Kind: "oblast"}
	if _, err := s.CreateRegion(ctx, parley.Editor{}, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRegion(ctx, parley.Editor{}, in); !errors.Is(err, parley.ErrConflict) {
		t.Errorf("second CreateRegion err = %v, want ErrConflict", err)
	}
	_, err := s.CreateRegion(ctx, parley.Editor{}, parley.RegionInput{Slug: "Bad Slug", Name: " ", Country: "Russia", Kind: "planet"})
	var ve *parley.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	for _, f := range []string{"slug", "name", "kind"} {
		if ve.Fields[f] == "" {
			t.Errorf("no message for field %q in %v", f, ve.Fields)
		}
	}
	if _, err := s.GetRegion(ctx, "nowhere"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetRegion(unknown) err = %v, want ErrNotFound", err)
	}
}
