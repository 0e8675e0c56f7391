package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"parley"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/sync/errgroup"

	"parley/views"
)

// catalog is the read side every filtered page needs: what filters may name.
type catalog interface {
	ActorChoices(ctx context.Context, limit int) ([]parley.Actor, error)
	GetActor(ctx context.Context, slug string) (parley.Actor, error)
	Sides(ctx context.Context) ([]string, error)
	ListDemands(ctx context.Context) ([]parley.Demand, error)
	ListRegions(ctx context.Context) ([]parley.Region, error)
}

type statementsStore interface {
	catalog
	SearchStatements(ctx context.Context, f parley.StatementFilter) (parley.StatementPage, error)
}

// filterActors is how many actors a filter form offers, the most active:
// a list of thousands is neither usable nor cheap to send on every page.
// Any other actor is filtered by its slug (the link on its page).
const filterActors = 100

// catalogData is what a filter may name.
type catalogData struct {
	actors  []parley.Actor // the choices: the most active, and any q names
	sides   []string
	demands []parley.Demand
	regions []parley.Region
}

// vocab is the values the filter accepts.
func (c catalogData) vocab() vocab {
	v := newVocab(c.actors, c.demands, c.regions)
	v.sides = c.sides
	return v
}

// loadCatalog fetches what filters may name: the most active actors, plus
// those q's actor parameters name, so that any actor can be filtered by.
func loadCatalog(ctx context.Context, c catalog, q url.Values) (catalogData, error) {
	var d catalogData
	// Four independent reads: at once, each on its own connection.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { d.actors, err = c.ActorChoices(gctx, filterActors); return err })
	g.Go(func() (err error) { d.sides, err = c.Sides(gctx); return err })
	g.Go(func() (err error) { d.demands, err = c.ListDemands(gctx); return err })
	g.Go(func() (err error) { d.regions, err = c.ListRegions(gctx); return err })
	if err := g.Wait(); err != nil {
		return d, err
	}
	// Only the one actor the filter reads (parseFilter refuses several).
	if slug := q.Get("actor"); slug != "" && !slices.ContainsFunc(d.actors, func(a parley.Actor) bool { return a.Slug == slug }) {
		a, err := c.GetActor(ctx, slug)
		switch {
		case errors.Is(err, parley.ErrNotFound): // the filter's own check says which value is wrong
		case err != nil:
			return d, err
		default:
			d.actors = append(d.actors, a)
		}
	}
	return d, nil
}

// filterForm fills the filter form's choices and current values.
func filterForm(action string, f parley.StatementFilter, actors []parley.Actor, demands []parley.Demand, regions []parley.Region, v vocab) views.FilterForm {
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	}
	form := views.FilterForm{
		Action: action, Query: f.Query, Actor: f.Actor, Side: f.Side, Demand: f.Demand, Region: f.Region,
		Stance: string(f.Stance), Attribution: string(f.Attribution), From: date(f.From), To: date(f.To), AsOf: date(f.AsOf), Sort: f.Sort,
	}
	for _, a := range actors {
		form.Actors = append(form.Actors, views.Option{Value: a.Slug, Label: a.Name})
	}
	form.MoreActors = len(actors) >= filterActors
	for _, s := range v.sides {
		form.Sides = append(form.Sides, views.Option{Value: s, Label: views.SideLabel(s)})
	}
	for _, d := range demands {
		form.Demands = append(form.Demands, views.Option{Value: d.Slug, Label: d.Title})
	}
	for _, r := range regions {
		form.Regions = append(form.Regions, views.Option{Value: r.Slug, Label: r.Name})
	}
	return form
}

func pager(path string, base url.Values, page, total int) views.Pager {
	p := views.Pager{Page: page, Total: total, Base: base, Path: path}
	p.Pages = (total + pageSize - 1) / pageSize
	if total > 0 {
		p.From = (page-1)*pageSize + 1
		p.To = min(page*pageSize, total)
	}
	return p
}

// handleStatementsIndex is the search over all statements.
func handleStatementsIndex(st statementsStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		cat, err := loadCatalog(ctx, st, r.URL.Query())
		if err != nil {
			return err
		}
		v := cat.vocab()
		actors, demands, regions := cat.actors, cat.demands, cat.regions
		f, pg, err := parseFilter(r.URL.RawQuery, v)
		if err != nil {
			return err
		}
		res, err := st.SearchStatements(ctx, f)
		if err != nil {
			return err
		}
		if pg > 1 && len(res.Statements) == 0 {
			return &HTTPError{Status: http.StatusNotFound, Message: "There is no page " + strconv.Itoa(pg) + " of these results."}
		}
		base := f.Values(true)
		form := filterForm("/statements", f, actors, demands, regions, v)
		form.ShowQuery, form.ShowRegion = true, true
		d := views.StatementsData{
			Form:       form,
			Statements: res.Statements,
			Facets:     res.Facets,
			FacetBase:  base,
			Pager:      pager("/statements", base, pg, res.Total),
			ExportURL:  "/statements.csv" + encodeQuery(base),
			ExcelURL:   "/statements.csv?" + withBOM(base).Encode(),
			ExportRows: res.Rows,
			Estimated:  res.Estimated,
		}
		d.Pager.Estimated = res.Estimated
		if f.Sort == "relevance" && res.Estimated {
			// Relevance ranks the newest parley.SearchSample matches only.
			d.Pager = pager("/statements", base, pg, parley.SearchSample)
			d.RankedSample = true
		}
		title := "Statements"
		if f.Query != "" {
			title = "Search: " + f.Query
		}
		return render(w, r, views.StatementsPage(page(r, title), d))
	}
}

func withBOM(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set("bom", "1")
	return out
}

func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

type statementStore interface {
	GetStatement(ctx context.Context, id int64) (parley.Statement, error)
	ListRevisions(ctx context.Context, k parley.Kind, id int64) ([]parley.Revision, error)
}

// handleStatementShow shows one statement with its history.
func handleStatementShow(st statementStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
		if err != nil || id < 1 {
			return parley.ErrNotFound
		}
		s, err := st.GetStatement(r.Context(), id)
		if err != nil {
			return err
		}
		revs, err := st.ListRevisions(r.Context(), "statement", id)
		if err != nil {
			return err
		}
		title := s.ActorName + ", " + s.Date.String()
		return render(w, r, views.StatementPage(page(r, title), views.StatementData{Statement: s, Revisions: diffRevisions(revs)}))
	}
}
