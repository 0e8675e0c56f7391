package handlers

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// Exports stream for as long as their client reads, each holding a
// database connection and a snapshot meanwhile. Left unbounded, a handful
// of clients reading a few KB/s would take every connection and leave the
// pages (and /readyz) waiting. So exports run at most a few at once, below
// the pool's size, and each must keep a minimum pace.

const (
	// defaultMaxExports is how many exports may stream at once: fewer than
	// the smallest connection pool (4), so pages always have connections.
	defaultMaxExports = 2
	// defaultExportMinRate is the average pace (bytes per second) an
	// export's client must keep after exportGrace: 32 KB/s is a very slow
	// link; a million statements at that pace take under six hours.
	defaultExportMinRate = 32 << 10
	// defaultExportGrace is how long an export may take before its pace counts
	// (the query's first rows, a client's slow start).
	defaultExportGrace = 30 * time.Second
	// maxExportTime bounds an export however fast its client reads.
	maxExportTime = 30 * time.Minute
)

// errTooManyExports answers an export beyond the bound.
var errTooManyExports = &HTTPError{Status: http.StatusServiceUnavailable,
	Message: "Too many exports are running at once. Retry in a minute; the pages are not affected."}

// exportSlots bounds the exports streaming at once.
type exportSlots chan struct{}

// limit serves an export if a slot is free, and otherwise answers 503 at
// once (with Retry-After) rather than queueing: a queued export would hold
// its client as long as the slowest running one.
func (s exportSlots) limit(e errorRenderer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s <- struct{}{}:
			defer func() { <-s }()
		default:
			w.Header().Set("Retry-After", "60")
			e.render(w, r, errTooManyExports)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), maxExportTime)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// isExport reports whether path is one of the streaming exports, which
// have their own time limits instead of the page deadline.
func isExport(path string) bool {
	return path == "/statements.csv" || path == "/statements.json" ||
		strings.HasPrefix(path, "/regions/") && (strings.HasSuffix(path, "/timeline.csv") || strings.HasSuffix(path, "/timeline.json"))
}

// exportPace counts what an export writes and sets its write deadline:
// from its first byte, a client must keep minRate bytes per second on
// average (after the grace period) and never stall for longer than
// streamWriteTimeout, or the write fails and the export (and its query)
// ends.
type exportPace struct {
	w       io.Writer
	rc      *http.ResponseController
	start   time.Time
	grace   time.Duration
	minRate int64
	n       int64
}

func newExportPace(w http.ResponseWriter, grace time.Duration, minRate int64) *exportPace {
	p := &exportPace{w: w, rc: http.NewResponseController(w), grace: grace, minRate: minRate}
	_ = p.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	return p
}

func (p *exportPace) Write(b []byte) (int, error) {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	n, err := p.w.Write(b)
	p.n += int64(n)
	return n, err
}

// extend moves the deadline to what the bytes written so far earn.
func (p *exportPace) extend() {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	d := p.start.Add(p.grace + time.Duration(p.n/p.minRate)*time.Second)
	if limit := time.Now().Add(streamWriteTimeout); d.After(limit) {
		d = limit
	}
	_ = p.rc.SetWriteDeadline(d)
}

// Flush extends the deadline and sends what is buffered.
func (p *exportPace) Flush() error {
	p.extend()
	return p.rc.Flush()
}

// exportLimits is the bound and the pace the exports share.
type exportLimits struct {
	slots   exportSlots
	grace   time.Duration
	minRate int64
}
