package handlers

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"parley"
	"parley/views"
)

type sidesStore interface {
	ListSides(ctx context.Context) ([]parley.Side, error)
	GetSide(ctx context.Context, slug string) (parley.Side, error)
	ListActors(ctx context.Context) ([]parley.Actor, error)
}

// handleSidesIndex lists the sides by role.
func handleSidesIndex(st sidesStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sides, err := st.ListSides(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, views.SidesPage(page(r, "Sides"), views.SidesData{Sides: sides}))
	}
}

// handleSideShow shows a side, its role and its actors.
func handleSideShow(st sidesStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		side, err := st.GetSide(r.Context(), chi.URLParam(r, "slug"))
		if err != nil {
			return err
		}
		actors, err := st.ListActors(r.Context())
		if err != nil {
			return err
		}
		d := views.SideData{Side: side}
		for _, a := range actors {
			if a.Side == side.Slug {
				d.Actors = append(d.Actors, a)
			}
		}
		return render(w, r, views.SidePage(page(r, side.Name), d))
	}
}
