package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"parley"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"parley/internal/store"
)

func TestCreateActorThenGetAndList(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	// Created in an order that is neither by side nor by name.
	if _, err := s.CreateActor(ctx, parley.Editor{}, parley.ActorInput{
		Slug: "andrii-yermak", Name: "Andrii Yermak", Kind: "person", Side: "ukraine",
	}); err != nil {
		t.Fatalf("CreateActor: %v", err)
	}
	parent, err := s.CreateActor(ctx, parley.Editor{}, parley.ActorInput{
		Slug: "russia-government", Name: "Government of Russia", Kind: "government", Side: "russia",
	})
	if err != nil {
		t.Fatalf("CreateActor(parent): %v", err)
	}
	created, err := s.CreateActor(ctx, parley.Editor{}, parley.ActorInput{
		Slug: "vladimir-putin", Name: " Vladimir Putin ", Kind: "person", Side: "russia",
		Role: " President of Russia ", Parent: "russia-government",
		Aliases: []string{"Putin", " V. V. Putin "},
	})
	if err != nil {
		t.Fatalf("CreateActor(child): %v", err)
	}
	for _, in := range []parley.ActorInput{
		{Slug: "volodymyr-zelensky", Name: "Volodymyr Zelensky", Kind: "person", Side: "ukraine"},
		{Slug: "dmitry-peskov", Name: "Dmitry Peskov", Kind: "person", Side: "russia"},
	} {
		if _, err := s.CreateActor(ctx, parley.Editor{}, in); err != nil {
			t.Fatalf("CreateActor(%q): %v", in.Slug, err)
		}
	}

	got, err := s.GetActor(ctx, "vladimir-putin")
	if err != nil {
		t.Fatalf("GetActor: %v", err)
	}
	want := parley.Actor{
		ID: created.ID, Slug: "vladimir-putin", Name: "Vladimir Putin",
		Aliases: []string{"Putin", "V. V. Putin"}, Kind: "person", Side: "russia",
		Role: "President of Russia", ParentSlug: "russia-government", ParentName: "Government of Russia",
		Version: 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetActor mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("CreateActor result mismatch (-want +got):\n%s", diff)
	}

	gotParent, err := s.GetActor(ctx, "russia-government")
	if err != nil {
		t.Fatalf("GetActor(parent): %v", err)
	}
	if gotParent.ID != parent.ID || gotParent.ParentSlug != "" || gotParent.ParentName != "" {
		t.Errorf("GetActor(parent) = %+v, want id %d and no parent", gotParent, parent.ID)
	}
	if len(gotParent.Aliases) != 0 {
		t.Errorf("GetActor(parent) aliases = %q, want none", gotParent.Aliases)
	}

	list, err := s.ListActors(ctx)
	if err != nil {
		t.Fatalf("ListActors: %v", err)
	}
	var order []string
	for _, a := range list {
		order = append(order, a.Side+"/"+a.Name)
	}
	wantOrder := []string{
		"russia/Dmitry Peskov", "russia/Government of Russia", "russia/Vladimir Putin",
		"ukraine/Andrii Yermak", "ukraine/Volodymyr Zelensky",
	}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("ListActors order (-want +got):\n%s", diff)
	}
	for _, a := range list {
		if a.Slug == "vladimir-putin" {
			if diff := cmp.Diff(want, a); diff != "" {
				t.Errorf("ListActors entry mismatch (-want +got):\n%s", diff)
			}
		}
	}

	revs, err := s.ListRevisions(ctx, "actor", created.ID)
	if err != nil {
		t.Fatalf("ListRevisions: %v", err)
	}
	if len(revs) != 1 || revs[0].Action != "create" || revs[0].Version != 1 || revs[0].EntityType != "actor" {
		t.Fatalf("revisions = %+v, want one actor create at version 1", revs)
	}
	var snapshot parley.Actor
	if err := json.Unmarshal(revs[0].Data, &snapshot); err != nil {
		t.Fatalf("revision data: %v", err)
	}
	// ParentName is not part of the JSON form of an actor.
	if diff := cmp.Diff(want, snapshot, cmpopts.IgnoreFields(parley.Actor{}, "ParentName")); diff != "" {
		t.Errorf("revision snapshot mismatch (-want +got):\n%s", diff)
	}
}

