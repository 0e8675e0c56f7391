package parley_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"parley"
)

func TestStanceScoresRunFromInsistsToRejects(t *testing.T) {
	want := []int{2, 1, 0, -1, -2}
	for i, s := range parley.Stances {
		if got := s.Score(); got != want[i] {
			t.Errorf("%s.Score() = %d, want %d", s, got, want[i])
		}
		if !s.Valid() {
			t.Errorf("%s.Valid() = false", s)
		}
	}
	for _, s := range []parley.Stance{"", "doubts", "Insists"} {
		if s.Valid() {
			t.Errorf("%q.Valid() = true, want false", s)
		}
	}
}

func TestVocabulariesAcceptOnlyTheirValues(t *testing.T) {
	tests := []struct {
		name  string
		valid func(string) bool
		good  []string
		bad   []string
	}{
		{"precision", func(s string) bool { return parley.Precision(s).Valid() }, []string{"day", "month", "year"}, []string{"", "week", "Day"}},
		{"attribution", func(s string) bool { return parley.Attribution(s).Valid() }, []string{"on_record", "spokesperson", "anonymous", "reported"}, []string{"", "on record"}},
		{"actor kind", func(s string) bool { return parley.ActorKind(s).Valid() }, []string{"person", "anonymous"}, []string{"", "people"}},
		{"category", func(s string) bool { return parley.Category(s).Valid() }, []string{"territory", "sanctions-economy"}, []string{"", "sanctions"}},
		{"region kind", func(s string) bool { return parley.RegionKind(s).Valid() }, []string{"oblast", "city"}, []string{"", "state"}},
		{"role", func(s string) bool { return parley.Role(s).Valid() }, []string{"editor", "admin"}, []string{"", "root"}},
		{"kind", func(s string) bool { return parley.Kind(s).Valid() }, []string{"statement", "actor", "demand", "region", "source", "side"}, []string{"", "user", "revision"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range tt.good {
				if !tt.valid(s) {
					t.Errorf("%q not valid, want valid", s)
				}
			}
			for _, s := range tt.bad {
				if tt.valid(s) {
					t.Errorf("%q valid, want not", s)
				}
			}
		})
	}
}

func TestKindsKnowTheirTablesParametersAndPaths(t *testing.T) {
	tests := []struct {
		kind              parley.Kind
		table, param, key string
		path              string
	}{
		{parley.KindStatement, "statements", "id", "42", "/statements/42"},
		{parley.KindSource, "sources", "id", "7", "/sources/7"},
		{parley.KindActor, "actors", "slug", "vladimir-putin", "/actors/vladimir-putin"},
		{parley.KindDemand, "demands", "slug", "ukraine-neutrality", "/demands/ukraine-neutrality"},
		{parley.KindRegion, "regions", "slug", "donetsk", "/regions/donetsk"},
		{parley.KindSide, "sides", "slug", "russia", "/sides/russia"},
	}
	for _, tt := range tests {
		if got := tt.kind.Table(); got != tt.table {
			t.Errorf("%s.Table() = %q, want %q", tt.kind, got, tt.table)
		}
		if got := tt.kind.Param(); got != tt.param {
			t.Errorf("%s.Param() = %q, want %q", tt.kind, got, tt.param)
		}
		if got := tt.kind.Path(tt.key); got != tt.path {
			t.Errorf("%s.Path(%q) = %q, want %q", tt.kind, tt.key, got, tt.path)
		}
	}
	if len(parley.Kinds) != len(tests) {
		t.Errorf("Kinds has %d kinds, the test knows %d", len(parley.Kinds), len(tests))
	}
	if got := parley.StatementPath(42); got != "/statements/42" {
		t.Errorf("StatementPath(42) = %q", got)
	}
}

func TestParseIDRefusesWhatNoRecordCanHave(t *testing.T) {
	for _, key := range []string{"", "0", "-1", "1.5", "abc", "99999999999999999999"} {
		if _, err := parley.ParseID(key); !errors.Is(err, parley.ErrNotFound) {
			t.Errorf("ParseID(%q) error = %v, want ErrNotFound", key, err)
		}
	}
	if id, err := parley.ParseID("17"); err != nil || id != 17 {
		t.Errorf("ParseID(17) = %d, %v", id, err)
	}
}

