package handlers_test

import (
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"parley/internal/seed"
)

// ---- One statement ----

func TestStatementPageShowsEverythingAboutIt(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	const key = "001-peskov-regions-of-russia"
	i := slices.IndexFunc(m.stmts, func(s mstmt) bool { return s.Key == key })
	if i < 0 {
		t.Fatalf("seed: no statement %s", key)
	}
	s := m.stmts[i]
	if s.date.Precision != "month" {
		t.Fatalf("seed: %s has %s precision; the test needs a month", key, s.date.Precision)
	}
	id := e.seedIDs(t)[key]
	body := e.wantStatus(t, "/statements/"+strconv.FormatInt(id, 10), http.StatusOK)

	if got := text(one(t, body, "quote")); got != s.Quote {
		t.Errorf("quote = %q, want %q", got, s.Quote)
	}
	if got := text(one(t, body, "summary")); got != s.Summary {
		t.Errorf("summary = %q, want %q", got, s.Summary)
	}
	mustContain(t, body, `href="/actors/dmitry-peskov"`, "Dmitry Peskov")
	if got := text(one(t, body, "date")); got != "March 2025" {
		t.Errorf("date = %q, want %q", got, "March 2025")
	}
	visible := text(body)
	for _, dishonest := range []string{"2025-03-01", "1 March 2025"} {
		if strings.Contains(visible, dishonest) {
			t.Errorf("page shows %q: more precision than the month known", dishonest)
		}
	}
	src := text(one(t, body, "source"))
	for _, w := range []string{"Unidentified outlet", "The Washington Post", "Three years into the war in Ukraine"} {
		if !strings.Contains(src, w) {
			t.Errorf("source line %q does not contain %q", src, w)
		}
	}
	positions := one(t, body, "positions")
	for _, p := range s.Positions {
		if !strings.Contains(positions, `href="/demands/`+p.Demand+`"`) || !strings.Contains(positions, "stance-"+string(p.Stance)) {
			t.Errorf("positions %q lack %s: %s", text(positions), p.Demand, p.Stance)
		}
	}
	for _, r := range s.Regions {
		mustContain(t, body, `href="/regions/`+r+`"`)
	}
	history := text(one(t, body, "history"))
	if !strings.Contains(history, "Version 1") || !strings.Contains(history, "loaded from the seed dataset") {
		t.Errorf("history = %q, want the seed revision", history)
	}
}

func TestStatementPageUnknownIsNotFound(t *testing.T) {
	e := newEnv(t, true)
	for _, path := range []string{"/statements/999999", "/statements/abc", "/statements/0", "/statements/-1", "/statements/99999999999999999999"} {
		t.Run(path, func(t *testing.T) {
			e.wantStatus(t, path, http.StatusNotFound)
		})
	}
}

// ---- Actors ----

func TestActorsListBySide(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	body := e.wantStatus(t, "/actors", http.StatusOK)
	for slug, side := range m.actorSide {
		list := byTestID(body, "side-"+side)
		if len(list) == 0 {
			t.Errorf("no list for side %s", side)
			continue
		}
		if !strings.Contains(list[0], `href="/actors/`+slug+`"`) {
			t.Errorf("side %s does not list %s", side, slug)
		}
	}
}

func TestActorPageShowsAliasesPositionsAndStatements(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	body := e.wantStatus(t, "/actors/dmitry-peskov", http.StatusOK)
	if got := text(one(t, body, "actor-name")); got != "Dmitry Peskov" {
		t.Errorf("actor name = %q", got)
	}
	aliases := text(one(t, body, "aliases"))
	for _, a := range m.actorAliases["dmitry-peskov"] {
		if !strings.Contains(aliases, a) {
			t.Errorf("aliases %q lack %q", aliases, a)
		}
	}
	if !strings.Contains(aliases, "Peskow") {
		t.Errorf("aliases %q lack Peskow", aliases)
	}

	current := map[string]mpos{}
	for k, c := range m.current(time.Time{}) {
		if k[0] == "dmitry-peskov" {
			current[k[1]] = c
		}
	}
	table := one(t, body, "actor-positions")
	rows := regexp.MustCompile(`(?s)<tr>\s*<th scope="row">.*?</tr>`).FindAllString(table, -1)
	if len(rows) != len(current) {
		t.Errorf("positions table has %d rows, want %d", len(rows), len(current))
	}
	for _, row := range rows {
		var demand string
		for _, h := range hrefs(row) {
			if s, ok := strings.CutPrefix(h, "/demands/"); ok {
				demand = s
			}
		}
		c, ok := current[demand]
		if !ok {
			t.Errorf("row for %q, on which Peskov took no position", demand)
			continue
		}
		if !strings.Contains(row, "stance-"+c.stance) || !strings.Contains(text(row), c.date.String()) {
			t.Errorf("%s: row %q, want %s since %s", demand, text(row), c.stance, c.date)
		}
		svg := regexp.MustCompile(`(?s)<svg.*?</svg>`).FindString(row)
		if svg == "" {
			t.Errorf("%s: no inline <svg> chart", demand)
			continue
		}
		label := openingAttr(svg, "aria-label")
		desc := regexp.MustCompile(`(?s)<desc>(.*?)</desc>`).FindStringSubmatch(svg)
		if label == "" || desc == nil || strings.TrimSpace(desc[1]) == "" {
			t.Errorf("%s: chart has no text alternative (aria-label %q, desc %v)", demand, label, desc)
		}
		if !strings.Contains(label+html.UnescapeString(desc[1]), c.stance) {
			t.Errorf("%s: chart text %q does not name the stance %s", demand, label, c.stance)
		}
		if openingAttr(svg, "role") != "img" {
			t.Errorf("%s: chart has no role=img", demand)
		}
	}

	got := sorted(statementIDs(t, body))
	want := idsOf(t, e.seedIDs(t), m.keys(func(s mstmt) bool { return s.Actor == "dmitry-peskov" }))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Peskov's statements (-want +got):\n%s", diff)
	}
}

