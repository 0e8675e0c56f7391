package seed_test

import (
	"context"
	"parley"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/seed"
	"parley/internal/store"
	"parley/internal/testdb"
)

// The three articles that report Putin's speech of 14 June 2024, earliest
// published first: Bloomberg (003, that day), the Russian-leaning outlet
// (000, 2025) and the article based on The Washington Post (001, March 2025).
var juneSpeechReports = []string{"003_219be40f0e460795.txt", "000_2078559bee8cab81.txt", "001_8282d51c9b9495ec.txt"}

// mergedInV2 is what version 2 of the dataset merged: each keeper with the
// keys of v1's statements that reported the same utterance.
var mergedInV2 = map[string][]string{
	"003-putin-foreign-ministry-terms":              {"001-putin-june-2024-conditions", "000-putin-ceasefire-conditions"},
	"000-putin-nato-reason-for-war":                 {"001-putin-nato-expansion-justification"},
	"000-zelensky-no-recognition-diplomatic-return": {"001-zelensky-security-guarantees-focus"},
	"003-kyiv-refuses-talks-until-withdrawal":       {"002-ukraine-withdrawal-precondition"},
}

// putinTalksConditions are the conditions of Putin's support for direct
// talks on 14 June 2024, as side:demand:stance.
var putinTalksConditions = []string{"ukraine:ukraine-neutrality:supports", "ukraine:withdrawal-four-regions:supports"}

