package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The negotiation as DESIGN v2 models it: sides with roles, converse
// demands, gaps between parties only.

type dashJSON struct {
	AsOf   string `json:"as_of"`
	Matrix []struct {
		Actor, Demand, Stance, Date string
		DatePrecision               string  `json:"date_precision"`
		Statements                  []int64 `json:"statements"`
		Via                         *string `json:"via"`
	} `json:"matrix"`
	Gaps []struct {
		Demand       string `json:"demand"`
		Value        *int   `json:"value"`
		Parties      []sideJSON
		Stakeholders []sideJSON
	} `json:"gaps"`
	Shifts []struct {
		Actor, Demand, From, To, Date string
		Statement                     int64
	} `json:"shifts"`
}

type sideJSON struct {
	Side, Stance, Date string
	Via                *string
}

func getDashboardJSON(t *testing.T, b *browser, query string) dashJSON {
	t.Helper()
	res, body := b.get(t, "/dashboard.json"+query)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /dashboard.json%s = %d %s", query, res.StatusCode, res.Header.Get("Content-Type"))
	}
	var d dashJSON
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	return d
}

func TestNeutralityGapIsMeasuredThroughTheConverse(t *testing.T) {
	e := newEnv(t, true)
	b := e.browser(t)
	d := getDashboardJSON(t, b, "")
	found := false
	for _, g := range d.Gaps {
		if g.Demand != "ukraine-neutrality" {
			continue
		}
		found = true
		if g.Value == nil || *g.Value != 3 {
			t.Errorf("neutrality gap = %v, want 3: Russia insists, Ukraine (supporting NATO membership) opposes", g.Value)
		}
		for _, p := range g.Parties {
			if p.Side == "ukraine" && (p.Stance != "opposes" || p.Via == nil || *p.Via != "ukraine-nato-membership") {
				t.Errorf("Ukraine in the neutrality gap = %+v, want opposes via ukraine-nato-membership", p)
			}
		}
		if len(g.Parties) != 2 {
			t.Errorf("neutrality parties = %+v, want russia and ukraine", g.Parties)
		}
		if len(g.Stakeholders) == 0 || g.Stakeholders[0].Side != "united-states" {
			t.Errorf("neutrality stakeholders = %+v, want the United States (Hegseth) beside the gap", g.Stakeholders)
		}
	}
	if !found {
		t.Fatal("dashboard.json has no gap on ukraine-neutrality")
	}
	mirrored := false
	for _, c := range d.Matrix {
		if c.Actor == "vladimir-putin" && c.Demand == "ukraine-nato-membership" {
			mirrored = c.Stance == "rejects" && c.Via != nil && *c.Via == "ukraine-neutrality" && len(c.Statements) == 1
		}
	}
	if !mirrored {
		t.Error("dashboard.json: no cell of Putin on NATO membership reading rejects via ukraine-neutrality")
	}
	page := e.wantStatus(t, "/demands/ukraine-neutrality", http.StatusOK)
	if got := text(one(t, page, "gap")); got != "3" {
		t.Errorf("demand page gap = %q, want 3", got)
	}
	if c := text(one(t, page, "converse")); !strings.Contains(c, "NATO membership for Ukraine") {
		t.Errorf("demand page converse = %q", c)
	}
	if !strings.Contains(text(one(t, page, "gap-parties")), "via NATO membership for Ukraine") {
		t.Errorf("demand page parties = %q, want Ukraine's stance marked via the converse", text(one(t, page, "gap-parties")))
	}
	home := e.wantStatus(t, "/", http.StatusOK)
	if cell := text(one(t, home, "cell-vladimir-putin-ukraine-nato-membership")); !strings.Contains(cell, "rejects") || !strings.Contains(cell, "via") {
		t.Errorf("matrix cell of Putin on NATO membership = %q, want rejects, via the converse", cell)
	}
}

func TestOnePartyGapIsNullNotZero(t *testing.T) {
	e := newEnv(t, true)
	d := getDashboardJSON(t, e.browser(t), "")
	var onePartyDemand string
	for _, g := range d.Gaps {
		if len(g.Parties) == 1 {
			onePartyDemand = g.Demand
			if g.Value != nil {
				t.Errorf("gap on %s with one party = %d, want null", g.Demand, *g.Value)
			}
		}
		if len(g.Parties) >= 2 && g.Value == nil {
			t.Errorf("gap on %s with %d parties = null, want a value", g.Demand, len(g.Parties))
		}
	}
	if onePartyDemand == "" {
		t.Fatal("the seed has no demand only one party addresses; the test needs one")
	}
	home := e.wantStatus(t, "/", http.StatusOK)
	if row := text(one(t, home, "gap-"+onePartyDemand)); !strings.Contains(row, "not measurable") {
		t.Errorf("dashboard row of %s = %q, want it to say not measurable", onePartyDemand, row)
	}
	page := e.wantStatus(t, "/demands/"+onePartyDemand, http.StatusOK)
	if got := text(one(t, page, "gap")); !strings.Contains(got, "not measurable") {
		t.Errorf("demand page gap of %s = %q, want not measurable", onePartyDemand, got)
	}
	if strings.Contains(page, `class="gap-line"`) || len(byTestID(page, "gap-chart-empty")) != 1 {
		t.Errorf("demand page of %s draws a gap line although the gap was never measurable", onePartyDemand)
	}
	res, _ := e.browser(t).get(t, "/dashboard.json?as_of=yesterday")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("dashboard.json?as_of=yesterday = %d, want 400", res.StatusCode)
	}
}

