package handlers

import (
	"context"
	"net/http"

	"parley/internal/store"
	"parley/views"
)

type homeStore interface {
	ListStatements(ctx context.Context, f store.StatementFilter) ([]store.Statement, error)
}

// handleHome renders the dashboard.
func handleHome(st homeStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		latest, err := st.ListStatements(r.Context(), store.StatementFilter{Limit: 10})
		if err != nil {
			return err
		}
		return render(w, r, views.HomePage(views.Page{UserEmail: userEmail(r)}, views.HomeData{Latest: latest}))
	}
}
