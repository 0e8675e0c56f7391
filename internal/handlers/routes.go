package handlers

import (
	"log/slog"
	"net/http"
	"parley"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"parley/static"
)

// routes is the table of contents: every route and middleware chain.
func routes(log *slog.Logger, st Store, sessions scs.Store, cfg Config) http.Handler {
	e := errorRenderer{log: log, db: st}
	site := newSiteURL(cfg.BaseURL)
	sm := newSessions(sessions, cfg.CookieSecure)
	dc := newDeviceCookie(cfg.CookieSecure)
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { e.render(w, r, err) }
	e.sm = sm
	// The editing pages write through ws: under two-person review every
	// write there becomes a candidate.
	ws := st
	if cfg.Review {
		ws = reviewGate{st}
	}
	// Cross-origin POSTs are refused (Sec-Fetch-Site / Origin checks), with
	// the usual error page; the session cookie is SameSite=Lax as a second line.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.render(w, r, &HTTPError{Status: http.StatusForbidden, Message: "This form was sent from another site, so Parley refused it. Use Parley's own pages to make changes."})
	}))
	r := chi.NewRouter()
	r.Use(middleware.RequestID, logRequests(log), recoverPanics(e), securityHeaders(cfg.CookieSecure), cop.Handler, middleware.GetHead,
		rejectMalformedText(e), limitBody(e, func(path string) int64 {
			switch path {
			case "/import":
				return maxImportBytes * 3 / 2
			case "/intake", "/intake.json":
				return maxIntakeBytes
			}
			return cfg.MaxBodyBytes
		}), deadline(cfg.RequestTimeout))

	// Probes and assets need no session.
	r.Get("/healthz", handleHealthz())
	r.Get("/readyz", handleReadyz(st))
	r.Handle("/static/*", http.StripPrefix("/static/", http.FileServerFS(static.FS)))

	r.Group(func(r chi.Router) {
		r.Use(sm.LoadAndSave, loadUser(sm, st, e), requirePasswordChange)
		r.Get("/login", e.handle(handleLoginForm()))
		r.Post("/login", e.handle(handleLogin(log, sm, st, cfg.TrustedProxies, dc)))
		r.Post("/logout", e.handle(handleLogout(sm)))
		r.With(requireRole(e)).Get(accountPasswordPath, e.handle(handleAccountPasswordForm()))
		r.With(requireRole(e)).Post(accountPasswordPath, e.handle(handleAccountPassword(log, sm, st, cfg.TrustedProxies, dc)))

		// Reading: public, or for signed-in users with READ_ACCESS=signed-in.
		// With a replica, visitors who are not signed in read from it.
		r.Group(func(r chi.Router) {
			if cfg.RequireSignIn {
				r.Use(requireRole(e))
			}
			r.Use(markPending(st, e))
			exports := exportLimits{slots: make(exportSlots, cfg.MaxExports), grace: cfg.ExportGrace, minRate: cfg.ExportMinRate}
			primary := readRoutes(log, site, exports, st, e)
			var replica map[string]http.Handler
			if cfg.Replica != nil {
				// A failure on the replica is explained by pinging the replica.
				replica = readRoutes(log, site, exports, cfg.Replica, errorRenderer{log: log, db: cfg.Replica})
			}
			for path, h := range primary {
				if replica != nil {
					h = readFrom(h, replica[path])
				}
				r.Method(http.MethodGet, path, h)
			}
		})

		// The forms and the delete, restore and history of each kind of
		// record.
		forms, ks := recordForms(ws), kinds(ws)
		recordRoutes := func(r chi.Router, k parley.Kind) {
			base := k.Index() + "/{" + k.Param() + "}"
			if rf, ok := forms[k]; ok {
				r.Get(k.Index()+"/new", e.handle(handleRecordNew(rf)))
				r.Post(k.Index()+"/new", e.handle(handleRecordCreate(sm, rf)))
				r.Get(base+"/edit", e.handle(handleRecordEdit(rf)))
				r.Post(base+"/edit", e.handle(handleRecordUpdate(sm, rf)))
			}
			r.Post(base+"/delete", e.handle(handleDelete(sm, ks[k])))
			r.Post(base+"/restore", e.handle(handleRestore(sm, ks[k])))
			r.Get(base+"/history", e.handle(handleHistory(st, ks[k])))
		}

		// Writing: editors and admins.
		r.Group(func(r chi.Router) {
			r.Use(requireRole(e, parley.RoleEditor, parley.RoleAdmin))
			r.Get("/statements/new", e.handle(handleStatementNew(st)))
			r.Post("/statements/new", e.handle(handleStatementCreate(sm, ws)))
			r.Get("/statements/{id}/edit", e.handle(handleStatementEdit(st)))
			r.Post("/statements/{id}/edit", e.handle(handleStatementUpdate(sm, ws)))
			for _, k := range parley.Kinds {
				if k != parley.KindSide {
					recordRoutes(r, k)
				}
			}
			r.Post("/revisions/{id}/restore", e.handle(handleRevisionRestore(sm, ws)))
			r.Get("/changes", e.handle(handleChanges(st)))
			r.Get("/import", e.handle(handleImportForm()))
			r.Post("/import", e.handle(handleImport(sm, ws)))
			r.Get("/suggest/actors.json", e.handle(suggestActors(st)))
			r.Get("/suggest/sources.json", e.handle(suggestSources(st)))
			r.Get("/review", e.handle(handleReview(st)))
			r.Get("/review/{id}", e.handle(handleCandidate(st)))
			r.Get("/review/{id}/edit", e.handle(handleCandidateEdit(st)))
			r.Post("/review/{id}/edit", e.handle(handleCandidateRevise(sm, st)))
			r.Post("/review/{id}/approve", e.handle(handleApprove(sm, st)))
			r.Post("/review/{id}/reject", e.handle(handleReject(sm, st)))
			r.Get("/intake", e.handle(handleIntakeForm()))
			r.Post("/intake", e.handle(handleIntake(sm, ws)))
			r.Post("/intake.json", e.handle(handleIntakeJSON(st)))
		})

		// Accounts: admins.
		r.Group(func(r chi.Router) {
			r.Use(requireRole(e, parley.RoleAdmin))
			recordRoutes(r, parley.KindSide) // a side's role decides what counts in gaps
			r.Get("/admin/users", e.handle(handleUsers(st)))
			r.Post("/admin/users", e.handle(handleUserCreate(log, sm, st)))
			r.Post("/admin/users/{id}/role", e.handle(handleUserRole(log, sm, st)))
			r.Post("/admin/users/{id}/disable", e.handle(handleUserDisable(log, sm, st)))
			r.Get("/admin/releases", e.handle(handleAdminReleases(site, st)))
			r.Post("/admin/releases", e.handle(handleReleaseCreate(log, site, sm, st)))
		})

		r.NotFound(e.handle(func(w http.ResponseWriter, r *http.Request) error {
			return &HTTPError{Status: http.StatusNotFound, Message: "There is nothing at this address. Check the link, or start from the dashboard."}
		}))
		r.MethodNotAllowed(e.handle(func(w http.ResponseWriter, r *http.Request) error {
			return &HTTPError{Status: http.StatusMethodNotAllowed, Message: "This address does not accept that kind of request."}
		}))
	})

	return r
}

