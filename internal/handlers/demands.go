package handlers

import (
	"context"
	"net/http"
	"parley"
	"sort"
	"time"

	"github.com/go-chi/chi/v5"

	"parley/views"
)

type demandsStore interface {
	ListDemands(ctx context.Context) ([]parley.Demand, error)
	SideStances(ctx context.Context, asOf time.Time, demand string) ([]parley.SideStance, error)
}

// handleDemandsIndex lists demands by category with their gaps.
func handleDemandsIndex(st demandsStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		demands, err := st.ListDemands(r.Context())
		if err != nil {
			return err
		}
		stances, err := st.SideStances(r.Context(), time.Time{}, "")
		if err != nil {
			return err
		}
		gaps := parley.Gaps(stances)
		var d views.DemandsData
		for _, dm := range byCategory(demands) {
			if n := len(d.Categories); n == 0 || d.Categories[n-1].Category != dm.Category {
				d.Categories = append(d.Categories, views.DemandCategory{Category: dm.Category})
			}
			c := &d.Categories[len(d.Categories)-1]
			c.Demands = append(c.Demands, views.DemandSummary{Demand: dm, Gap: gaps[dm.Slug]})
		}
		return render(w, r, views.DemandsPage(page(r, "Demands"), d))
	}
}

type demandStore interface {
	GetDemand(ctx context.Context, slug string) (parley.Demand, error)
	ListSides(ctx context.Context) ([]parley.Side, error)
	ListStanceEvents(ctx context.Context, actor, demand string) ([]parley.StanceEvent, error)
	ListStatements(ctx context.Context, f parley.StatementFilter) ([]parley.Statement, error)
	DemandPositions(ctx context.Context, demand string) ([]parley.CurrentPosition, error)
	SideStances(ctx context.Context, asOf time.Time, demand string) ([]parley.SideStance, error)
	PartyStances(ctx context.Context, asOf time.Time) ([]parley.SideStance, error)
	ListRevisions(ctx context.Context, k parley.Kind, id int64) ([]parley.Revision, error)
}

// handleDemandShow shows who stands where on a demand and how the gap moved.
func handleDemandShow(site siteURL, st demandStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		dm, err := st.GetDemand(ctx, chi.URLParam(r, "slug"))
		if err != nil {
			return err
		}
		sides, err := st.ListSides(ctx)
		if err != nil {
			return err
		}
		roles := parley.SideRolesOf(sides)
		onDemand, err := st.DemandPositions(ctx, dm.Slug)
		if err != nil {
			return err
		}
		plot, gap, err := demandGapPlot(ctx, st, dm, time.Time{})
		if err != nil {
			return err
		}
		events, err := st.ListStanceEvents(ctx, "", dm.Slug)
		if err != nil {
			return err
		}
		converse := map[string]string{}
		if dm.Converse != "" {
			// Stances on the converse count here, mirrored: in the
			// positions (for actors silent on this demand) and in the gap.
			converse = map[string]string{dm.Slug: dm.Converse, dm.Converse: dm.Slug}
			onConverse, err := st.DemandPositions(ctx, dm.Converse)
			if err != nil {
				return err
			}
			onDemand = onlyOn(dm.Slug, parley.WithConverse(append(onDemand, onConverse...), converse))
			more, err := st.ListStanceEvents(ctx, "", dm.Converse)
			if err != nil {
				return err
			}
			events = append(events, more...)
			sort.SliceStable(events, func(i, j int) bool {
				if !events[i].Date.Time.Equal(events[j].Date.Time) {
					return events[i].Date.Time.Before(events[j].Date.Time)
				}
				return events[i].StatementID < events[j].StatementID
			})
		}
		statements, err := st.ListStatements(ctx, parley.StatementFilter{Demand: dm.Slug, Limit: 100})
		if err != nil {
			return err
		}
		revs, err := st.ListRevisions(ctx, parley.KindDemand, dm.ID)
		if err != nil {
			return err
		}
		d := views.DemandData{Demand: dm, Gap: gap, Statements: statements, Revisions: diffRevisions(revs),
			Titles: map[string]string{dm.Converse: dm.ConverseTitle}, GapPlot: plot, GapPlotTitle: gapTitle(dm, time.Time{}),
			GapSVGURL: parley.DemandPath(dm.Slug) + "/gap.svg", Site: site(r)}
		actors := make([]parley.Actor, 0, len(onDemand))
		byActor := map[string]parley.CurrentPosition{}
		for _, c := range onDemand {
			actors = append(actors, parley.Actor{Slug: c.ActorSlug, Name: c.ActorName, Side: c.ActorSide})
			byActor[c.ActorSlug] = c
		}
		sort.SliceStable(actors, func(i, j int) bool { return actors[i].Name < actors[j].Name })
		for _, a := range sideOrder(actors, roles) {
			if n := len(d.Sides); n == 0 || d.Sides[n-1].Side != a.Side {
				d.Sides = append(d.Sides, views.DemandSide{Side: a.Side, Role: roles[a.Side]})
			}
			d.Sides[len(d.Sides)-1].Positions = append(d.Sides[len(d.Sides)-1].Positions, byActor[a.Slug])
		}
		d.GapChart = views.NewGapChart(gapHistory(dm.Slug, events, roles, converse))
		return render(w, r, views.DemandPage(page(r, dm.Title), d))
	}
}

// gapHistory replays stance events (oldest first, on demand and on its
// converse) and records the gap on demand after each date.
func gapHistory(demand string, events []parley.StanceEvent, roles map[string]parley.SideRole, converse map[string]string) []views.GapPoint {
	sides := parley.SideStanceTracker{Roles: roles, Converse: converse}
	var out []views.GapPoint
	for i, e := range events {
		sides.Add(e)
		if i+1 < len(events) && events[i+1].Date.Time.Equal(e.Date.Time) {
			continue // one point per date
		}
		g := parley.Gaps(sides.Stances(demand))[demand]
		out = append(out, views.GapPoint{Date: e.Date, Gap: g.Value, Measurable: g.Measurable})
	}
	return out
}

// onlyOn keeps the positions on demand.
func onlyOn(demand string, ps []parley.CurrentPosition) []parley.CurrentPosition {
	var out []parley.CurrentPosition
	for _, p := range ps {
		if p.DemandSlug == demand {
			out = append(out, p)
		}
	}
	return out
}