// TestSeedDatasetV2 ensures seed.json holds the facts version 2 of the
// dataset established.
func TestSeedDatasetV2(t *testing.T) {
	f := rawSeed(t)
	byKey := map[string]seed.Statement{}
	for _, s := range f.Statements {
		byKey[s.Key] = s
	}
	get := func(t *testing.T, key string) seed.Statement {
		t.Helper()
		s, ok := byKey[key]
		if !ok {
			t.Fatalf("no statement %s", key)
		}
		return s
	}
	refs := func(s seed.Statement) []string {
		var out []string
		for _, r := range s.Reports {
			out = append(out, r.Source)
		}
		return out
	}

	t.Run("the 14 June 2024 speech is one statement with three reports", func(t *testing.T) {
		var speech []string
		for _, s := range f.Statements {
			if s.Actor == "vladimir-putin" && s.Date == "2024-06-14" && takes(s, "withdrawal-four-regions", "") {
				speech = append(speech, s.Key)
			}
		}
		if diff := cmp.Diff([]string{"003-putin-foreign-ministry-terms"}, speech); diff != "" {
			t.Errorf("Putin's statements of 2024-06-14 on the withdrawal (-want +got):\n%s", diff)
		}
		s := get(t, "003-putin-foreign-ministry-terms")
		if diff := cmp.Diff(juneSpeechReports, refs(s)); diff != "" {
			t.Errorf("its reports (-want +got):\n%s", diff)
		}
		if s.Source() != "003_219be40f0e460795.txt" {
			t.Errorf("its primary source = %s, want Bloomberg's 003", s.Source())
		}
		if s.Reports[0].Quote != s.Quote || s.Quote == "" {
			t.Errorf("Bloomberg's report quotes %q, want the statement's quote %q", s.Reports[0].Quote, s.Quote)
		}
	})

	t.Run("merged statements are absorbed by their keeper and gone", func(t *testing.T) {
		for keeper, absorbed := range mergedInV2 {
			if diff := cmp.Diff(absorbed, get(t, keeper).Absorbs); diff != "" {
				t.Errorf("%s absorbs (-want +got):\n%s", keeper, diff)
			}
			if n := len(get(t, keeper).Reports); n < 2 {
				t.Errorf("%s has %d report(s), want one more for each statement it absorbs", keeper, n)
			}
			for _, k := range absorbed {
				if _, ok := byKey[k]; ok {
					t.Errorf("%s is still a statement of its own", k)
				}
			}
		}
		var all []string
		for _, s := range f.Statements {
			if len(s.Absorbs) > 0 {
				all = append(all, s.Key)
			}
		}
		if len(all) != len(mergedInV2) {
			t.Errorf("statements that absorb others = %q, want exactly the %d of the merge", all, len(mergedInV2))
		}
	})

	t.Run("Ukraine's neutrality and its NATO membership are each other's converse", func(t *testing.T) {
		converse := map[string]string{}
		for _, d := range f.Demands {
			if d.Converse != "" {
				converse[d.Slug] = d.Converse
			}
		}
		want := map[string]string{"ukraine-neutrality": "ukraine-nato-membership", "ukraine-nato-membership": "ukraine-neutrality"}
		if diff := cmp.Diff(want, converse); diff != "" {
			t.Errorf("converse links (-want +got):\n%s", diff)
		}
	})

	t.Run("Putin's support for talks holds on two conditions", func(t *testing.T) {
		var got []string
		for _, p := range get(t, "003-putin-foreign-ministry-terms").Positions {
			for _, c := range p.Conditions {
				got = append(got, p.Demand+" "+string(p.Stance)+" if "+c.String())
			}
		}
		slices.Sort(got)
		var want []string
		for _, c := range putinTalksConditions {
			want = append(want, "direct-russia-ukraine-talks supports if "+c)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("conditions of Putin's positions (-want +got):\n%s", diff)
		}
	})

	t.Run("remarks that take no position", func(t *testing.T) {
		amherd := get(t, "002-amherd-china-participation")
		if amherd.Actor != "viola-amherd" || len(amherd.Positions) != 0 {
			t.Errorf("Amherd's remark: actor %s, positions %+v; want viola-amherd, none", amherd.Actor, amherd.Positions)
		}
		stanovaya := get(t, "003-stanovaya-dictate-terms")
		if len(stanovaya.Positions) != 0 || len(stanovaya.Regions) != 0 {
			t.Errorf("Stanovaya's comment: positions %+v, regions %q; want none (she names no region)", stanovaya.Positions, stanovaya.Regions)
		}
	})

	t.Run("sides and their roles", func(t *testing.T) {
		roles := map[string]parley.SideRole{}
		for _, s := range f.Sides {
			roles[s.Slug] = s.Role
		}
		want := map[string]parley.SideRole{
			"russia": parley.Party, "ukraine": parley.Party,
			"united-states": parley.Stakeholder, "europe": parley.Stakeholder, "nato": parley.Stakeholder,
			"belarus": parley.Stakeholder, "switzerland": parley.Stakeholder, "international": parley.Stakeholder,
			"independent": parley.Observer,
		}
		if diff := cmp.Diff(want, roles); diff != "" {
			t.Errorf("sides (-want +got):\n%s", diff)
		}
		for _, a := range f.Actors {
			if a.Slug == "tatiana-stanovaya" && a.Side != "independent" {
				t.Errorf("Stanovaya's side = %s, want independent (an observer)", a.Side)
			}
		}
	})

	t.Run("new and corrected statements", func(t *testing.T) {
		for key, date := range map[string]string{"000-western-non-recognition-crimea": "2014", "000-western-non-recognition-four-regions": "2022"} {
			s := get(t, key)
			if s.Date != date || !takes(s, "recognition-annexed-regions", parley.Rejects) {
				t.Errorf("%s: date %s, positions %+v; want %s, rejecting recognition", key, s.Date, s.Positions, date)
			}
		}
		if p := get(t, "001-france-assets-collateral").Positions; len(p) != 1 || p[0].Demand != "frozen-russian-assets" || p[0].Stance != parley.Supports {
			t.Errorf("France on the frozen assets as collateral = %+v, want supports", p)
		}
		if d := get(t, "001-putin-assets-theft").Date; d != "2025" {
			t.Errorf("001-putin-assets-theft dated %s, want 2025", d)
		}
	})
}

