package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley"
	"parley/internal/seed"
)

// cellStance reads a matrix cell: its stance (the data-stance its colour
// is styled by; "" for an empty cell) and visible text.
func cellStance(cell string) (stance, visible string) {
	return openingAttr(cell, "data-stance"), text(cell)
}

// ---- Dashboard ----

func TestDashboardMatrixShowsLatestStanceWithDate(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	body := e.wantStatus(t, "/", http.StatusOK)

	want, ok := m.current(time.Time{})[[2]string{"vladimir-putin", "withdrawal-four-regions"}]
	if !ok {
		t.Fatal("seed: Putin takes no position on withdrawal-four-regions")
	}
	if want.stance != "insists" || want.date.String() != "14 June 2024" {
		t.Errorf("seed: Putin's latest stance on withdrawal-four-regions is %s on %s; the test expects insists on 14 June 2024",
			want.stance, want.date)
	}
	cell := one(t, body, "cell-vladimir-putin-withdrawal-four-regions")
	stance, visible := cellStance(cell)
	if stance != want.stance || !strings.Contains(visible, want.stance) || !strings.Contains(visible, want.date.String()) {
		t.Errorf("Putin × withdrawal-four-regions cell = class %q, text %q; want %s with %q", stance, visible, want.stance, want.date)
	}
	link := hrefs(cell)
	if len(link) != 1 {
		t.Fatalf("cell links = %q, want one link to the statements behind it", link)
	}
	u, err := url.Parse(link[0])
	if err != nil || u.Path != "/statements" || u.Query().Get("actor") != "vladimir-putin" || u.Query().Get("demand") != "withdrawal-four-regions" {
		t.Errorf("cell link = %q, want /statements?actor=vladimir-putin&demand=withdrawal-four-regions", link[0])
	}
	// The link leads to statements that back the cell.
	linked := e.wantStatus(t, link[0], http.StatusOK)
	if n, want := total(t, linked), len(m.keys(func(s mstmt) bool { return s.Actor == "vladimir-putin" && s.takes("withdrawal-four-regions", "") })); n != want {
		t.Errorf("the cell's statements: total = %d, want %d", n, want)
	}

	// Putin has said nothing on the Kursk swap: the cell says so in words.
	if _, ok := m.current(time.Time{})[[2]string{"vladimir-putin", "kursk-territorial-swap"}]; ok {
		t.Fatal("seed: Putin has a position on kursk-territorial-swap; pick another empty cell")
	}
	empty := one(t, body, "cell-vladimir-putin-kursk-territorial-swap")
	if cls := openingAttr(empty, "class"); !strings.Contains(cls, "none") {
		t.Errorf("empty cell class = %q, want it marked none", cls)
	}
	if got := text(empty); got != "no position" {
		t.Errorf("empty cell text = %q, want %q", got, "no position")
	}
}

// TestDashboardMatrixCellsFollowTheModel ensures every cell of the matrix,
// today and as of 14 June 2024, reads as the model says: the actor's own
// latest stance, or (v2) where the actor left the demand empty, its stance
// on the converse mirrored and marked "via" that demand.
func TestDashboardMatrixCellsFollowTheModel(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	f, err := seed.Raw()
	if err != nil {
		t.Fatal(err)
	}
	for _, asOf := range []string{"", "2024-06-14"} {
		t.Run("as of "+asOf, func(t *testing.T) {
			// all=1: every side's actors, so every stance has its cell.
			path, when := "/?all=1", time.Time{}
			if asOf != "" {
				path, when = "/?all=1&as_of="+asOf, mustDate(t, asOf)
			}
			body := e.wantStatus(t, path, http.StatusOK)
			want := m.cells(when)
			checked, via := 0, 0
			for _, a := range f.Actors {
				for _, d := range f.Demands {
					cells := byTestID(body, "cell-"+a.Slug+"-"+d.Slug)
					if len(cells) == 0 {
						continue // the actor or the demand has no row or column
					}
					checked++
					stance, visible := cellStance(cells[0])
					c, ok := want[[2]string{a.Slug, d.Slug}]
					if !ok {
						if stance != "" || visible != "no position" {
							t.Errorf("%s × %s = %q (%q), want no position", a.Slug, d.Slug, stance, visible)
						}
						continue
					}
					if stance != c.stance || !strings.Contains(visible, c.date.String()) {
						t.Errorf("%s × %s = %q (%q), want %s on %s", a.Slug, d.Slug, stance, visible, c.stance, c.date)
					}
					marked := strings.Contains(visible, "via ")
					switch {
					case c.via == "" && marked:
						t.Errorf("%s × %s reads %q, want the actor's own stance, not via a converse", a.Slug, d.Slug, visible)
					case c.via != "":
						via++
						if !strings.Contains(visible, "via "+m.demandTitle[c.via]) {
							t.Errorf("%s × %s reads %q, want it marked via %q", a.Slug, d.Slug, visible, m.demandTitle[c.via])
						}
					}
				}
			}
			for k := range want {
				if len(byTestID(body, "cell-"+k[0]+"-"+k[1])) == 0 {
					t.Errorf("no cell for %s × %s, which holds a stance", k[0], k[1])
				}
			}
			if checked == 0 || via == 0 {
				t.Fatalf("checked %d cells, %d via a converse: the seed should give both", checked, via)
			}
		})
	}
}

