package handlers

import (
	"context"
	"net/http"
	"parley"
	"strconv"

	"github.com/go-chi/chi/v5"

	"parley/views"
)

type regionsStore interface {
	ListRegions(ctx context.Context) ([]parley.Region, error)
}

// handleRegionsIndex lists regions.
func handleRegionsIndex(st regionsStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		regions, err := st.ListRegions(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, views.RegionsPage(page(r, "Regions"), views.RegionsData{Regions: regions}))
	}
}

type regionStore interface {
	catalog
	GetRegion(ctx context.Context, slug string) (parley.Region, error)
	RegionTimeline(ctx context.Context, f parley.StatementFilter) (parley.RegionPage, error)
	ListRevisions(ctx context.Context, k parley.Kind, id int64) ([]parley.Revision, error)
}

// regionTimeline is a region's timeline as its page's filters select it.
type regionTimeline struct {
	region parley.Region
	cat    catalogData
	v      vocab
	f      parley.StatementFilter
	page   int
	res    parley.RegionPage
}

// loadRegionTimeline reads the region of r's path with the filters of its
// query, for the page and its chart alike.
func loadRegionTimeline(r *http.Request, st regionStore) (regionTimeline, error) {
	ctx := r.Context()
	var t regionTimeline
	region, err := st.GetRegion(ctx, chi.URLParam(r, "slug"))
	if err != nil {
		return t, err
	}
	cat, err := loadCatalog(ctx, st, r.URL.Query())
	if err != nil {
		return t, err
	}
	v := cat.vocab()
	v.regions = []string{region.Slug} // the region is the page, not a filter
	f, pg, err := parseFilter(r.URL.RawQuery, v)
	if err != nil {
		return t, err
	}
	if f.Query != "" {
		return t, badRequest("q: the region timeline has no text search; use the statements search with region=" + region.Slug + ".")
	}
	f.Region = region.Slug
	if f.Sort == "" || f.Sort == "relevance" {
		f.Sort = "date"
	}
	res, err := st.RegionTimeline(ctx, f)
	if err != nil {
		return t, err
	}
	return regionTimeline{region: region, cat: cat, v: v, f: f, page: pg, res: res}, nil
}

// regionChartTitle names a region's chart.
func regionChartTitle(r parley.Region) string {
	return "Statements on " + r.Name + " per year, by stance"
}

// handleRegionShow is a region's timeline with filters, chart and exports.
func handleRegionShow(site siteURL, st regionStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		t, err := loadRegionTimeline(r, st)
		if err != nil {
			return err
		}
		region, f, pg, res, v := t.region, t.f, t.page, t.res, t.v
		actors, demands, regions := t.cat.actors, t.cat.demands, t.cat.regions
		if pg > 1 && len(res.Statements) == 0 {
			return &HTTPError{Status: http.StatusNotFound, Message: "There is no page " + strconv.Itoa(pg) + " of this timeline."}
		}
		counts := res.Counts
		rows := 0
		for _, c := range counts {
			rows += c.Count
		}
		base := f.Values(false)
		path := parley.RegionPath(region.Slug)
		revs, err := st.ListRevisions(ctx, "region", region.ID)
		if err != nil {
			return err
		}
		d := views.RegionData{
			Revisions:  diffRevisions(revs),
			Region:     region,
			Form:       filterForm(path, f, actors, demands, regions, v),
			Statements: res.Statements,
			Pager:      pager(path, base, pg, res.Total),
			Chart:      views.NewStanceBarChart(counts),
			ChartTitle: regionChartTitle(region),
			ChartURL:   path + "/chart.svg" + encodeQuery(base),
			Site:       site(r),
			Rows:       rows,
			CSVURL:     path + "/timeline.csv" + encodeQuery(base),
			ExcelURL:   path + "/timeline.csv?" + withBOM(base).Encode(),
			JSONURL:    path + "/timeline.json" + encodeQuery(base),
			FeedURL:    "/changes.atom?region=" + region.Slug,
		}
		return render(w, r, views.RegionPage(page(r, region.Name), d))
	}
}
