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
	// (v2) One article reports it, and the page says so.
	if len(s.Reports) != 1 {
		t.Fatalf("seed: %s has %d reports; the test expects one", key, len(s.Reports))
	}
	if got := text(one(t, body, "report-count")); got != "One source reports it." {
		t.Errorf("report count = %q, want %q", got, "One source reports it.")
	}
	if n := len(byTestID(body, "report")); n != 1 {
		t.Errorf("reports listed = %d, want 1", n)
	}
	history := text(one(t, body, "history"))
	if !strings.Contains(history, "Version 1") || !strings.Contains(history, "loaded from the seed dataset") {
		t.Errorf("history = %q, want the seed revision", history)
	}
}

// TestStatementPageShowsReportsAndConditions ensures (v2) Putin's speech of
// 14 June 2024 is one statement that lists the three articles reporting it,
// earliest first, and says in words on what conditions he supports talks.
func TestStatementPageShowsReportsAndConditions(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	f, err := seed.Raw()
	if err != nil {
		t.Fatal(err)
	}
	const key = "003-putin-foreign-ministry-terms"
	i := slices.IndexFunc(m.stmts, func(s mstmt) bool { return s.Key == key })
	if i < 0 {
		t.Fatalf("seed: no statement %s", key)
	}
	s := m.stmts[i]
	wantRefs := []string{"003_219be40f0e460795.txt", "000_2078559bee8cab81.txt", "001_8282d51c9b9495ec.txt"}
	var refs []string
	for _, r := range s.Reports {
		refs = append(refs, r.Source)
	}
	if diff := cmp.Diff(wantRefs, refs); diff != "" {
		t.Fatalf("seed: %s's reports (-want +got):\n%s", key, diff)
	}

	// Searching for the speech finds it once.
	list := e.wantStatus(t, "/statements?actor=vladimir-putin&demand=withdrawal-four-regions&from=2024-06-14&to=2024-06-14", http.StatusOK)
	if got := statementIDs(t, list); len(got) != 1 || got[0] != e.seedIDs(t)[key] {
		t.Errorf("Putin's statements of 14 June 2024 on the withdrawal = %v, want only %s (id %d)", got, key, e.seedIDs(t)[key])
	}

	body := e.wantStatus(t, "/statements/"+strconv.FormatInt(e.seedIDs(t)[key], 10), http.StatusOK)
	if got := text(one(t, body, "report-count")); got != "3 sources report it." {
		t.Errorf("report count = %q, want %q", got, "3 sources report it.")
	}
	reports := byTestID(body, "report")
	if len(reports) != len(wantRefs) {
		t.Fatalf("reports listed = %d, want %d", len(reports), len(wantRefs))
	}
	source := map[string]struct{ outlet, title, via string }{}
	for _, src := range f.Sources {
		source[src.Ref] = struct{ outlet, title, via string }{src.Outlet, src.Title, src.Via}
	}
	for j, ref := range wantRefs {
		got, want := text(reports[j]), source[ref]
		if !strings.Contains(got, want.outlet) || !strings.Contains(got, want.title) || !strings.Contains(got, want.via) {
			t.Errorf("report %d = %q, want %s: %q (via %s)", j+1, got, want.outlet, want.title, want.via)
		}
		if h := hrefs(reports[j]); len(h) != 1 || !strings.HasPrefix(h[0], "/sources/") {
			t.Errorf("report %d links %q, want its source's page", j+1, h)
		}
	}
	if !strings.Contains(text(reports[0]), s.Reports[0].Quote) {
		t.Errorf("Bloomberg's report %q does not give its quote", text(reports[0]))
	}
	if !strings.Contains(text(reports[1]), "Russian-leaning") || !strings.Contains(text(reports[2]), "The Washington Post") {
		t.Errorf("reports 2 and 3 = %q, %q; want the Russian-leaning article, then the one based on The Washington Post",
			text(reports[1]), text(reports[2]))
	}

	conds := byTestID(body, "conditions")
	if len(conds) != 1 {
		t.Fatalf("conditions shown = %d, want one (on the talks)", len(conds))
	}
	if want := s.conditions("direct-russia-ukraine-talks"); len(want) != 2 {
		t.Fatalf("seed: conditions on the talks = %q, the test expects two", want)
	}
	got := text(conds[0])
	if !strings.HasPrefix(got, "only if ") || strings.Count(got, "Ukraine supports") != 2 {
		t.Errorf("conditions = %q, want \"only if Ukraine supports … and Ukraine supports …\"", got)
	}
	for _, d := range []string{"withdrawal-four-regions", "ukraine-neutrality"} {
		if !strings.Contains(got, m.demandTitle[d]) {
			t.Errorf("conditions = %q, want the demand %q named by its title", got, m.demandTitle[d])
		}
		if strings.Contains(got, d) || strings.Contains(got, "ukraine:") {
			t.Errorf("conditions = %q, want plain words, not the slug %s", got, d)
		}
	}
	for _, li := range regexp.MustCompile(`(?s)<li>.*?</li>`).FindAllString(one(t, body, "positions"), -1) {
		if strings.Contains(li, `data-testid="conditions"`) != strings.Contains(li, `href="/demands/direct-russia-ukraine-talks"`) {
			t.Errorf("conditions shown on the wrong position: %q", text(li))
		}
	}
}

// TestStatementPageWithoutPosition ensures (v2) a remark that takes no
// position, as Amherd's, is recorded and shown as such.
func TestStatementPageWithoutPosition(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	const key = "002-amherd-china-participation"
	i := slices.IndexFunc(m.stmts, func(s mstmt) bool { return s.Key == key })
	if i < 0 {
		t.Fatalf("seed: no statement %s", key)
	}
	if n := len(m.stmts[i].Positions); n != 0 {
		t.Fatalf("seed: %s takes %d positions; the test expects none", key, n)
	}
	body := e.wantStatus(t, "/statements/"+strconv.FormatInt(e.seedIDs(t)[key], 10), http.StatusOK)
	mustContain(t, body, `href="/actors/viola-amherd"`)
	if got := text(one(t, body, "summary")); got != m.stmts[i].Summary {
		t.Errorf("summary = %q, want %q", got, m.stmts[i].Summary)
	}
	if strings.Contains(one(t, body, "positions"), "<li") {
		t.Errorf("positions = %q, want none", text(one(t, body, "positions")))
	}
	if !strings.Contains(text(body), "takes no position") {
		t.Error("the page does not say the statement takes no position")
	}
	// It is found by search, though it counts in no matrix or gap.
	found := statementIDs(t, e.wantStatus(t, "/statements?q=Amherd", http.StatusOK))
	if !slices.Contains(found, e.seedIDs(t)[key]) {
		t.Errorf("q=Amherd finds %v, want %s among them", found, key)
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
	var svg string
	if m := regexp.MustCompile(`(?s)Gap over time</h2>\s*<figure>(<svg.*?</svg>)`).FindStringSubmatch(body); m != nil {
		svg = m[1]
	}
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
