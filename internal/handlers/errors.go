package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"parley"
	"sort"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5/middleware"

	"parley/views"
)

// HTTPError is an error with the status and message the user should see.
type HTTPError struct {
	Status  int
	Message string
}

func (e *HTTPError) Error() string { return e.Message }

// badRequest is a 400 whose message names the wrong value.
func badRequest(msg string) error { return &HTTPError{Status: http.StatusBadRequest, Message: msg} }

// parseForm parses a posted form; a malformed body is the sender's error
// (400), an oversized one a 413.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("The form could not be read (it is not properly encoded). Reload the page and try again.")
	}
	return nil
}

// handlerFunc is a handler that returns its failure instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// errorRenderer turns every handler error into the right status and a safe
// page; internal details go to the log only, with the request id.
type errorRenderer struct {
	log *slog.Logger
	db  pinger // when set, an unexplained failure while the database is down is a 503
	// sm, when set, lets a write that became a review candidate answer
	// with a redirect to it (reviewGate).
	sm *scs.SessionManager
}

// handle adapts h to http.Handler.
func (e errorRenderer) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			e.render(w, r, err)
		}
	}
}

func (e errorRenderer) render(w http.ResponseWriter, r *http.Request, err error) {
	var proposed *parley.Proposed
	if errors.As(err, &proposed) && e.sm != nil {
		proposedRedirect(e.sm, w, r, proposed)
		return
	}
	status, title, msg := classify(err)
	if status == http.StatusInternalServerError && e.db != nil {
		// A failure of a kind not recognised above, while the database does
		// not answer, is the outage showing through: say so.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Second)
		if e.db.Ping(ctx) != nil {
			status, title, msg = classify(context.DeadlineExceeded)
		}
		cancel()
	}
	if status >= 500 {
		e.log.ErrorContext(r.Context(), "request failed",
			"request_id", middleware.GetReqID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "5")
	}
	if strings.HasSuffix(r.URL.Path, ".json") {
		// A program asked: it gets the message as data, not a page.
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(struct {
			Status int    `json:"status"`
			Error  string `json:"error"`
		}{status, msg})
		return
	}
	p := page(r, title)
	// The request's own deadline may be what failed: render regardless.
	r = r.WithContext(context.WithoutCancel(r.Context()))
	_ = renderStatus(w, r, status, views.ErrorPage(p, status, msg))
}

func classify(err error) (status int, title, msg string) {
	var he *HTTPError
	var mbe *http.MaxBytesError
	var ve *parley.ValidationError
	switch {
	case errors.As(err, &he):
		return he.Status, http.StatusText(he.Status), he.Message
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "Request too large",
			"What you sent is larger than Parley accepts. Send less at once."
	case errors.As(err, &ve):
		msgs := make([]string, 0, len(ve.Fields))
		for _, m := range ve.Fields {
			msgs = append(msgs, m)
		}
		sort.Strings(msgs)
		return http.StatusBadRequest, "Cannot do that", strings.Join(msgs, " ")
	case errors.Is(err, parley.ErrNotFound):
		return http.StatusNotFound, "Not found", "There is nothing at this address. It may have been deleted, or the link is wrong."
	case errors.Is(err, parley.ErrConflict):
		return http.StatusConflict, "Conflict", "This change clashes with what is stored: someone else may have changed the record meanwhile. Reload and try again."
	case unavailable(err):
		return http.StatusServiceUnavailable, "Temporarily unavailable",
			"Parley cannot reach its database right now. Nothing you saved is lost; please try again in a few seconds."
	}
	return http.StatusInternalServerError, "Something went wrong",
		"Parley could not complete this request. It has been logged; please try again."
}

// unavailable reports whether err means the database cannot be reached:
// the store says so, or the request ran out of time or lost its network
// connection before any layer could.
func unavailable(err error) bool {
	var netErr net.Error
	return errors.Is(err, parley.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr)
}
