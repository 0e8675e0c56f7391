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
	// defaultExportMinRate is the pace (bytes per second) an export's
	// client must keep, counting the time it keeps the export waiting: 32
	// KB/s is a very slow link.
	defaultExportMinRate = 32 << 10
	// defaultExportGrace is how long a client may keep an export waiting
	// beyond what its pace earns (a slow start, a pause).
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
	return path == "/statements.csv" || path == "/statements.json" || strings.HasPrefix(path, "/releases/") ||
		strings.HasPrefix(path, "/regions/") && (strings.HasSuffix(path, "/timeline.csv") || strings.HasSuffix(path, "/timeline.json"))
}

// exportPace counts what an export writes, and how long its writes wait
// for the client, and sets the write deadline from both: the client may
// keep the export waiting for the grace period plus one second per minRate
// bytes it has taken, and never for longer than streamWriteTimeout at a
// stretch; past that the write fails and the export (and its query) ends.
// Time the database takes to produce rows is not the client's and does
// not count.
type exportPace struct {
	w       io.Writer
	rc      *http.ResponseController
	grace   time.Duration
	minRate int64
	n       int64
	waited  time.Duration
	started bool
}

func newExportPace(w http.ResponseWriter, grace time.Duration, minRate int64) *exportPace {
	return &exportPace{w: w, rc: http.NewResponseController(w), grace: grace, minRate: minRate}
}

func (p *exportPace) Write(b []byte) (int, error) {
	if !p.started { // however long the query took to answer
		p.started = true
		p.extend()
	}
	start := time.Now()
	n, err := p.w.Write(b)
	p.waited += time.Since(start)
	p.n += int64(n)
	return n, err
}

// extend moves the deadline to what the bytes written so far earn.
func (p *exportPace) extend() {
	allowed := min(p.grace+time.Duration(p.n/p.minRate)*time.Second-p.waited, streamWriteTimeout)
	_ = p.rc.SetWriteDeadline(time.Now().Add(max(allowed, 0)))
}

// Flush extends the deadline and sends what is buffered.
func (p *exportPace) Flush() error {
	p.extend()
	start := time.Now()
	err := p.rc.Flush()
	p.waited += time.Since(start)
	return err
}

// exportLimits is the bound and the pace the exports share.
type exportLimits struct {
	slots   exportSlots
	grace   time.Duration
	minRate int64
}