// TestSeedV2IsLoaded ensures what version 2 says is what the loaded
// database holds.
func TestSeedV2IsLoaded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	s := store.New(pool)
	if _, err := s.LoadSeed(ctx, seedData(t)); err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	ids := seedKeyIDs(t, pool)

	t.Run("the 14 June 2024 speech, three reports", func(t *testing.T) {
		st, err := s.GetStatement(ctx, ids["003-putin-foreign-ministry-terms"])
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range st.Reports {
			got = append(got, r.Source.Ref)
		}
		if diff := cmp.Diff(juneSpeechReports, got); diff != "" {
			t.Errorf("reports (-want +got):\n%s", diff)
		}
		if st.Source == nil || st.Source.Outlet != "Bloomberg News" {
			t.Errorf("primary source = %+v, want Bloomberg News", st.Source)
		}
		if n := len(queryStrings(t, pool, `
			SELECT s.seed_key FROM statements s JOIN actors a ON a.id = s.actor_id
			JOIN positions p ON p.statement_id = s.id JOIN demands d ON d.id = p.demand_id
			WHERE s.deleted_at IS NULL AND a.slug = 'vladimir-putin' AND s.date = '2024-06-14'
			  AND d.slug = 'withdrawal-four-regions'`)); n != 1 {
			t.Errorf("Putin's statements of 2024-06-14 on the withdrawal = %d, want one", n)
		}
	})

	t.Run("converse link", func(t *testing.T) {
		for a, b := range map[string]string{"ukraine-neutrality": "ukraine-nato-membership", "ukraine-nato-membership": "ukraine-neutrality"} {
			d, err := s.GetDemand(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			if d.Converse != b {
				t.Errorf("%s's converse = %q, want %s", a, d.Converse, b)
			}
		}
	})

	t.Run("Putin's conditions", func(t *testing.T) {
		st, err := s.GetStatement(ctx, ids["003-putin-foreign-ministry-terms"])
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, p := range st.Positions {
			for _, c := range p.Conditions {
				got[p.Demand+" "+string(p.Stance)] = append(got[p.Demand+" "+string(p.Stance)], c.String())
			}
		}
		if diff := cmp.Diff(map[string][]string{"direct-russia-ukraine-talks supports": putinTalksConditions}, got); diff != "" {
			t.Errorf("conditions (-want +got):\n%s", diff)
		}
	})

	t.Run("Amherd's remark, no position", func(t *testing.T) {
		st, err := s.GetStatement(ctx, ids["002-amherd-china-participation"])
		if err != nil {
			t.Fatal(err)
		}
		if st.ActorSlug != "viola-amherd" || len(st.Positions) != 0 || !strings.Contains(st.Summary, "China") {
			t.Errorf("Amherd's remark = %s, positions %+v, %q; want hers, with no position", st.ActorSlug, st.Positions, st.Summary)
		}
	})

	t.Run("sides", func(t *testing.T) {
		sides, err := s.ListSides(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]parley.SideRole{}
		for _, sd := range sides {
			got[sd.Slug] = sd.Role
		}
		for slug, role := range map[string]parley.SideRole{"russia": parley.Party, "ukraine": parley.Party, "independent": parley.Observer} {
			if got[slug] != role {
				t.Errorf("side %s role = %q, want %s", slug, got[slug], role)
			}
		}
	})
}

