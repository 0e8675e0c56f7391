package handlers

import (
	"context"
	"net/http"
	"parley"
	"time"

	"github.com/go-chi/chi/v5"

	"parley/views"
)

type actorsStore interface {
	ListActors(ctx context.Context) ([]parley.Actor, error)
	ListSides(ctx context.Context) ([]parley.Side, error)
}

// handleActorsIndex lists actors by side.
func handleActorsIndex(st actorsStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		actors, err := st.ListActors(r.Context())
		if err != nil {
			return err
		}
		sides, err := st.ListSides(r.Context())
		if err != nil {
			return err
		}
		roles := parley.SideRolesOf(sides)
		var d views.ActorsData
		for _, a := range sideOrder(actors, roles) {
			if n := len(d.Sides); n == 0 || d.Sides[n-1].Side != a.Side {
				d.Sides = append(d.Sides, views.ActorSide{Side: a.Side, Role: roles[a.Side]})
			}
			d.Sides[len(d.Sides)-1].Actors = append(d.Sides[len(d.Sides)-1].Actors, a)
		}
		return render(w, r, views.ActorsPage(page(r, "Actors"), d))
	}
}

type actorStore interface {
	GetActor(ctx context.Context, slug string) (parley.Actor, error)
	ListDemands(ctx context.Context) ([]parley.Demand, error)
	ListStanceEvents(ctx context.Context, actor, demand string) ([]parley.StanceEvent, error)
	ListStatements(ctx context.Context, f parley.StatementFilter) ([]parley.Statement, error)
	ListRevisions(ctx context.Context, k parley.Kind, id int64) ([]parley.Revision, error)
}

// handleActorShow shows an actor's positions, their history and statements.
func handleActorShow(st actorStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		a, err := st.GetActor(ctx, chi.URLParam(r, "slug"))
		if err != nil {
			return err
		}
		demands, err := st.ListDemands(ctx)
		if err != nil {
			return err
		}
		events, err := st.ListStanceEvents(ctx, a.Slug, "")
		if err != nil {
			return err
		}
		statements, err := st.ListStatements(ctx, parley.StatementFilter{Actor: a.Slug, Limit: 100})
		if err != nil {
			return err
		}
		revs, err := st.ListRevisions(ctx, "actor", a.ID)
		if err != nil {
			return err
		}
		d := views.ActorData{Actor: a, Statements: statements, Revisions: diffRevisions(revs)}
		byDemand := map[string][]parley.StanceEvent{}
		var from, to time.Time
		for _, e := range events {
			byDemand[e.DemandSlug] = append(byDemand[e.DemandSlug], e)
			if from.IsZero() || e.Date.Time.Before(from) {
				from = e.Date.Time
			}
			if e.Date.Time.After(to) {
				to = e.Date.Time
			}
		}
		for _, dm := range demands {
			evs := byDemand[dm.Slug]
			if len(evs) == 0 {
				continue
			}
			last := evs[len(evs)-1]
			d.Positions = append(d.Positions, views.ActorPosition{
				Demand: views.DemandRef{Slug: dm.Slug, Title: dm.Title, Category: dm.Category},
				Current: parley.CurrentPosition{ActorSlug: a.Slug, DemandSlug: dm.Slug, Stance: last.Stance,
					Date: last.Date, StatementID: last.StatementID},
				Chart: views.NewStanceChart(evs, from, to),
			})
		}
		return render(w, r, views.ActorPage(page(r, a.Name), d))
	}
}