func TestAnObserversStanceChangesNoGap(t *testing.T) {
	e := newEnv(t, true)
	ed := e.signIn(t, "ed@example.org", "editor")
	before := getDashboardJSON(t, ed, "")
	form := newStatementForm(t, "Stanovaya: Ukraine will never be neutral")
	form.Set("actor", "tatiana-stanovaya")
	form["demand"], form["stance"] = []string{"ukraine-neutrality", "lift-sanctions"}, []string{"rejects", "insists"}
	ed.mustPost(t, "/statements/new", form)
	after := getDashboardJSON(t, ed, "")
	b, _ := json.Marshal(before.Gaps)
	a, _ := json.Marshal(after.Gaps)
	if string(a) != string(b) {
		t.Errorf("an observer's statement changed the gaps:\nbefore %s\nafter  %s", b, a)
	}
}

func TestAdminsKeepTheSidesAndTheirRoles(t *testing.T) {
	e := newEnv(t, true)
	ed := e.signIn(t, "ed@example.org", "editor")
	if res, _ := ed.get(t, "/sides/new"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an editor GET /sides/new = %d, want 403", res.StatusCode)
	}
	admin := e.signIn(t, "admin@example.org", "admin")
	res, body := admin.post(t, "/sides/new", url.Values{"slug": {"china"}, "name": {"China"}, "role": {"umpire"}})
	if res.StatusCode != http.StatusUnprocessableEntity || len(fieldErrors(body)) == 0 {
		t.Errorf("a side with role umpire = %d, errors %v; want 422 with a message", res.StatusCode, fieldErrors(body))
	}
	if loc := admin.mustPost(t, "/sides/new", url.Values{"slug": {"china"}, "name": {"China"}, "role": {"stakeholder"}}); loc != "/sides/china" {
		t.Errorf("after creating a side: Location %q, want /sides/china", loc)
	}
	if role := text(one(t, admin.mustGet(t, "/sides/china"), "role")); !strings.HasPrefix(role, "stakeholder") {
		t.Errorf("side page role = %q", role)
	}
	// The United States made a party: it moves into the gap.
	form := formValues(t, admin.mustGet(t, "/sides/united-states/edit"), "record-form")
	form.Set("role", "party")
	admin.mustPost(t, "/sides/united-states/edit", form)
	d := getDashboardJSON(t, admin, "")
	for _, g := range d.Gaps {
		if g.Demand != "ukraine-neutrality" {
			continue
		}
		if len(g.Parties) != 3 || len(g.Stakeholders) != 0 {
			t.Errorf("with the United States a party, the neutrality gap's parties = %+v, stakeholders = %+v", g.Parties, g.Stakeholders)
		}
	}
	if list := text(one(t, admin.mustGet(t, "/sides"), "sides-party")); !strings.Contains(list, "United States") {
		t.Errorf("sides page parties = %q", list)
	}
	form = formValues(t, admin.mustGet(t, "/sides/china/edit"), "record-form")
	form.Set("role", "observer")
	admin.mustPost(t, "/sides/china/edit", form)
	hist := admin.mustGet(t, "/sides/china/history")
	if !strings.Contains(hist, "observer") || !strings.Contains(hist, "stakeholder") {
		t.Error("the side's history does not show its role changing from stakeholder to observer")
	}
}

func TestDemandFormSetsAndRefusesConverses(t *testing.T) {
	e := newEnv(t, true)
	ed := e.signIn(t, "ed@example.org", "editor")
	form := formValues(t, ed.mustGet(t, "/demands/security-guarantees/edit"), "record-form")
	before := e.fingerprint(t)
	for _, tt := range []struct{ converse, why string }{
		{"security-guarantees", "itself"},
		{"ukraine-nato-membership", "a demand that has its converse already"},
		{"no-such-demand", "a demand that does not exist"},
	} {
		form.Set("converse", tt.converse)
		res, body := ed.post(t, "/demands/security-guarantees/edit", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(strings.Join(fieldErrors(body), " "), "converse") {
			t.Errorf("converse = %s: %d, errors %v; want 422 with a message on the converse", tt.why, res.StatusCode, fieldErrors(body))
		}
	}
	if after := e.fingerprint(t); after != before {
		t.Error("a refused converse changed the database")
	}
	form.Set("converse", "ukraine-demilitarisation")
	ed.mustPost(t, "/demands/security-guarantees/edit", form)
	other := ed.mustGet(t, "/demands/ukraine-demilitarisation")
	if !strings.Contains(text(one(t, other, "converse")), "Security guarantees") {
		t.Errorf("the converse's page does not name security-guarantees back: %q", text(one(t, other, "converse")))
	}
}