func TestStatementsURLKeepsEveryFilter(t *testing.T) {
	f := parley.StatementFilter{Query: "kursk swap", Actor: "zelensky", Stance: parley.Supports, Region: "kursk", Sort: "oldest"}
	got := parley.StatementsURL(f)
	want := "/statements?actor=zelensky&q=kursk+swap&region=kursk&sort=oldest&stance=supports"
	if got != want {
		t.Errorf("StatementsURL = %q, want %q", got, want)
	}
	if got := parley.StatementsURL(parley.StatementFilter{}); got != "/statements" {
		t.Errorf("StatementsURL(no filter) = %q, want /statements", got)
	}
}

func TestConflictErrorIsErrConflictAndCarriesItsRecord(t *testing.T) {
	err := fmt.Errorf("update: %w", &parley.ConflictError[parley.Actor]{Current: parley.Actor{Slug: "putin", Version: 3}})
	if !errors.Is(err, parley.ErrConflict) {
		t.Error("errors.Is(ConflictError, ErrConflict) = false")
	}
	var ce *parley.ConflictError[parley.Actor]
	if !errors.As(err, &ce) || ce.Current.Version != 3 {
		t.Errorf("errors.As found %+v", ce)
	}
	var wrong *parley.ConflictError[parley.Demand]
	if errors.As(err, &wrong) {
		t.Error("a conflict over an actor read as one over a demand")
	}
}

func TestGapIsMeasuredBetweenPartiesOnly(t *testing.T) {
	day := parley.Date{Precision: parley.Day}
	gaps := parley.Gaps([]parley.SideStance{
		{Demand: "neutrality", Side: "russia", Role: parley.Party, Stance: parley.Insists, Date: day},
		{Demand: "neutrality", Side: "ukraine", Role: parley.Party, Stance: parley.Opposes, Date: day},
		{Demand: "neutrality", Side: "united-states", Role: parley.Stakeholder, Stance: parley.Rejects, Date: day},
		{Demand: "neutrality", Side: "independent", Role: parley.Observer, Stance: parley.Rejects, Date: day},
		{Demand: "ceasefire", Side: "ukraine", Role: parley.Party, Stance: parley.Supports, Date: day},
		{Demand: "ceasefire", Side: "europe", Role: parley.Stakeholder, Stance: parley.Opposes, Date: day},
	})
	g := gaps["neutrality"]
	if !g.Measurable || g.Value != 3 || len(g.Parties) != 2 || g.Parties[0].Side != "russia" {
		t.Errorf("neutrality gap = %+v, want 3 between russia (+2) and ukraine (-1)", g)
	}
	if len(g.Stakeholders) != 1 || g.Stakeholders[0].Side != "united-states" {
		t.Errorf("neutrality stakeholders = %+v, want united-states beside the gap (the observer nowhere)", g.Stakeholders)
	}
	if c := gaps["ceasefire"]; c.Measurable || len(c.Parties) != 1 || len(c.Stakeholders) != 1 {
		t.Errorf("ceasefire gap = %+v, want not measurable: one party, one stakeholder", c)
	}
}

func TestStanceMirrorIsItsOwnInverse(t *testing.T) {
	for _, s := range parley.Stances {
		if s.Mirror().Mirror() != s || s.Mirror().Score() != -s.Score() {
			t.Errorf("%s.Mirror() = %s", s, s.Mirror())
		}
	}
}

