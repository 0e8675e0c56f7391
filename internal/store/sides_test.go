package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"parley"
)

func TestSidesAreRecordsWithRolesAndHistory(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	created, err := s.CreateSide(ctx, parley.Editor{}, parley.SideInput{Slug: "china", Name: " China ", Role: parley.Stakeholder})
	if err != nil {
		t.Fatalf("CreateSide: %v", err)
	}
	if created.Name != "China" || created.Role != parley.Stakeholder || created.Version != 1 {
		t.Errorf("CreateSide = %+v", created)
	}
	if _, err := s.CreateSide(ctx, parley.Editor{}, parley.SideInput{Slug: "china", Name: "China", Role: parley.Party}); !errors.Is(err, parley.ErrConflict) {
		t.Errorf("a second side china: error = %v, want ErrConflict", err)
	}
	if _, err := s.UpdateSide(ctx, parley.Editor{}, "china", 1, parley.SideInput{Name: "China", Role: parley.Party}); err != nil {
		t.Fatalf("UpdateSide: %v", err)
	}
	_, err = s.UpdateSide(ctx, parley.Editor{}, "china", 1, parley.SideInput{Name: "PRC", Role: parley.Observer})
	var ce *parley.ConflictError[parley.Side]
	if !errors.As(err, &ce) || ce.Current.Role != parley.Party {
		t.Errorf("a stale update: error = %v, want a conflict showing the party role", err)
	}
	revs, err := s.ListRevisions(ctx, parley.KindSide, created.ID)
	if err != nil || len(revs) != 2 || revs[0].Action != "update" {
		t.Errorf("revisions = %+v, %v; want create and update", revs, err)
	}
	var ve *parley.ValidationError
	if _, err := s.CreateSide(ctx, parley.Editor{}, parley.SideInput{Slug: "x", Name: "X", Role: "neutral"}); !errors.As(err, &ve) || ve.Fields["role"] == "" {
		t.Errorf("role neutral: error = %v, want a message on role", err)
	}
	sides, err := s.ListSides(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, x := range sides {
		roles = append(roles, string(x.Role))
	}
	if got := strings.Join(roles, " "); !strings.HasPrefix(got, "party party party stakeholder") || !strings.HasSuffix(got, "observer") {
		t.Errorf("ListSides roles in order: %s; want parties, then stakeholders, then observers", got)
	}
}

func TestActorsAndDemandsBelongToAnExistingSide(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	var ve *parley.ValidationError
	_, err := s.CreateActor(ctx, parley.Editor{}, parley.ActorInput{Slug: "someone", Name: "Someone", Kind: "person", Side: "atlantis"})
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["side"], "atlantis") {
		t.Errorf("an actor of side atlantis: error = %v, want a message on side naming it", err)
	}
	_, err = s.CreateDemand(ctx, parley.Editor{}, parley.DemandInput{Slug: "something", Title: "Something", Side: "atlantis", Category: "process"})
	if !errors.As(err, &ve) || ve.Fields["side"] == "" {
		t.Errorf("a demand of side atlantis: error = %v, want a message on side", err)
	}
	if _, err := s.CreateActor(ctx, parley.Editor{}, parley.ActorInput{Slug: "lukashenko", Name: "Lukashenko", Kind: "person", Side: "belarus"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSide(ctx, parley.Editor{}, "belarus"); !errors.As(err, &ve) {
		t.Errorf("deleting a side with an actor: error = %v, want a validation error", err)
	}
	if err := s.DeleteSide(ctx, parley.Editor{}, "switzerland"); err != nil {
		t.Errorf("deleting an unused side: %v", err)
	}
	if _, err := s.GetSide(ctx, "switzerland"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("deleted side: GetSide error = %v, want ErrNotFound", err)
	}
	if err := s.RestoreSide(ctx, parley.Editor{}, "switzerland"); err != nil {
		t.Errorf("RestoreSide: %v", err)
	}
}

func TestConverseDemandsLinkBothWays(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	demand := func(slug, side, converse string) parley.DemandInput {
		return parley.DemandInput{Slug: slug, Title: slug, Side: side, Category: "security", Converse: converse}
	}
	mustDemand := func(in parley.DemandInput) {
		t.Helper()
		if _, err := s.CreateDemand(ctx, parley.Editor{}, in); err != nil {
			t.Fatalf("CreateDemand(%s): %v", in.Slug, err)
		}
	}
	converseOf := func(slug string) string {
		t.Helper()
		d, err := s.GetDemand(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return d.Converse
	}
	mustDemand(demand("neutrality", "russia", ""))
	mustDemand(demand("nato-membership", "ukraine", "neutrality"))
	if converseOf("neutrality") != "nato-membership" || converseOf("nato-membership") != "neutrality" {
		t.Fatalf("converses: %q and %q, want each other", converseOf("neutrality"), converseOf("nato-membership"))
	}
	var ve *parley.ValidationError
	// Taken: neutrality has its converse already.
	_, err := s.CreateDemand(ctx, parley.Editor{}, demand("alliance-free", "russia", "neutrality"))
	if !errors.As(err, &ve) || ve.Fields["converse"] == "" {
		t.Errorf("a second converse of neutrality: error = %v, want a message on converse", err)
	}
	if _, err := s.GetDemand(ctx, "alliance-free"); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("the refused demand was written: %v", err)
	}
	// Itself.
	d, _ := s.GetDemand(ctx, "neutrality")
	_, err = s.UpdateDemand(ctx, parley.Editor{}, "neutrality", d.Version, demand("neutrality", "russia", "neutrality"))
	if !errors.As(err, &ve) || ve.Fields["converse"] == "" {
		t.Errorf("a demand as its own converse: error = %v, want a message on converse", err)
	}
	// Unlinking one side unlinks both, each with a revision.
	d, _ = s.GetDemand(ctx, "nato-membership")
	if _, err := s.UpdateDemand(ctx, parley.Editor{}, "nato-membership", d.Version, demand("nato-membership", "ukraine", "")); err != nil {
		t.Fatal(err)
	}
	if converseOf("neutrality") != "" || converseOf("nato-membership") != "" {
		t.Errorf("after unlinking: %q and %q, want none", converseOf("neutrality"), converseOf("nato-membership"))
	}
	n, _ := s.GetDemand(ctx, "neutrality")
	revs, err := s.ListRevisions(ctx, parley.KindDemand, n.ID)
	if err != nil || len(revs) != 3 {
		t.Errorf("neutrality's revisions = %d (%v), want create, linked, unlinked", len(revs), err)
	}
}

func TestSideStancesCountPartiesAndStakeholdersAndReadTheConverse(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	for _, a := range []parley.ActorInput{
		{Slug: "putin", Name: "Putin", Kind: "person", Side: "russia"},
		{Slug: "zelensky", Name: "Zelensky", Kind: "person", Side: "ukraine"},
		{Slug: "hegseth", Name: "Hegseth", Kind: "person", Side: "united-states"},
		{Slug: "stanovaya", Name: "Stanovaya", Kind: "analyst", Side: "independent"},
	} {
		if _, err := s.CreateActor(ctx, parley.Editor{}, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []parley.DemandInput{
		{Slug: "neutrality", Title: "Neutrality", Side: "russia", Category: "security"},
		{Slug: "nato-membership", Title: "NATO membership", Side: "ukraine", Category: "security", Converse: "neutrality"},
	} {
		if _, err := s.CreateDemand(ctx, parley.Editor{}, d); err != nil {
			t.Fatal(err)
		}
	}
	say := func(actor, day, demand string, stance parley.Stance) {
		t.Helper()
		d, _ := parley.ParseDate(day)
		if _, err := s.CreateStatement(ctx, parley.Editor{}, parley.StatementInput{Actor: actor, Date: d, Summary: actor + " on " + demand,
			Attribution: parley.OnRecord, Positions: []parley.PositionInput{{Demand: demand, Stance: stance}}}); err != nil {
			t.Fatal(err)
		}
	}
	say("putin", "2024-06-14", "neutrality", parley.Insists)
	say("zelensky", "2024-06-20", "nato-membership", parley.Insists)
	say("hegseth", "2025-02-12", "nato-membership", parley.Opposes)
	say("stanovaya", "2025-03-01", "neutrality", parley.Rejects)
	stances, err := s.SideStances(ctx, time.Time{}, "neutrality")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]parley.SideStance{}
	for _, x := range stances {
		got[x.Side] = x
	}
	if x := got["russia"]; x.Stance != parley.Insists || x.Via != "" || x.Role != parley.Party {
		t.Errorf("russia on neutrality = %+v, want insists, a party, directly", x)
	}
	if x := got["ukraine"]; x.Stance != parley.Rejects || x.Via != "nato-membership" {
		t.Errorf("ukraine on neutrality = %+v, want rejects via nato-membership", x)
	}
	if x := got["united-states"]; x.Stance != parley.Supports || x.Role != parley.Stakeholder {
		t.Errorf("united-states on neutrality = %+v, want supports (opposes NATO membership, mirrored), a stakeholder", x)
	}
	if _, ok := got["independent"]; ok {
		t.Errorf("the observer counted: %+v", got["independent"])
	}
	g := parley.Gaps(stances)["neutrality"]
	if !g.Measurable || g.Value != 4 {
		t.Errorf("neutrality gap = %+v, want 4 between the parties", g)
	}
	// As of before Zelensky spoke only one party had: not measurable.
	asOf := time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)
	before, err := s.SideStances(ctx, asOf, "neutrality")
	if err != nil {
		t.Fatal(err)
	}
	if g := parley.Gaps(before)["neutrality"]; g.Measurable {
		t.Errorf("neutrality gap as of %s = %+v, want not measurable (one party)", asOf.Format(time.DateOnly), g)
	}
}
