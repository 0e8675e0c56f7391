package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