func TestSideStanceCountsAnonymousReportsOnlyWhenNobodySpokeOpenly(t *testing.T) {
	tr := parley.SideStanceTracker{Roles: map[string]parley.SideRole{"russia": parley.Party, "ukraine": parley.Party}}
	day := parley.Date{Precision: parley.Day}
	tr.Add(parley.StanceEvent{DemandSlug: "neutrality", ActorSide: "russia", Stance: parley.Insists, Attribution: parley.OnRecord, Date: day})
	tr.Add(parley.StanceEvent{DemandSlug: "neutrality", ActorSide: "russia", Stance: parley.Open, Attribution: parley.Anonymous, Date: day})
	tr.Add(parley.StanceEvent{DemandSlug: "neutrality", ActorSide: "ukraine", Stance: parley.Opposes, Attribution: parley.Anonymous, Date: day})
	got := map[string]parley.Stance{}
	for _, s := range tr.Stances("neutrality") {
		got[s.Side] = s.Stance
	}
	if got["russia"] != parley.Insists || got["ukraine"] != parley.Opposes || len(got) != 2 {
		t.Errorf("side stances = %v, want russia insists (on record beats anonymous), ukraine opposes (anonymous only)", got)
	}
}

func TestSideStancesReadTheConverseMirroredAndIgnoreObservers(t *testing.T) {
	tr := parley.SideStanceTracker{
		Roles:    map[string]parley.SideRole{"russia": parley.Party, "ukraine": parley.Party, "independent": parley.Observer},
		Converse: map[string]string{"neutrality": "nato-membership", "nato-membership": "neutrality"},
	}
	d := func(day int) parley.Date {
		return parley.Date{Time: time.Date(2024, 6, day, 0, 0, 0, 0, time.UTC), Precision: parley.Day}
	}
	tr.Add(parley.StanceEvent{DemandSlug: "neutrality", ActorSide: "russia", Stance: parley.Insists, Attribution: parley.OnRecord, Date: d(1)})
	tr.Add(parley.StanceEvent{DemandSlug: "nato-membership", ActorSide: "ukraine", Stance: parley.Insists, Attribution: parley.OnRecord, Date: d(2)})
	tr.Add(parley.StanceEvent{DemandSlug: "neutrality", ActorSide: "independent", Stance: parley.Supports, Attribution: parley.OnRecord, Date: d(3)})
	g := parley.Gaps(tr.Stances("neutrality"))["neutrality"]
	if !g.Measurable || g.Value != 4 || len(g.Parties) != 2 || g.Parties[1].Side != "ukraine" || g.Parties[1].Via != "nato-membership" ||
		g.Parties[1].Stance != parley.Rejects {
		t.Errorf("neutrality gap = %+v, want 4: russia insists, ukraine rejects via nato-membership", g)
	}
	if len(g.Stakeholders) != 0 {
		t.Errorf("the observer's stance counted: %+v", g.Stakeholders)
	}
}

func TestWithConverseFillsOnlyWhatTheActorLeftEmpty(t *testing.T) {
	conv := map[string]string{"neutrality": "nato-membership", "nato-membership": "neutrality"}
	got := parley.WithConverse([]parley.CurrentPosition{
		{ActorSlug: "putin", DemandSlug: "neutrality", Stance: parley.Insists},
		{ActorSlug: "zelensky", DemandSlug: "nato-membership", Stance: parley.Supports},
		{ActorSlug: "zelensky", DemandSlug: "neutrality", Stance: parley.Rejects},
	}, conv)
	if len(got) != 4 {
		t.Fatalf("got %d positions, want 4 (putin's mirrored onto nato-membership only): %+v", len(got), got)
	}
	m := got[3]
	if m.ActorSlug != "putin" || m.DemandSlug != "nato-membership" || m.Stance != parley.Rejects || m.Via != "neutrality" {
		t.Errorf("mirrored = %+v, want putin rejects nato-membership via neutrality", m)
	}
}

func TestProblemsNameTextThatCannotBeStored(t *testing.T) {
	p := parley.Problems{}
	p.CheckText(map[string]string{"quote": "ok", "summary": "bad\x00", "occasion": string([]byte{0xff})})
	if _, ok := p["quote"]; ok || p["summary"] == "" || p["occasion"] == "" {
		t.Errorf("problems = %v, want summary and occasion only", p)
	}
	var ve *parley.ValidationError
	if !errors.As(p.Err(), &ve) || len(ve.Fields) != 2 {
		t.Errorf("Err() = %v", p.Err())
	}
	if (parley.Problems{}).Err() != nil {
		t.Error("no problems, but Err() != nil")
	}
}
