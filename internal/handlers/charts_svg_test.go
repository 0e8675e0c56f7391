package handlers_test

import (
	"encoding/xml"
	"html"
	"net/http"
	"strings"
	"testing"
)

// svgDoc is what a standalone chart must hold to stand on its own.
type svgDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	Title   string   `xml:"title"`
	Desc    string   `xml:"desc"`
	ViewBox string   `xml:"viewBox,attr"`
}

// getSVG fetches a chart and parses it as XML, failing on anything but a
// well-formed SVG document with a title and a description.
func getSVG(t *testing.T, e *env, path string) (svgDoc, *http.Response) {
	t.Helper()
	res, body := e.get(t, path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200", path, res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
		t.Errorf("GET %s Content-Type = %q, want image/svg+xml", path, ct)
	}
	var doc svgDoc
	dec := xml.NewDecoder(strings.NewReader(body))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("GET %s is not a well-formed SVG document: %v\n%s", path, err, body)
	}
	if doc.Title == "" || doc.Desc == "" || doc.ViewBox == "" {
		t.Errorf("GET %s: title %q, desc %q, viewBox %q; want all three", path, doc.Title, doc.Desc, doc.ViewBox)
	}
	return doc, res
}

// TestChartSVGsStandAlone ensures a demand's gap and a region's chart are
// served as standalone SVG documents with a title and a text alternative
// that say what they show, honour the page's filters, and can be cached.
func TestChartSVGsStandAlone(t *testing.T) {
	e := newEnv(t, true)

	gap, res := getSVG(t, e, "/demands/withdrawal-four-regions/gap.svg")
	if !strings.Contains(gap.Title, "Withdrawal of Ukrainian troops") {
		t.Errorf("gap chart title = %q, want the demand's title", gap.Title)
	}
	for _, want := range []string{"Russia insists (+2)", "Ukraine rejects (−2)", "gap 4"} {
		if !strings.Contains(gap.Desc, want) {
			t.Errorf("gap chart desc = %q, want it to say %q", gap.Desc, want)
		}
	}
	etag := res.Header.Get("ETag")
	if etag == "" || !strings.Contains(res.Header.Get("Cache-Control"), "max-age=") {
		t.Errorf("gap chart ETag %q, Cache-Control %q; want both", etag, res.Header.Get("Cache-Control"))
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/demands/withdrawal-four-regions/gap.svg", nil)
	req.Header.Set("If-None-Match", etag)
	if res, _ := e.do(t, req); res.StatusCode != http.StatusNotModified {
		t.Errorf("GET with If-None-Match = its ETag: %d, want 304", res.StatusCode)
	}
	past, _ := getSVG(t, e, "/demands/kursk-territorial-swap/gap.svg?as_of=2025-02-10")
	if !strings.Contains(past.Title, "as of 10 February 2025") || strings.Contains(past.Desc, "Ukraine supports") {
		t.Errorf("the Kursk swap as of 10 February 2025: title %q, desc %q; want the day named and Ukraine not yet for it", past.Title, past.Desc)
	}

	all, _ := getSVG(t, e, "/regions/donetsk/chart.svg")
	rejects, _ := getSVG(t, e, "/regions/donetsk/chart.svg?stance=rejects")
	if !strings.Contains(all.Title, "Donetsk") || !strings.Contains(all.Desc, "insists") {
		t.Errorf("Donetsk chart: title %q, desc %q; want the region and its stances", all.Title, all.Desc)
	}
	if rejects.Desc == all.Desc {
		t.Errorf("Donetsk chart with stance=rejects: desc %q, the same as without the filter", rejects.Desc)
	}

	e.wantStatus(t, "/demands/no-such-demand/gap.svg", http.StatusNotFound)
	e.wantStatus(t, "/demands/withdrawal-four-regions/gap.svg?as_of=soon", http.StatusBadRequest)
	e.wantStatus(t, "/regions/donetsk/chart.svg?stance=maybe", http.StatusBadRequest)

	// The pages offer each chart to embed, with these filters, by its full address.
	region := e.wantStatus(t, "/regions/donetsk?stance=rejects", http.StatusOK)
	if caption := text(one(t, region, "region-chart")); !strings.Contains(caption, rejects.Desc) {
		t.Errorf("the page's chart with stance=rejects reads %q; the SVG's desc %q", caption, rejects.Desc)
	}
	code := html.UnescapeString(text(one(t, region, "embed-code")))
	if !strings.HasPrefix(code, `<img src="`+e.srv.URL+`/regions/donetsk/chart.svg?stance=rejects"`) || !strings.Contains(code, `alt="Statements on Donetsk`) {
		t.Errorf("region embed snippet = %q", code)
	}
	demand := e.wantStatus(t, "/demands/withdrawal-four-regions", http.StatusOK)
	code = html.UnescapeString(text(one(t, demand, "embed-code")))
	if !strings.HasPrefix(code, `<img src="`+e.srv.URL+`/demands/withdrawal-four-regions/gap.svg"`) {
		t.Errorf("demand embed snippet = %q", code)
	}
	// The page draws the very chart the SVG address serves.
	_, alone := e.get(t, "/demands/withdrawal-four-regions/gap.svg")
	plot := one(t, demand, "gap-plot")
	inline := plot[strings.Index(plot, "<svg"):]
	inline = inline[:strings.Index(inline, "</svg>")+len("</svg>")]
	if want := strings.TrimPrefix(alone, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"); inline != want {
		t.Errorf("the demand page's dot plot differs from gap.svg:\npage: %s\nsvg:  %s", inline, want)
	}
}