// readRoutes is the reading pages, served from st. routes builds them once
// over the primary and, with a replica, once more over it.
func readRoutes(log *slog.Logger, site siteURL, x exportLimits, st Store, e errorRenderer) map[string]http.Handler {
	return map[string]http.Handler{
		"/":                             e.handle(handleHome(st)),
		"/dashboard.json":               e.handle(handleDashboardJSON(st)),
		"/bargaining":                   e.handle(handleBargaining(st)),
		"/bargaining.json":              e.handle(handleBargainingJSON(st)),
		"/compare":                      e.handle(handleCompare(st)),
		"/compare.json":                 e.handle(handleCompareJSON(st)),
		"/statements":                   e.handle(handleStatementsIndex(st)),
		"/statements.csv":               x.slots.limit(e, e.handle(handleExport(log, site, x, st, false, writeCSV))),
		"/statements.json":              x.slots.limit(e, e.handle(handleExport(log, site, x, st, false, writeJSON))),
		"/changes.atom":                 e.handle(handleChangesFeed(site, st)),
		"/statements/{id}":              e.handle(handleStatementShow(st)),
		"/actors":                       e.handle(handleActorsIndex(st)),
		"/actors/{slug}":                e.handle(handleActorShow(st)),
		"/demands":                      e.handle(handleDemandsIndex(st)),
		"/demands/{slug}":               e.handle(handleDemandShow(site, st)),
		"/demands/{slug}/gap.svg":       e.handle(handleDemandGapSVG(st)),
		"/regions":                      e.handle(handleRegionsIndex(st)),
		"/regions/{slug}":               e.handle(handleRegionShow(site, st)),
		"/regions/{slug}/chart.svg":     e.handle(handleRegionChartSVG(st)),
		"/regions/{slug}/timeline.csv":  x.slots.limit(e, e.handle(handleExport(log, site, x, st, true, writeCSV))),
		"/regions/{slug}/timeline.json": x.slots.limit(e, e.handle(handleExport(log, site, x, st, true, writeJSON))),
		"/sides":                        e.handle(handleSidesIndex(st)),
		"/sides/{slug}":                 e.handle(handleSideShow(st)),
		"/sources":                      e.handle(handleSourcesIndex(st)),
		"/sources/{id}":                 e.handle(handleSourceShow(st)),
		"/releases":                     e.handle(handleReleasesIndex(site, st)),
		"/releases/{name}/{file}":       x.slots.limit(e, e.handle(handleReleaseFile(x, st))),
		"/releases/{file}":              x.slots.limit(e, e.handle(handleReleaseZip(x, st))), // {name}.zip: names have dots
	}
}

// readFrom serves visitors who are not signed in from replica, and
// signed-in users from primary, so editors see their own changes at once.
func readFrom(primary, replica http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := currentUser(r); ok {
			primary.ServeHTTP(w, r)
			return
		}
		replica.ServeHTTP(w, r)
	})
}