// TestSeedUpgradesAVersion1Database ensures loading version 2 over a
// database seeded with version 1 merges the statements v2 merged, brings
// untouched statements to their v2 shape, leaves what an editor changed
// alone, and that loading v2 again changes nothing.
func TestSeedUpgradesAVersion1Database(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	s := store.New(pool)
	v2 := seedData(t)
	if _, err := s.LoadSeed(ctx, asVersion1(t, v2)); err != nil {
		t.Fatalf("LoadSeed(v1): %v", err)
	}
	ids := seedKeyIDs(t, pool)

	// An editor changes two v1 statements: one v2 corrects (its date) and
	// one v2 merges into another.
	edited := map[string]string{
		"001-putin-assets-theft":                 "Putin called the use of frozen Russian assets theft (editor's wording).",
		"001-zelensky-security-guarantees-focus": "Zelensky shifted his focus to security guarantees (editor's wording).",
	}
	for key, summary := range edited {
		st, err := s.GetStatement(ctx, ids[key])
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		in := parley.InputOf(st)
		in.Summary = summary
		if _, err := s.UpdateStatement(ctx, parley.Editor{}, st.ID, st.Version, in); err != nil {
			t.Fatalf("edit %s: %v", key, err)
		}
	}

	got, err := s.LoadSeed(ctx, v2)
	if err != nil {
		t.Fatalf("LoadSeed(v2): %v", err)
	}
	want := store.SeedResult{
		Statements: 2, // 000-western-non-recognition-crimea and -four-regions
		// The four keepers (their reports, and Putin's conditions), France's
		// stance and Amherd's remark; not the edited 001-putin-assets-theft.
		Updated: 6,
		Merged:  4, // the five absorbed but the edited 001-zelensky-security-guarantees-focus
	}
	if got != want {
		t.Errorf("LoadSeed(v2) over v1 = %+v, want %+v", got, want)
	}

	live := queryStrings(t, pool, `SELECT seed_key FROM statements WHERE deleted_at IS NULL AND seed_key IS NOT NULL ORDER BY seed_key`)
	wantLive := []string{"001-zelensky-security-guarantees-focus"}
	for _, st := range v2.Statements {
		wantLive = append(wantLive, st.SeedKey)
	}
	slices.Sort(wantLive)
	if diff := cmp.Diff(wantLive, live); diff != "" {
		t.Errorf("live seed statements: v2's and the edited absorbed one (-want +got):\n%s", diff)
	}
	for keeper, absorbed := range mergedInV2 {
		st, err := s.GetStatement(ctx, ids[keeper])
		if err != nil {
			t.Fatalf("%s: %v", keeper, err)
		}
		var refs, wantRefs []string
		for _, r := range st.Reports {
			refs = append(refs, r.Source.Ref)
		}
		for _, r := range seedStatement(t, v2, keeper).Reports {
			wantRefs = append(wantRefs, r.SourceRef)
		}
		if diff := cmp.Diff(wantRefs, refs); diff != "" {
			t.Errorf("%s's reports after the merge (-want +got):\n%s", keeper, diff)
		}
		for _, k := range absorbed {
			var deleted bool
			if err := pool.QueryRow(ctx, `SELECT deleted_at IS NOT NULL FROM statements WHERE seed_key = $1`, k).Scan(&deleted); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			if _, byEditor := edited[k]; deleted == byEditor {
				t.Errorf("%s deleted = %v, want %v (merged unless an editor changed it)", k, deleted, !byEditor)
			}
		}
	}
	for key, summary := range edited {
		var got, date string
		err := pool.QueryRow(ctx, `SELECT summary, to_char(date, 'YYYY') FROM statements WHERE seed_key = $1`, key).Scan(&got, &date)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if got != summary {
			t.Errorf("%s summary = %q, want the editor's %q", key, got, summary)
		}
		if key == "001-putin-assets-theft" && date != "2024" {
			t.Errorf("%s dated %s, want v1's 2024: the editor's version stands", key, date)
		}
	}
	if got := queryStrings(t, pool, `SELECT p.stance FROM positions p JOIN statements s ON s.id = p.statement_id
		WHERE s.seed_key = '001-france-assets-collateral'`); !slices.Equal(got, []string{"supports"}) {
		t.Errorf("France on the frozen assets after the upgrade = %q, want supports", got)
	}
	if got := queryStrings(t, pool, `SELECT pc.side || ':' || d.slug || ':' || pc.stance FROM position_conditions pc
		JOIN demands d ON d.id = pc.cond_demand_id JOIN statements s ON s.id = pc.statement_id
		WHERE s.seed_key = '003-putin-foreign-ministry-terms' ORDER BY 1`); !slices.Equal(got, putinTalksConditions) {
		t.Errorf("Putin's conditions after the upgrade = %q, want %q", got, putinTalksConditions)
	}

	again, err := s.LoadSeed(ctx, seedData(t))
	if err != nil {
		t.Fatalf("LoadSeed(v2) again: %v", err)
	}
	if again != (store.SeedResult{}) {
		t.Errorf("LoadSeed(v2) again = %+v, want nothing", again)
	}
}

