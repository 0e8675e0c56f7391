package handlers

import (
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"parley/internal/store"
	"parley/static"
)

// routes is the table of contents: every route and middleware chain.
func routes(log *slog.Logger, st *store.Store, cfg Config) http.Handler {
	e := errorRenderer{log: log}
	r := chi.NewRouter()
	r.Use(middleware.RequestID, logRequests(log), recoverPanics(e), securityHeaders,
		rejectMalformedText(e), limitBody(cfg.MaxBodyBytes), deadline(cfg.RequestTimeout))

	r.Get("/healthz", handleHealthz())
	r.Get("/readyz", handleReadyz(st))
	r.Handle("/static/*", http.StripPrefix("/static/", http.FileServerFS(static.FS)))

	r.Get("/", e.handle(handleHome(st)))
	r.Get("/statements", e.handle(handleStatementsIndex(st)))
	r.Get("/statements.csv", e.handle(handleStatementsCSV(log, st)))
	r.Get("/statements/{id}", e.handle(handleStatementShow(st)))
	r.Get("/actors", e.handle(handleActorsIndex(st)))
	r.Get("/actors/{slug}", e.handle(handleActorShow(st)))
	r.Get("/demands", e.handle(handleDemandsIndex(st)))
	r.Get("/demands/{slug}", e.handle(handleDemandShow(st)))
	r.Get("/regions", e.handle(handleRegionsIndex(st)))
	r.Get("/regions/{slug}", e.handle(handleRegionShow(st)))
	r.Get("/regions/{slug}/timeline.csv", e.handle(handleRegionCSV(log, st)))

	r.NotFound(e.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &HTTPError{Status: http.StatusNotFound, Message: "There is nothing at this address. Check the link, or start from the dashboard."}
	}))
	r.MethodNotAllowed(e.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &HTTPError{Status: http.StatusMethodNotAllowed, Message: "This address does not accept that kind of request."}
	}))

	// Cross-origin POSTs are refused (Sec-Fetch-Site / Origin checks).
	return http.NewCrossOriginProtection().Handler(r)
}
