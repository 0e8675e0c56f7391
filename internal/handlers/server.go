// Package handlers is Parley's HTTP layer: routes, middleware and one file
// per resource. Handlers return errors to one adapter (errors.go) and render
// views into a buffer (render.go).
package handlers

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5/middleware"
)

// Config is what the HTTP layer needs to know about its deployment.
type Config struct {
	// MaxBodyBytes bounds request bodies (forms); larger ones get 413.
	MaxBodyBytes int64
	// RequestTimeout bounds each request's work, database queries included.
	RequestTimeout time.Duration
	// CookieSecure marks the session cookie Secure (serve over HTTPS).
	CookieSecure bool
	// RequireSignIn makes every page need an account (READ_ACCESS=signed-in).
	RequireSignIn bool
	// BaseURL is the site's public address (https://parley.example.org) for
	// absolute links in exports and feeds; empty: taken from each request.
	BaseURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (TRUSTED_PROXIES); none by default, so the header is
	// ignored and the peer's address counts.
	TrustedProxies []netip.Prefix
	// Review turns on two-person review (REVIEW=two-person): every change
	// an editor saves waits as a candidate until another editor approves
	// it. Off (the zero value) saves publish at once.
	Review bool
	// Replica, when set, serves the reading pages to visitors who are not
	// signed in (DATABASE_READ_URL). Everything else uses the primary.
	Replica Store
	// MaxExports bounds the exports streaming at once (export_limits.go);
	// ExportMinRate (bytes/s) and ExportGrace are the pace each must keep.
	MaxExports    int
	ExportMinRate int64
	ExportGrace   time.Duration
}

// siteURL returns the public address of the site for r.
type siteURL func(r *http.Request) string

func newSiteURL(base string) siteURL {
	base = strings.TrimRight(base, "/")
	return func(r *http.Request) string {
		if base != "" {
			return base
		}
		scheme := "http://"
		if r.TLS != nil {
			scheme = "https://"
		}
		// Without BASE_URL, a Host header is believed only when it names
		// this machine (a forged one then points at the forger's own):
		// anything else could send feed readers and spreadsheets to
		// another site. Otherwise the address the request arrived on.
		if loopbackHost(r.Host) {
			return scheme + r.Host
		}
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			return scheme + a.String()
		}
		return scheme + "localhost"
	}
}

// loopbackHost reports whether host (host or host:port) is localhost or a
// loopback address, with at most a numeric port.
func loopbackHost(host string) bool {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		h, port = host, ""
	}
	if n, err := strconv.Atoi(port); port != "" && (err != nil || n < 1 || n > 65535) {
		return false
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Store is everything the handlers read and write, the union of the narrow
// interfaces each handler declares beside it (*store.Store implements it).
type Store interface {
	pinger
	homeStore
	catalog
	statementsStore
	statementStore
	statementEditStore
	actorsStore
	actorStore
	demandsStore
	demandStore
	regionsStore
	regionStore
	sourcesStore
	sidesStore
	bargainingStore
	compareStore
	exportStore
	feedStore
	importStore
	intakeStore
	historyStore
	revisionStore
	changesStore
	recordFormsStore
	deleteStore
	usersStore
	userStore
	accountStore
	reviewStore
	releasePublisher
}

// NewServer returns Parley's HTTP handler. Sessions live in sessions (the
// database, so instances share them).
func NewServer(log *slog.Logger, st Store, sessions scs.Store, cfg Config) http.Handler {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.MaxExports == 0 {
		cfg.MaxExports = defaultMaxExports
	}
	if cfg.ExportMinRate == 0 {
		cfg.ExportMinRate = defaultExportMinRate
	}
	if cfg.ExportGrace == 0 {
		cfg.ExportGrace = defaultExportGrace
	}
	return routes(log, st, sessions, cfg)
}

type ctxKey int

const userKey ctxKey = iota

// logRequests writes one structured line per request.
func logRequests(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			completed := false
			// Deferred, so a response aborted mid-stream is logged too.
			defer func() {
				status := ww.Status()
				if status == 0 {
					status = http.StatusOK
				}
				attrs := []slog.Attr{
					slog.String("request_id", middleware.GetReqID(r.Context())),
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.Int("status", status),
					slog.Int("bytes", ww.BytesWritten()),
					slog.Duration("duration", time.Since(start)),
				}
				level := slog.LevelInfo
				if !completed {
					level = slog.LevelWarn
					attrs = append(attrs, slog.Bool("aborted", true))
				}
				log.LogAttrs(r.Context(), level, "request", attrs...)
			}()
			next.ServeHTTP(ww, r)
			completed = true
		})
	}
}

// recoverPanics turns a panic into a logged 500 page.
func recoverPanics(e errorRenderer) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					e.log.ErrorContext(r.Context(), "panic", "request_id", middleware.GetReqID(r.Context()), "panic", v)
					e.render(w, r, errPanic)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

var errPanic = &HTTPError{Status: http.StatusInternalServerError, Message: "Parley could not complete this request. It has been logged; please try again."}

// streamWriteTimeout is how long an export waits for a client that stopped
// reading before it gives up (the database query is cancelled with it).
const streamWriteTimeout = time.Minute

// securityHeaders sets the headers every response carries; served over
// HTTPS (https), also HSTS, so browsers never use plain HTTP for the site
// again.
func securityHeaders(https bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
			h.Set("Permissions-Policy", permissionsPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			if https {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// permissionsPolicy turns off the browser features Parley never uses, so
// injected or framed content could not use them either.
const permissionsPolicy = "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), " +
	"magnetometer=(), microphone=(), midi=(), payment=(), usb=(), browsing-topics=()"

// rejectMalformedText answers 400 when the query string is over
// maxQueryLength, or the path or query holds text that is not UTF-8 or
// contains a NUL byte: the database could not store or
// compare it, and no real link contains it.
func rejectMalformedText(e errorRenderer) func(http.Handler) http.Handler {
	bad := func(s string) bool { return !utf8.ValidString(s) || strings.ContainsRune(s, 0) }
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Before any work (sessions, catalogue queries): no page needs
			// a longer address.
			if len(r.URL.RawQuery) > maxQueryLength {
				e.render(w, r, badRequest("The address is too long. Remove some filters and try again."))
				return
			}
			malformed := bad(r.URL.Path)
			if q, err := url.ParseQuery(r.URL.RawQuery); err != nil {
				malformed = true
			} else {
				for k, vs := range q {
					malformed = malformed || bad(k)
					for _, v := range vs {
						malformed = malformed || bad(v)
					}
				}
			}
			if malformed {
				e.render(w, r, badRequest("The address contains characters that are not valid text. Check the link and try again."))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// limitBody bounds request bodies; reading past the limit fails with
// *http.MaxBytesError, which the error renderer answers with 413.
func limitBody(e errorRenderer, limit func(path string) int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := limit(r.URL.Path)
			if r.ContentLength > n {
				e.render(w, r, &http.MaxBytesError{Limit: n})
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// deadline gives each request's context a time limit, so a slow query
// cannot hold a connection forever. The streaming exports have limits of
// their own instead (export_limits.go).
func deadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Publishing a release bounds its own time (handleReleaseCreate).
			if isExport(r.URL.Path) || r.Method == http.MethodPost && r.URL.Path == "/admin/releases" {
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