func TestCreateActorRejectsUnknownParent(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	_, err := s.CreateActor(ctx, parley.Editor{}, parley.ActorInput{
		Slug: "sergei-lavrov", Name: "Sergei Lavrov", Kind: "person", Side: "russia", Parent: "no-such-ministry",
	})
	var ve *parley.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	if ve.Fields["parent"] == "" {
		t.Errorf("no message for field %q in %v", "parent", ve.Fields)
	}
	if _, err := s.GetActor(ctx, "sergei-lavrov"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetActor after failed create err = %v, want ErrNotFound", err)
	}
}

func TestCreateActorRejectsDuplicateSlug(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	in := parley.ActorInput{Slug: "nato", Name: "NATO", Kind: "alliance", Side: "nato"}
	if _, err := s.CreateActor(ctx, parley.Editor{}, in); err != nil {
		t.Fatal(err)
	}
	in.Name = "North Atlantic Treaty Organization"
	if _, err := s.CreateActor(ctx, parley.Editor{}, in); !errors.Is(err, parley.ErrConflict) {
		t.Errorf("second CreateActor err = %v, want ErrConflict", err)
	}
	got, err := s.GetActor(ctx, "nato")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "NATO" {
		t.Errorf("name after conflicting create = %q, want %q", got.Name, "NATO")
	}
}

func TestCreateActorValidation(t *testing.T) {
	t.Parallel()
	valid := parley.ActorInput{Slug: "kaja-kallas", Name: "Kaja Kallas", Kind: "person", Side: "europe"}
	tests := []struct {
		name   string
		modify func(*parley.ActorInput)
		fields []string
	}{
		{"bad slug", func(in *parley.ActorInput) { in.Slug = "Kaja Kallas" }, []string{"slug"}},
		{"slug with double hyphen", func(in *parley.ActorInput) { in.Slug = "kaja--kallas" }, []string{"slug"}},
		{"blank name", func(in *parley.ActorInput) { in.Name = "  " }, []string{"name"}},
		{"long name", func(in *parley.ActorInput) { in.Name = strings.Repeat("n", 201) }, []string{"name"}},
		{"unknown kind", func(in *parley.ActorInput) { in.Kind = "planet" }, []string{"kind"}},
		{"bad side", func(in *parley.ActorInput) { in.Side = "European Union" }, []string{"side"}},
		{"long role", func(in *parley.ActorInput) { in.Role = strings.Repeat("r", 301) }, []string{"role"}},
		{"own parent", func(in *parley.ActorInput) { in.Parent = "kaja-kallas" }, []string{"parent"}},
		{"duplicate aliases", func(in *parley.ActorInput) { in.Aliases = []string{"Kallas", "kallas "} }, []string{"aliases"}},
		{"blank alias", func(in *parley.ActorInput) { in.Aliases = []string{" "} }, []string{"aliases"}},
		{"alias equal to name", func(in *parley.ActorInput) { in.Aliases = []string{"KAJA KALLAS"} }, []string{"aliases"}},
		{"alias equal to padded name", func(in *parley.ActorInput) {
			in.Name = " Kaja Kallas "
			in.Aliases = []string{"Kaja Kallas"}
		}, []string{"aliases"}},
		{"several problems", func(in *parley.ActorInput) {
			in.Slug, in.Kind, in.Aliases = "", "robot", []string{"x", "X"}
		}, []string{"slug", "kind", "aliases"}},
	}
	// Nothing is written by a rejected input, so the cases share a database.
	s := newStore(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := countActors(t, s)
			in := valid
			tt.modify(&in)
			_, err := s.CreateActor(ctx, parley.Editor{}, in)
			if diff := cmp.Diff(tt.fields, validationFields(t, err), sortStrings); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if after := countActors(t, s); after != before {
				t.Errorf("actors after rejected input = %d, want %d", after, before)
			}
		})
	}
}

// countActors returns how many actors ListActors returns.
func countActors(t *testing.T, s *store.Store) int {
	t.Helper()
	list, err := s.ListActors(context.Background())
	if err != nil {
		t.Fatalf("ListActors: %v", err)
	}
	return len(list)
}

func TestGetActorUnknown(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if _, err := s.GetActor(context.Background(), "nobody"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("GetActor(unknown) err = %v, want ErrNotFound", err)
	}
}
