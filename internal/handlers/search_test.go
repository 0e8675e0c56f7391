package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

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
		// (v2) "four regions" no longer narrows: the statements that had
		// the two words apart were merged into the one that has the phrase.
		// "russian forces" does: four statements have both words, two the phrase.
		const phrase = "russian forces"
		if both, exact := len(m.keys(has("russian", "forces"))), len(m.keys(has(phrase))); exact == 0 || exact >= both {
			t.Fatalf("seed: %d statements have the words, %d the phrase %q; the test needs fewer, but some, with the phrase", both, exact, phrase)
		}
		words := total(t, e.wantStatus(t, "/statements?q="+url.QueryEscape(phrase), http.StatusOK))
		body := e.wantStatus(t, "/statements?q="+url.QueryEscape(`"`+phrase+`"`), http.StatusOK)
		found := statementIDs(t, body)
		want := idsOf(t, ids, m.keys(has(phrase)))
		if diff := cmp.Diff(want, sorted(found)); diff != "" {
			t.Errorf(`q="%s" (-want +got):`+"\n%s", phrase, diff)
		}
		if len(found) >= words {
			t.Errorf(`q="%s" finds %d, q=%s %d: the phrase should be narrower`, phrase, len(found), phrase, words)
		}
		for _, s := range byTestID(body, "statement") {
			if !strings.Contains(strings.ToLower(text(s)), phrase) {
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
