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

// handleRegionShow is a region's timeline with filters, chart and exports.
func handleRegionShow(st regionStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		region, err := st.GetRegion(ctx, chi.URLParam(r, "slug"))
		if err != nil {
			return err
		}
		cat, err := loadCatalog(ctx, st, r.URL.Query())
		if err != nil {
			return err
		}
		v := cat.vocab()
		actors, demands, regions := cat.actors, cat.demands, cat.regions
		v.regions = []string{region.Slug} // the region is the page, not a filter
		f, pg, err := parseFilter(r.URL.RawQuery, v)
		if err != nil {
			return err
		}
		if f.Query != "" {
			return badRequest("q: the region timeline has no text search; use the statements search with region=" + region.Slug + ".")
		}
		f.Region = region.Slug
		if f.Sort == "" || f.Sort == "relevance" {
			f.Sort = "date"
		}
		res, err := st.RegionTimeline(ctx, f)
		if err != nil {
			return err
		}
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
			Rows:       rows,
			CSVURL:     path + "/timeline.csv" + encodeQuery(base),
			ExcelURL:   path + "/timeline.csv?" + withBOM(base).Encode(),
			JSONURL:    path + "/timeline.json" + encodeQuery(base),
			FeedURL:    "/changes.atom?region=" + region.Slug,
		}
		return render(w, r, views.RegionPage(page(r, region.Name), d))
	}
}