// asVersion1 turns version 2 of the dataset back into what version 1
// loaded. Keys begin with the number of the article they were read from
// ("001-…" from 001_….txt): each key a statement absorbs becomes a
// statement again, a copy of its keeper reported by that article alone,
// and the keeper keeps its other reports. v1 had no conditions, not the two
// western non-recognition statements, France only open to using the
// assets, and Amherd supporting the Swiss summit.
func asVersion1(t *testing.T, d store.SeedData) store.SeedData {
	t.Helper()
	var out []store.SeedStatement
	for _, st := range d.Statements {
		if strings.HasPrefix(st.SeedKey, "000-western-non-recognition-") {
			continue
		}
		st.Absorbs = nil
		st.Positions = slices.Clone(st.Positions)
		for i := range st.Positions {
			st.Positions[i].Conditions = nil
		}
		switch st.SeedKey {
		case "001-france-assets-collateral":
			st.Positions[0].Stance = parley.Open
		case "002-amherd-china-participation":
			st.Positions = []parley.PositionInput{{Demand: "swiss-peace-summit", Stance: parley.Supports}}
		case "001-putin-assets-theft":
			st.Date = parley.Date{Time: st.Date.Time.AddDate(-1, 0, 0), Precision: st.Date.Precision}
		}
		keep := st.Reports
		for _, old := range seedStatement(t, d, st.SeedKey).Absorbs {
			i := slices.IndexFunc(keep, func(r store.SeedReport) bool { return strings.HasPrefix(r.SourceRef, old[:3]+"_") })
			if i < 0 {
				t.Fatalf("%s absorbs %s, but no report of it comes from article %s", st.SeedKey, old, old[:3])
			}
			copied := st
			copied.SeedKey, copied.Reports = old, []store.SeedReport{keep[i]}
			out = append(out, copied)
			keep = slices.Delete(slices.Clone(keep), i, i+1)
		}
		st.Reports = keep
		out = append(out, st)
	}
	d.Statements = out
	return d
}

// takes reports whether s takes stance (any, when empty) on demand.
func takes(s seed.Statement, demand string, stance parley.Stance) bool {
	for _, p := range s.Positions {
		if p.Demand == demand && (stance == "" || p.Stance == stance) {
			return true
		}
	}
	return false
}

func seedStatement(t *testing.T, d store.SeedData, key string) store.SeedStatement {
	t.Helper()
	for _, st := range d.Statements {
		if st.SeedKey == key {
			return st
		}
	}
	t.Fatalf("no statement %s in the dataset", key)
	return store.SeedStatement{}
}

// seedKeyIDs maps every seed key to its statement's id, deleted or not.
func seedKeyIDs(t *testing.T, pool *pgxpool.Pool) map[string]int64 {
	t.Helper()
	type row struct {
		key string
		id  int64
	}
	rows := queryRows(t, pool, `SELECT seed_key, id FROM statements WHERE seed_key IS NOT NULL`, func(scan func(...any) error) (row, error) {
		var r row
		err := scan(&r.key, &r.id)
		return r, err
	})
	out := map[string]int64{}
	for _, r := range rows {
		out[r.key] = r.id
	}
	return out
}
