package handlers_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"parley"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"parley/internal/seed"
)

// The analyst pages, seen as a user sees them: status codes, the text inside
// elements found by data-testid, and the statements listed. Expectations are
// computed from seed.json, so the tests follow the dataset.

// ---- HTML helpers (string based: the pages are templ output we control) ----

var (
	tagNameRe  = regexp.MustCompile(`^<([a-zA-Z][a-zA-Z0-9-]*)`)
	tagRe      = regexp.MustCompile(`<[^>]*>`)
	spaceRe    = regexp.MustCompile(`\s+`)
	hrefRe     = regexp.MustCompile(`href="([^"]*)"`)
	stmtLinkRe = regexp.MustCompile(`href="/statements/(\d+)"`)
	datetimeRe = regexp.MustCompile(`<time datetime="([^"]*)"`)
)

var voidElements = []string{"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

// byTestID returns the outer HTML of every element carrying
// data-testid="id", in document order.
func byTestID(body, id string) []string {
	var out []string
	needle := `data-testid="` + id + `"`
	for from := 0; ; {
		i := strings.Index(body[from:], needle)
		if i < 0 {
			return out
		}
		i += from
		from = i + len(needle)
		start := strings.LastIndex(body[:i], "<")
		if start < 0 {
			continue
		}
		out = append(out, outerElement(body, start))
	}
}

// outerElement returns the element whose opening tag starts at body[start],
// through its matching closing tag.
func outerElement(body string, start int) string {
	m := tagNameRe.FindStringSubmatch(body[start:])
	if m == nil {
		return ""
	}
	name := strings.ToLower(m[1])
	openEnd := strings.Index(body[start:], ">")
	if openEnd < 0 {
		return body[start:]
	}
	if slices.Contains(voidElements, name) || body[start+openEnd-1] == '/' {
		return body[start : start+openEnd+1]
	}
	depth := 0
	for j := start; j < len(body); {
		k := strings.IndexByte(body[j:], '<')
		if k < 0 {
			break
		}
		j += k
		rest := body[j:]
		switch {
		case strings.HasPrefix(rest, "</"+name+">"):
			depth--
			if depth == 0 {
				return body[start : j+len("</"+name+">")]
			}
		case strings.HasPrefix(rest, "<"+name) && len(rest) > len(name)+1 && strings.ContainsRune(" \t\n/>", rune(rest[len(name)+1])):
			depth++
		}
		j++
	}
	return body[start:]
}

// one returns the only element with data-testid id, failing the test when
// there is none.
func one(t *testing.T, body, id string) string {
	t.Helper()
	els := byTestID(body, id)
	if len(els) == 0 {
		t.Fatalf("no element with data-testid=%q on the page", id)
	}
	return els[0]
}

// text is what a reader sees of an HTML fragment: tags dropped, entities
// decoded, whitespace collapsed.
func text(fragment string) string {
	return strings.TrimSpace(spaceRe.ReplaceAllString(html.UnescapeString(tagRe.ReplaceAllString(fragment, " ")), " "))
}

// openingAttr returns attribute name of the fragment's opening tag.
func openingAttr(fragment, name string) string {
	end := strings.Index(fragment, ">")
	if end < 0 {
		return ""
	}
	m := regexp.MustCompile(`\s` + regexp.QuoteMeta(name) + `="([^"]*)"`).FindStringSubmatch(fragment[:end])
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// hrefs lists the link targets in a fragment, entities decoded.
func hrefs(fragment string) []string {
	var out []string
	for _, m := range hrefRe.FindAllStringSubmatch(fragment, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// statementIDs lists the ids of the statements (data-testid="statement")
// on a page, in order.
func statementIDs(t *testing.T, body string) []int64 {
	t.Helper()
	var ids []int64
	for _, s := range byTestID(body, "statement") {
		m := stmtLinkRe.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("statement without a link to itself: %.200s", s)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// statementDates lists the datetime of each listed statement, in order.
func statementDates(body string) []string {
	var out []string
	for _, s := range byTestID(body, "statement") {
		if m := datetimeRe.FindStringSubmatch(s); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// walk follows the next-page links from path and returns every statement
// id and date listed, in order, and the number of pages seen.
func (e *env) walk(t *testing.T, path string) (ids []int64, dates []string, pages int) {
	t.Helper()
	for path != "" {
		pages++
		if pages > 50 {
			t.Fatalf("more than 50 pages from %s: the next-page links loop", path)
		}
		res, body := e.get(t, path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, res.StatusCode)
		}
		ids = append(ids, statementIDs(t, body)...)
		dates = append(dates, statementDates(body)...)
		path = ""
		if next := byTestID(body, "next-page"); len(next) > 0 {
			path = openingAttr(next[0], "href")
			if path == "" {
				t.Fatalf("next-page link without href: %s", next[0])
			}
		}
	}
	return ids, dates, pages
}

// total reads the number of statements the page says it found.
func total(t *testing.T, body string) int {
	t.Helper()
	s := text(one(t, body, "total"))
	n, err := strconv.Atoi(strings.Fields(s)[0])
	if err != nil {
		t.Fatalf("total %q does not start with a number", s)
	}
	return n
}

// wantStatus fails unless GET path answers status; it returns the body.
func (e *env) wantStatus(t *testing.T, path string, status int) string {
	t.Helper()
	res, body := e.get(t, path)
	if res.StatusCode != status {
		t.Fatalf("GET %s = %d, want %d; message: %q", path, res.StatusCode, status, errorMessage(body))
	}
	return body
}

func errorMessage(body string) string {
	if els := byTestID(body, "error-message"); len(els) > 0 {
		return text(els[0])
	}
	return ""
}

// seedIDs maps seed keys to the ids the seeded statements got.
func (e *env) seedIDs(t *testing.T) map[string]int64 {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT seed_key, id FROM statements WHERE seed_key IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			t.Fatal(err)
		}
		out[k] = id
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ---- The seed dataset as the tests understand DESIGN.md ----

type model struct {
	stmts         []mstmt
	actorSide     map[string]string
	actorName     map[string]string
	actorAliases  map[string][]string
	demandRegions map[string][]string
}

type mstmt struct {
	seed.Statement
	idx  int // order in seed.json, which is insertion (id) order
	date parley.Date
	side string
	text string // lower-cased quote, summary, occasion, actor name and aliases
}

func loadModel(t *testing.T) *model {
	t.Helper()
	f, err := seed.Raw()
	if err != nil {
		t.Fatal(err)
	}
	m := &model{actorSide: map[string]string{}, actorName: map[string]string{}, actorAliases: map[string][]string{}, demandRegions: map[string][]string{}}
	for _, a := range f.Actors {
		m.actorSide[a.Slug], m.actorName[a.Slug], m.actorAliases[a.Slug] = a.Side, a.Name, a.Aliases
	}
	for _, d := range f.Demands {
		m.demandRegions[d.Slug] = d.Regions
	}
	for i, s := range f.Statements {
		d, err := parley.ParseDate(s.Date)
		if err != nil {
			t.Fatal(err)
		}
		txt := strings.ToLower(strings.Join(append([]string{s.Quote, s.Summary, s.Occasion, m.actorName[s.Actor]}, m.actorAliases[s.Actor]...), " "))
		m.stmts = append(m.stmts, mstmt{Statement: s, idx: i, date: d, side: m.actorSide[s.Actor], text: txt})
	}
	return m
}

func (m *model) keys(pred func(mstmt) bool) []string {
	var out []string
	for _, s := range m.stmts {
		if pred(s) {
			out = append(out, s.Key)
		}
	}
	return out
}

func (s mstmt) takes(demand, stance string) bool {
	for _, p := range s.Positions {
		if (demand == "" || p.Demand == demand) && (stance == "" || string(p.Stance) == stance) {
			return true
		}
	}
	return false
}

// inRegion is the region timeline of DESIGN.md: the statement mentions the
// region or takes a position on a demand concerning it.
func (m *model) inRegion(s mstmt, region string) bool {
	if slices.Contains(s.Regions, region) {
		return true
	}
	for _, p := range s.Positions {
		if slices.Contains(m.demandRegions[p.Demand], region) {
			return true
		}
	}
	return false
}

type mpos struct {
	actor, side, demand, stance string
	anonymous                   bool
	date                        parley.Date
	idx                         int
}

func (p mpos) after(q mpos) bool {
	if !p.date.Time.Equal(q.date.Time) {
		return p.date.Time.After(q.date.Time)
	}
	return p.idx > q.idx
}

// current is each actor's stance on each demand: that of its latest dated
// statement on or before asOf (zero: all).
func (m *model) current(asOf time.Time) map[[2]string]mpos {
	out := map[[2]string]mpos{}
	for _, s := range m.stmts {
		if !asOf.IsZero() && s.date.Time.After(asOf) {
			continue
		}
		for _, p := range s.Positions {
			k := [2]string{s.Actor, p.Demand}
			c := mpos{actor: s.Actor, side: s.side, demand: p.Demand, stance: string(p.Stance), date: s.date, idx: s.idx,
				anonymous: s.Attribution == "anonymous"}
			if old, ok := out[k]; !ok || c.after(old) {
				out[k] = c
			}
		}
	}
	return out
}

// gaps is, per demand addressed by two sides or more, the distance between
// the sides' current positions (a side's position: its newest actor's who
// spoke openly; anonymous sources only when nobody of the side did).
func (m *model) gaps() map[string]int {
	bySide := map[[2]string]mpos{}
	for _, c := range m.current(time.Time{}) {
		k := [2]string{c.demand, c.side}
		old, ok := bySide[k]
		if !ok || (old.anonymous && !c.anonymous) || (old.anonymous == c.anonymous && c.after(old)) {
			bySide[k] = c
		}
	}
	scores := map[string][]int{}
	for k, c := range bySide {
		scores[k[0]] = append(scores[k[0]], parley.Stance(c.stance).Score())
	}
	out := map[string]int{}
	for d, sc := range scores {
		if len(sc) > 1 {
			out[d] = slices.Max(sc) - slices.Min(sc)
		}
	}
	return out
}

// shifts are "actor demand from to" for every statement whose stance differs
// from the same actor's previous stance on the same demand.
func (m *model) shifts() map[string]bool {
	hist := map[[2]string][]mpos{}
	for _, s := range m.stmts {
		for _, p := range s.Positions {
			k := [2]string{s.Actor, p.Demand}
			hist[k] = append(hist[k], mpos{actor: s.Actor, demand: p.Demand, stance: string(p.Stance), date: s.date, idx: s.idx})
		}
	}
	out := map[string]bool{}
	for _, h := range hist {
		sort.Slice(h, func(i, j int) bool { return h[j].after(h[i]) })
		for i := 1; i < len(h); i++ {
			if h[i].stance != h[i-1].stance {
				out[strings.Join([]string{h[i].actor, h[i].demand, h[i-1].stance, h[i].stance}, " ")] = true
			}
		}
	}
	return out
}

func idsOf(t *testing.T, ids map[string]int64, keys []string) []int64 {
	t.Helper()
	var out []int64
	for _, k := range keys {
		id, ok := ids[k]
		if !ok {
			t.Fatalf("seed statement %q is not in the database", k)
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

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
	gaps := m.gaps()
	widest := 0
	for _, g := range gaps {
		widest = max(widest, g)
	}
	table := one(t, body, "gaps")
	rows := regexp.MustCompile(`data-testid="gap-([a-z0-9-]+)"`).FindAllStringSubmatch(table, -1)
	if len(rows) == 0 {
		t.Fatal("the gaps table has no rows")
	}
	first := rows[0][1]
	if gaps[first] != widest {
		t.Errorf("first gap row = %s (gap %d in the data), want a demand with the widest gap %d", first, gaps[first], widest)
	}
	prev := 5
	for _, r := range rows {
		row := one(t, table, "gap-"+r[1])
		cells := regexp.MustCompile(`<td class="num">(\d+)</td>`).FindStringSubmatch(row)
		if cells == nil {
			t.Fatalf("gap row %s shows no number: %s", r[1], text(row))
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
	if len(rows) != len(gaps) {
		t.Errorf("gaps table lists %d demands, want %d (those two sides or more address)", len(rows), len(gaps))
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

// ---- Statements search ----

func TestStatementsTotalAndPagination(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	body := e.wantStatus(t, "/statements", http.StatusOK)
	if got := total(t, body); got != len(m.stmts) {
		t.Errorf("total = %d, want %d", got, len(m.stmts))
	}
	if n := len(statementIDs(t, body)); n != 25 {
		t.Errorf("first page lists %d statements, want 25", n)
	}
	ids, dates, pages := e.walk(t, "/statements")
	if want := (len(m.stmts) + 24) / 25; pages != want {
		t.Errorf("pages = %d, want %d", pages, want)
	}
	all := e.seedIDs(t)
	want := idsOf(t, all, m.keys(func(mstmt) bool { return true }))
	if diff := cmp.Diff(want, sorted(ids)); diff != "" {
		t.Errorf("statements over all pages (-want +got):\n%s", diff)
	}
	if !slices.IsSortedFunc(dates, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("statements are not newest first: %v", dates)
	}
	// Oldest first walks the same set the other way.
	ids, dates, _ = e.walk(t, "/statements?sort=oldest")
	if diff := cmp.Diff(want, sorted(ids)); diff != "" {
		t.Errorf("sort=oldest over all pages (-want +got):\n%s", diff)
	}
	if !slices.IsSorted(dates) {
		t.Errorf("sort=oldest is not oldest first: %v", dates)
	}
	// A page past the end is not there.
	e.wantStatus(t, "/statements?page=4", http.StatusNotFound)
	e.wantStatus(t, "/statements?page=99&actor=dmitry-peskov", http.StatusNotFound)
}

func TestStatementsSearch(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	ids := e.seedIDs(t)
	has := func(words ...string) func(mstmt) bool {
		return func(s mstmt) bool {
			for _, w := range words {
				if !strings.Contains(s.text, w) {
					return false
				}
			}
			return true
		}
	}

	t.Run("alias finds the actor", func(t *testing.T) {
		body := e.wantStatus(t, "/statements?q=Peskow", http.StatusOK)
		want := idsOf(t, ids, m.keys(func(s mstmt) bool { return s.Actor == "dmitry-peskov" }))
		if diff := cmp.Diff(want, sorted(statementIDs(t, body))); diff != "" {
			t.Errorf("q=Peskow (-want +got):\n%s", diff)
		}
		for _, s := range byTestID(body, "statement") {
			if !slices.Contains(hrefs(s), "/actors/dmitry-peskov") {
				t.Errorf("q=Peskow lists a statement not by Peskov: %.120s", text(s))
			}
		}
	})

	t.Run("matched word is marked", func(t *testing.T) {
		body := e.wantStatus(t, "/statements?q=Peskov", http.StatusOK)
		marks := regexp.MustCompile(`<mark>([^<]*)</mark>`).FindAllStringSubmatch(body, -1)
		if len(marks) == 0 {
			t.Fatal("q=Peskov: no <mark> on the page")
		}
		for _, mk := range marks {
			if !strings.EqualFold(mk[1], "peskov") {
				t.Errorf("q=Peskov marks %q", mk[1])
			}
		}
		if got, want := total(t, body), len(m.keys(has("peskov"))); got != want {
			t.Errorf("q=Peskov total = %d, want %d", got, want)
		}
	})

	t.Run("phrase", func(t *testing.T) {
		words := total(t, e.wantStatus(t, "/statements?q="+url.QueryEscape(`four regions`), http.StatusOK))
		body := e.wantStatus(t, "/statements?q="+url.QueryEscape(`"four regions"`), http.StatusOK)
		phrase := statementIDs(t, body)
		want := idsOf(t, ids, m.keys(has("four regions")))
		if diff := cmp.Diff(want, sorted(phrase)); diff != "" {
			t.Errorf(`q="four regions" (-want +got):`+"\n%s", diff)
		}
		if len(phrase) >= words {
			t.Errorf(`q="four regions" finds %d, q=four regions %d: the phrase should be narrower`, len(phrase), words)
		}
		for _, s := range byTestID(body, "statement") {
			if !strings.Contains(strings.ToLower(text(s)), "four regions") {
				t.Errorf("phrase result without the phrase: %.160s", text(s))
			}
		}
	})

	t.Run("exclusion", func(t *testing.T) {
		all := statementIDs(t, e.wantStatus(t, "/statements?q=ceasefire", http.StatusOK))
		if diff := cmp.Diff(idsOf(t, ids, m.keys(has("ceasefire"))), sorted(all)); diff != "" {
			t.Errorf("q=ceasefire (-want +got):\n%s", diff)
		}
		got := statementIDs(t, e.wantStatus(t, "/statements?q="+url.QueryEscape("ceasefire -putin"), http.StatusOK))
		want := idsOf(t, ids, m.keys(func(s mstmt) bool { return has("ceasefire")(s) && !has("putin")(s) }))
		if diff := cmp.Diff(want, sorted(got)); diff != "" {
			t.Errorf("q=ceasefire -putin (-want +got):\n%s", diff)
		}
		if len(got) == 0 || len(got) >= len(all) {
			t.Errorf("exclusion leaves %d of %d: it should remove some but not all", len(got), len(all))
		}
	})
}

func TestStatementsFilters(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	ids := e.seedIDs(t)
	day := func(s string) time.Time { return mustDate(t, s) }
	for _, tc := range []struct {
		name  string
		query string
		want  func(mstmt) bool
	}{
		{"actor", "actor=vladimir-putin", func(s mstmt) bool { return s.Actor == "vladimir-putin" }},
		{"side", "side=ukraine", func(s mstmt) bool { return s.side == "ukraine" }},
		{"demand", "demand=withdrawal-four-regions", func(s mstmt) bool { return s.takes("withdrawal-four-regions", "") }},
		{"region", "region=kursk", func(s mstmt) bool { return m.inRegion(s, "kursk") }},
		{"stance", "stance=rejects", func(s mstmt) bool { return s.takes("", "rejects") }},
		{"stance on demand", "demand=recognition-annexed-regions&stance=rejects", func(s mstmt) bool { return s.takes("recognition-annexed-regions", "rejects") }},
		{"from and to", "from=2024-06-01&to=2024-06-30", func(s mstmt) bool {
			return !s.date.Time.Before(day("2024-06-01")) && !s.date.Time.After(day("2024-06-30"))
		}},
		{"from", "from=2025-02-12", func(s mstmt) bool { return !s.date.Time.Before(day("2025-02-12")) }},
		{"to", "to=2022-12-31", func(s mstmt) bool { return !s.date.Time.After(day("2022-12-31")) }},
		{"attribution", "attribution=anonymous", func(s mstmt) bool { return s.Attribution == "anonymous" }},
		{"combined", "side=russia&stance=open&from=2024-11-01", func(s mstmt) bool {
			return s.side == "russia" && s.takes("", "open") && !s.date.Time.Before(day("2024-11-01"))
		}},
		{"search and filter", "q=ceasefire&side=russia", func(s mstmt) bool {
			return s.side == "russia" && strings.Contains(s.text, "ceasefire")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := m.keys(tc.want)
			if len(keys) == 0 || len(keys) == len(m.stmts) {
				t.Fatalf("seed: %s selects %d of %d statements; it does not test narrowing", tc.query, len(keys), len(m.stmts))
			}
			body := e.wantStatus(t, "/statements?"+tc.query, http.StatusOK)
			if got := total(t, body); got != len(keys) {
				t.Errorf("total = %d, want %d", got, len(keys))
			}
			got, _, _ := e.walk(t, "/statements?"+tc.query)
			if diff := cmp.Diff(idsOf(t, ids, keys), sorted(got)); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStatementsFacetsCountSides(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	want := map[string]int{}
	for _, s := range m.stmts {
		want[s.side]++
	}
	check := func(t *testing.T, path string, want map[string]int) {
		t.Helper()
		facets := one(t, e.wantStatus(t, path, http.StatusOK), "facets")
		got := map[string]int{}
		for _, li := range regexp.MustCompile(`(?s)<li>.*?</li>`).FindAllString(facets, -1) {
			h := hrefs(li)
			if len(h) != 1 {
				continue
			}
			u, err := url.Parse(h[0])
			if err != nil {
				t.Fatalf("facet link %q: %v", h[0], err)
			}
			side := u.Query().Get("side")
			c := regexp.MustCompile(`<span class="count">(\d+)</span>`).FindStringSubmatch(li)
			if side == "" || c == nil {
				continue
			}
			if _, dup := got[side]; dup && !strings.Contains(path, "side=") {
				t.Errorf("side %s listed twice", side)
			}
			n, _ := strconv.Atoi(c[1])
			got[side] = n
		}
		if !strings.Contains(path, "side=") {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: side facets (-want +got):\n%s", path, diff)
			}
		}
	}
	check(t, "/statements", want)
	// Facets count the current result, not everything.
	peskov := map[string]int{"russia": len(m.keys(func(s mstmt) bool { return s.Actor == "dmitry-peskov" }))}
	check(t, "/statements?actor=dmitry-peskov", peskov)
}

func TestStatementsRejectsWhatItCannotUnderstand(t *testing.T) {
	e := newEnv(t, true)
	for _, tc := range []struct{ name, query, names string }{
		{"impossible date", "from=2024-13-40", "from"},
		{"to not a date", "to=soon", "to"},
		{"unknown sort", "sort=sideways", "sort"},
		{"unknown stance", "stance=maybe", "stance"},
		{"unknown actor", "actor=nobody", "actor"},
		{"unknown side", "side=mars", "side"},
		{"unknown demand", "demand=world-peace", "demand"},
		{"unknown region", "region=atlantis", "region"},
		{"unknown attribution", "attribution=rumour", "attribution"},
		{"page zero", "page=0", "page"},
		{"page not a number", "page=two", "page"},
		{"from after to", "from=2025-01-01&to=2024-01-01", "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := e.wantStatus(t, "/statements?"+tc.query, http.StatusBadRequest)
			if msg := errorMessage(body); !strings.Contains(msg, tc.names) {
				t.Errorf("message = %q, want it to name %s", msg, tc.names)
			}
		})
	}
}

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

// ---- Regions ----

func TestRegionsListNine(t *testing.T) {
	e := newEnv(t, true)
	body := e.wantStatus(t, "/regions", http.StatusOK)
	links := regexp.MustCompile(`href="/regions/([a-z-]+)"`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, l := range links {
		got = append(got, l[1])
	}
	slices.Sort(got)
	want := []string{"crimea", "donetsk", "kharkiv", "kherson", "kursk", "luhansk", "mykolaiv", "sevastopol", "zaporizhzhia"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("regions listed (-want +got):\n%s", diff)
	}
}

func TestRegionTimeline(t *testing.T) {
	e := newEnv(t, true)
	m := loadModel(t)
	ids := e.seedIDs(t)
	donetsk := func(s mstmt) bool { return m.inRegion(s, "donetsk") }

	body := e.wantStatus(t, "/regions/donetsk", http.StatusOK)
	if got := text(one(t, body, "region-name")); !strings.HasPrefix(got, "Donetsk") {
		t.Errorf("region name = %q", got)
	}
	keys := m.keys(donetsk)
	if got := total(t, body); got != len(keys) {
		t.Errorf("total = %d, want %d", got, len(keys))
	}
	got, dates, _ := e.walk(t, "/regions/donetsk")
	if diff := cmp.Diff(idsOf(t, ids, keys), sorted(got)); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	// Statements that only take a position on a demand concerning Donetsk
	// belong to the timeline too.
	indirect := m.keys(func(s mstmt) bool { return donetsk(s) && !slices.Contains(s.Regions, "donetsk") })
	if len(indirect) == 0 {
		t.Fatal("seed: every Donetsk statement names the region; the test does not check demand regions")
	}
	if len(dates) != len(keys) || !slices.IsSortedFunc(dates, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("timeline dates are not newest first: %v", dates)
	}
	chart := one(t, body, "region-chart")
	if !strings.Contains(chart, "<svg") || openingAttr(regexp.MustCompile(`<svg[^>]*>`).FindString(chart), "aria-label") == "" {
		t.Errorf("region chart has no labelled inline SVG")
	}
	csv, excel := openingAttr(one(t, body, "csv-link"), "href"), openingAttr(one(t, body, "excel-link"), "href")
	if csv != "/regions/donetsk/timeline.csv" {
		t.Errorf("csv link = %q", csv)
	}
	if u, err := url.Parse(excel); err != nil || u.Path != "/regions/donetsk/timeline.csv" || u.Query().Get("bom") != "1" {
		t.Errorf("excel link = %q, want the timeline CSV with bom=1", excel)
	}

	t.Run("filters", func(t *testing.T) {
		path := "/regions/donetsk?stance=rejects&from=2022-01-01"
		keys := m.keys(func(s mstmt) bool {
			return donetsk(s) && s.takes("", "rejects") && !s.date.Time.Before(mustDate(t, "2022-01-01"))
		})
		body := e.wantStatus(t, path, http.StatusOK)
		if got := total(t, body); got != len(keys) {
			t.Errorf("total = %d, want %d", got, len(keys))
		}
		got, _, _ := e.walk(t, path)
		if diff := cmp.Diff(idsOf(t, ids, keys), sorted(got)); diff != "" {
			t.Errorf("filtered timeline (-want +got):\n%s", diff)
		}
		for name, link := range map[string]string{"csv-link": "", "excel-link": "1"} {
			href := openingAttr(one(t, body, name), "href")
			u, err := url.Parse(href)
			if err != nil {
				t.Fatalf("%s %q: %v", name, href, err)
			}
			q := u.Query()
			if u.Path != "/regions/donetsk/timeline.csv" || q.Get("stance") != "rejects" || q.Get("from") != "2022-01-01" || q.Get("bom") != link {
				t.Errorf("%s = %q, want the timeline CSV with stance=rejects, from=2022-01-01 and bom=%q", name, href, link)
			}
		}
	})

	t.Run("no text search", func(t *testing.T) {
		body := e.wantStatus(t, "/regions/donetsk?q=x", http.StatusBadRequest)
		if msg := errorMessage(body); !strings.Contains(msg, "q") {
			t.Errorf("message = %q, want it to name q", msg)
		}
	})
	t.Run("bad filter", func(t *testing.T) {
		body := e.wantStatus(t, "/regions/donetsk?stance=maybe", http.StatusBadRequest)
		if msg := errorMessage(body); !strings.Contains(msg, "stance") {
			t.Errorf("message = %q, want it to name stance", msg)
		}
	})
	t.Run("unknown region", func(t *testing.T) {
		e.wantStatus(t, "/regions/atlantis", http.StatusNotFound)
	})
}

// ---- Empty database ----

func TestEmptyDatabaseShowsHonestEmptyStates(t *testing.T) {
	e := newEnv(t, false)
	body := e.wantStatus(t, "/", http.StatusOK)
	if len(byTestID(body, "empty")) == 0 {
		t.Error("dashboard: no empty state")
	}
	if len(byTestID(body, "matrix")) != 0 {
		t.Error("dashboard: an empty matrix is drawn")
	}
	body = e.wantStatus(t, "/statements", http.StatusOK)
	if got := total(t, body); got != 0 {
		t.Errorf("total = %d, want 0", got)
	}
	if n := len(byTestID(body, "statement")); n != 0 {
		t.Errorf("%d statements listed, want 0", n)
	}
	if len(byTestID(body, "empty")) == 0 {
		t.Error("/statements: no empty message")
	}
	for _, path := range []string{"/actors", "/demands", "/regions"} {
		e.wantStatus(t, path, http.StatusOK)
	}
}

// ---- Hostile input ----

// DESIGN.md: no user input ever produces a 500. Text that PostgreSQL cannot
// store (a NUL byte, bytes that are not UTF-8) is still user input: it must
// be refused as a bad request or found to name nothing.
func TestMalformedTextIsNeverA500(t *testing.T) {
	e := newEnv(t, true)
	for _, tc := range []struct {
		name, path string
		want       []int
	}{
		{"NUL in search", "/statements?q=ok%00", []int{http.StatusOK, http.StatusBadRequest}},
		{"invalid UTF-8 in search", "/statements?q=%ff%fe", []int{http.StatusOK, http.StatusBadRequest}},
		{"truncated UTF-8 in search", "/statements?q=%e2%82", []int{http.StatusOK, http.StatusBadRequest}},
		{"NUL in actor slug", "/actors/%00", []int{http.StatusNotFound, http.StatusBadRequest}},
		{"NUL in demand slug", "/demands/%00", []int{http.StatusNotFound, http.StatusBadRequest}},
		{"NUL in region slug", "/regions/%00", []int{http.StatusNotFound, http.StatusBadRequest}},
		{"invalid UTF-8 in actor slug", "/actors/%ff", []int{http.StatusNotFound, http.StatusBadRequest}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := e.get(t, tc.path)
			if !slices.Contains(tc.want, res.StatusCode) {
				t.Errorf("GET %s = %d (%q), want one of %v", tc.path, res.StatusCode, errorMessage(body), tc.want)
			}
		})
	}
}