func TestDashboardAsOfShowsPositionsAsTheyStood(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	today := e.wantStatus(t, "/", http.StatusOK)

	// Zelensky offered the Kursk swap on 11 February 2025.
	zk := [2]string{"volodymyr-zelensky", "kursk-territorial-swap"}
	if _, ok := m.current(mustDate(t, "2025-02-10"))[zk]; ok {
		t.Fatal("seed: Zelensky has a position on the Kursk swap before 2025-02-11")
	}
	now, ok := m.current(time.Time{})[zk]
	if !ok {
		t.Fatal("seed: Zelensky has no position on the Kursk swap")
	}
	if got, _ := cellStance(one(t, today, "cell-volodymyr-zelensky-kursk-territorial-swap")); got != now.stance {
		t.Errorf("today: Zelensky × Kursk swap = %q, want %q", got, now.stance)
	}
	before := e.wantStatus(t, "/?as_of=2025-02-10", http.StatusOK)
	if got := text(one(t, before, "as-of")); !strings.Contains(got, "10 February 2025") {
		t.Errorf("as-of label = %q, want it to name 10 February 2025", got)
	}
	if cells := byTestID(before, "cell-volodymyr-zelensky-kursk-territorial-swap"); len(cells) > 0 {
		if stance, visible := cellStance(cells[0]); stance != "" || visible != "no position" {
			t.Errorf("as of 2025-02-10: Zelensky × Kursk swap = %q (%q), want no position", stance, visible)
		}
	}

	// Every cell that shifted between 14 June 2024 and today shows the old
	// stance as of then and the new one today.
	then := mustDate(t, "2024-06-14")
	old := m.current(then)
	past := e.wantStatus(t, "/?as_of=2024-06-14", http.StatusOK)
	shifted := 0
	for k, c := range m.current(time.Time{}) {
		o, ok := old[k]
		if !ok || o.stance == c.stance {
			continue
		}
		shifted++
		id := "cell-" + k[0] + "-" + k[1]
		if got, _ := cellStance(one(t, past, id)); got != o.stance {
			t.Errorf("as of 2024-06-14: %s = %q, want %q", id, got, o.stance)
		}
		if got, _ := cellStance(one(t, today, id)); got != c.stance {
			t.Errorf("today: %s = %q, want %q", id, got, c.stance)
		}
	}
	if shifted == 0 {
		t.Fatal("seed: no position shifted after 2024-06-14; the test checks nothing")
	}
	// Nothing said after the as_of date shows up.
	for _, d := range statementDates(past) {
		if d > "2024-06-14" {
			t.Errorf("as of 2024-06-14 the latest statements include one dated %s", d)
		}
	}
}

func TestDashboardGapsWidestFirst(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	body := e.wantStatus(t, "/", http.StatusOK)
	gaps, addressed := m.gapsAndAddressed()
	widest := 0
	for _, g := range gaps {
		widest = max(widest, g)
	}
	table := one(t, body, "gaps")
	rows := regexp.MustCompile(`<tr data-testid="gap-([a-z0-9-]+)"`).FindAllStringSubmatch(table, -1)
	if len(rows) == 0 {
		t.Fatal("the gaps table has no rows")
	}
	first := rows[0][1]
	if gaps[first] != widest {
		t.Errorf("first gap row = %s (gap %d in the data), want a demand with the widest gap %d", first, gaps[first], widest)
	}
	prev := 5
	unmeasurable := false
	for _, r := range rows {
		row := one(t, table, "gap-"+r[1])
		cells := regexp.MustCompile(`<td class="num">(\d+)</td>`).FindStringSubmatch(row)
		if _, ok := gaps[r[1]]; !ok {
			// (v2) Fewer than two parties: said in words, never drawn as 0,
			// and listed after every measurable gap.
			if cells != nil || !strings.Contains(text(row), "not measurable") {
				t.Errorf("gap row %s, which fewer than two parties address, shows %q; want \"not measurable\"", r[1], text(row))
			}
			unmeasurable = true
			continue
		}
		if cells == nil {
			t.Fatalf("gap row %s shows no number: %s", r[1], text(row))
		}
		if unmeasurable {
			t.Errorf("measurable gap row %s listed after an unmeasurable one", r[1])
		}
		n, _ := strconv.Atoi(cells[1])
		if want, ok := gaps[r[1]]; !ok || n != want {
			t.Errorf("gap on %s = %d, want %d (listed: %v)", r[1], n, want, ok)
		}
		if n > prev {
			t.Errorf("gap on %s (%d) listed after a smaller gap (%d)", r[1], n, prev)
		}
		prev = n
	}
	if len(rows) != len(addressed) {
		t.Errorf("gaps table lists %d demands, want %d (those a party or stakeholder addresses)", len(rows), len(addressed))
	}
}