func TestActorPageUnknownIsNotFound(t *testing.T) {
	e := newEnv(t, true)
	e.wantStatus(t, "/actors/nobody-at-all", http.StatusNotFound)
	e.wantStatus(t, "/actors/Dmitry%20Peskov", http.StatusNotFound)
}

// ---- Demands ----

func TestDemandsListEveryDemand(t *testing.T) {
	e := newEnv(t, true)
	f, err := seed.Raw()
	if err != nil {
		t.Fatal(err)
	}
	body := e.wantStatus(t, "/demands", http.StatusOK)
	visible := text(body)
	for _, d := range f.Demands {
		if !strings.Contains(body, `href="/demands/`+d.Slug+`"`) || !strings.Contains(visible, d.Title) {
			t.Errorf("/demands does not list %s (%q)", d.Slug, d.Title)
		}
	}
}

func TestDemandPageShowsWhereEachSideStands(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	f, err := seed.Raw()
	if err != nil {
		t.Fatal(err)
	}
	i := -1
	for j, d := range f.Demands {
		if d.Slug == "kursk-territorial-swap" {
			i = j
		}
	}
	if i < 0 {
		t.Fatal("seed: no kursk-territorial-swap")
	}
	d := f.Demands[i]
	body := e.wantStatus(t, "/demands/kursk-territorial-swap", http.StatusOK)
	if got := text(one(t, body, "demand-title")); got != d.Title {
		t.Errorf("title = %q, want %q", got, d.Title)
	}
	visible := text(body)
	if !strings.Contains(visible, d.Description) {
		t.Errorf("page lacks the description %q", d.Description)
	}
	if !strings.Contains(visible, "Raised by Ukraine") {
		t.Errorf("page does not say the demand is raised by Ukraine")
	}
	if regions := one(t, body, "demand-regions"); !strings.Contains(regions, `href="/regions/kursk"`) {
		t.Errorf("regions %q do not include kursk", text(regions))
	}
	for side, stance := range map[string]string{"ukraine": "supports", "russia": "rejects"} {
		list := byTestID(body, "side-"+side)
		if len(list) == 0 {
			t.Errorf("no positions listed for side %s", side)
			continue
		}
		if !strings.Contains(list[0], "stance-"+stance) || !strings.Contains(text(list[0]), stance) {
			t.Errorf("side %s: %q, want %s", side, text(list[0]), stance)
		}
	}
	if got, want := text(one(t, body, "gap")), strconv.Itoa(m.gaps()["kursk-territorial-swap"]); got != want {
		t.Errorf("gap = %q, want %s", got, want)
	}
	svg := regexp.MustCompile(`(?s)<svg.*?</svg>`).FindString(body)
	if svg == "" {
		t.Fatal("no inline SVG gap chart")
	}
	if label := openingAttr(svg, "aria-label"); !strings.Contains(label, "Gap") || !strings.Contains(svg, "<desc>") {
		t.Errorf("gap chart text alternative = %q", label)
	}
	if n, want := len(byTestID(body, "statement")), len(m.keys(func(s mstmt) bool { return s.takes("kursk-territorial-swap", "") })); n != want {
		t.Errorf("statements on the demand = %d, want %d", n, want)
	}
}

func TestDemandPageUnknownIsNotFound(t *testing.T) {
	e := newEnv(t, true)
	e.wantStatus(t, "/demands/world-peace", http.StatusNotFound)
}