func TestDashboardRecentShiftsComeFromTheData(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	body := e.wantStatus(t, "/", http.StatusOK)
	shifts := m.shifts()
	list := one(t, body, "shifts")
	items := regexp.MustCompile(`(?s)<li>.*?</li>`).FindAllString(list, -1)
	if len(items) == 0 {
		t.Fatal("no recent shifts listed, but the data has some")
	}
	stanceRe := regexp.MustCompile(`class="stance stance-([a-z]+)"`)
	for _, li := range items {
		var actor, demand string
		for _, h := range hrefs(li) {
			if s, ok := strings.CutPrefix(h, "/actors/"); ok {
				actor = s
			}
			if s, ok := strings.CutPrefix(h, "/demands/"); ok {
				demand = s
			}
		}
		st := stanceRe.FindAllStringSubmatch(li, -1)
		if len(st) != 2 || !strings.Contains(text(li), st[0][1]+" → ") {
			t.Errorf("shift %q does not read from → to", text(li))
			continue
		}
		key := strings.Join([]string{actor, demand, st[0][1], st[1][1]}, " ")
		if !shifts[key] {
			t.Errorf("shift %q (%s) is not in the data", text(li), key)
		}
	}
}

func TestDashboardRejectsWhatItCannotUnderstand(t *testing.T) {
	e := newEnv(t, true)
	for _, tc := range []struct{ name, path, names string }{
		{"bad as_of", "/?as_of=yesterday", "as_of"},
		{"impossible as_of", "/?as_of=2024-02-30", "as_of"},
		{"unknown parameter", "/?colour=red", "colour"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := e.wantStatus(t, tc.path, http.StatusBadRequest)
			if msg := errorMessage(body); !strings.Contains(msg, tc.names) {
				t.Errorf("message = %q, want it to name %s", msg, tc.names)
			}
		})
	}
}

// TestDashboardMatrixShowsPartiesThenEverySide ensures the matrix holds
// the parties' actors by default and says how many others the switch
// (all=1) adds; with it, the stakeholders' and observers' rows follow the
// parties'. Demand columns carry a short title and the full one.
func TestDashboardMatrixShowsPartiesThenEverySide(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	rowRe := regexp.MustCompile(`<th scope="row"><a href="/actors/([a-z0-9-]+)"`)
	rows := func(body string) (roles []parley.SideRole) {
		for _, r := range rowRe.FindAllStringSubmatch(body, -1) {
			roles = append(roles, m.sideRole[m.actorSide[r[1]]])
		}
		return roles
	}

	body := e.wantStatus(t, "/", http.StatusOK)
	got := rows(body)
	if len(got) == 0 {
		t.Fatal("the dashboard's matrix has no rows")
	}
	for i, role := range got {
		if role != parley.Party {
			t.Errorf("row %d is a %s's actor; by default the matrix holds the parties' only", i, role)
		}
	}
	sw := text(one(t, body, "matrix-switch"))
	if !strings.Contains(sw, "Show stakeholders and observers too") || !strings.Contains(sw, "more actors") {
		t.Errorf("matrix switch reads %q, want the link to every side and how many more actors", sw)
	}
	if h := hrefs(one(t, body, "show-all")); len(h) != 1 || h[0] != "/?all=1" {
		t.Errorf("switch links to %q, want /?all=1", h)
	}
	if !strings.Contains(body, `<span class="full-title">Withdrawal of Ukrainian troops from Donetsk, Luhansk, Zaporizhzhia and Kherson</span>`) {
		t.Error("the withdrawal column does not carry its full title beside the short one")
	}

	all := e.wantStatus(t, "/?all=1&as_of=2025-03-31", http.StatusOK)
	got = rows(all)
	seen := map[parley.SideRole]bool{}
	for i, role := range got {
		seen[role] = true
		if i > 0 && role == parley.Party && got[i-1] != parley.Party {
			t.Errorf("row %d is a party's actor after another side's: parties come first", i)
		}
	}
	if !seen[parley.Party] || !seen[parley.Stakeholder] {
		t.Errorf("with all=1 the matrix rows come from %v, want parties and stakeholders", seen)
	}
	if h := hrefs(one(t, all, "matrix-switch")); len(h) != 1 || h[0] != "/?as_of=2025-03-31" {
		t.Errorf("with all=1 the switch links to %q, want the parties only as of the same day", h)
	}
	if msg := errorMessage(e.wantStatus(t, "/?all=yes", http.StatusBadRequest)); !strings.Contains(msg, "all is 1") {
		t.Errorf("/?all=yes says %q, want what all takes", msg)
	}
	e.wantStatus(t, "/dashboard.json?all=1", http.StatusBadRequest) // the JSON keeps to as_of
}
