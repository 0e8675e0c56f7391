package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"

	"parley/internal/handlers"
	"parley/internal/seed"
	"parley/internal/store"
	"parley/internal/testdb"
)

// smallBuffers gives each accepted connection a small send buffer, so an
// export to a client that does not read blocks after a few kilobytes, as
// it would over a slow link.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// slowReader is a client that reads the status and headers of an export
// and then (almost) nothing: its receive buffer is small and never drained.
func slowReader() *http.Client {
	d := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// exportServer serves a database with the seed and enough generated
// statements that an export is far larger than the connections' buffers.
func exportServer(t *testing.T, cfg handlers.Config) (*httptest.Server, int) {
	t.Helper()
	pool := testdb.New(t)
	st := store.New(pool)
	ctx := context.Background()
	data, err := seed.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.LoadSeed(ctx, data); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Generate(ctx, 300, 7); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(handlers.NewServer(slog.New(slog.DiscardHandler), st, pgxstore.NewWithCleanupInterval(pool, 0), cfg))
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, int(pool.Config().MaxConns)
}

// startExport requests path with a client that then stops reading, and
// returns the response (body left open until the test ends).
func startExport(t *testing.T, client *http.Client, url string) (*http.Response, bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	got := make(chan *http.Response, 1)
	go func() {
		res, err := client.Do(req)
		if err != nil {
			res = nil
		}
		got <- res
	}()
	select {
	case res := <-got:
		if res == nil {
			return nil, false
		}
		t.Cleanup(func() { res.Body.Close() })
		return res, true
	case <-time.After(20 * time.Second): // a bound on the test, not a measurement
		return nil, false
	}
}

// TestSlowExportsDoNotStarvePages opens more slow-reading exports than the
// database pool has connections: the bound lets two stream, the others get
// a 503 that says to retry, and the pages and /readyz still answer.
func TestSlowExportsDoNotStarvePages(t *testing.T) {
	t.Parallel()
	srv, conns := exportServer(t, handlers.Config{})
	client := slowReader()
	paths := []string{"/statements.csv", "/statements.json"}
	streaming, refused := 0, 0
	for i := 0; i <= conns; i++ {
		res, ok := startExport(t, client, srv.URL+paths[i%2])
		if !ok {
			t.Fatalf("export %d got no answer: the exports before it hold the database", i+1)
		}
		switch res.StatusCode {
		case http.StatusOK:
			streaming++
		case http.StatusServiceUnavailable:
			refused++
			b, _ := io.ReadAll(res.Body)
			if !strings.Contains(text(string(b)), "Too many exports are running at once. Retry in a minute") {
				t.Errorf("export %d refused with %q; want it to say to retry in a minute", i+1, text(one(t, string(b), "error-message")))
			}
			if res.Header.Get("Retry-After") != "60" {
				t.Errorf("Retry-After = %q, want 60", res.Header.Get("Retry-After"))
			}
		default:
			t.Errorf("export %d: status %d", i+1, res.StatusCode)
		}
	}
	if streaming != 2 || refused != conns-1 {
		t.Errorf("%d exports streaming, %d refused; want 2 and %d", streaming, refused, conns-1)
	}
	pages := &http.Client{Timeout: 20 * time.Second}
	for _, path := range []string{"/readyz", "/", "/statements?q=ceasefire", "/regions/donetsk", "/dashboard.json"} {
		res, err := pages.Get(srv.URL + path)
		if err != nil {
			t.Errorf("GET %s while exports stream: %v", path, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s while exports stream = %d, want 200", path, res.StatusCode)
		}
	}
}

// TestExportTooSlowIsCutOff: an export whose client falls below the
// minimum pace is ended, which frees its slot for the next export.
func TestExportTooSlowIsCutOff(t *testing.T) {
	t.Parallel()
	srv, _ := exportServer(t, handlers.Config{MaxExports: 1, ExportGrace: 100 * time.Millisecond, ExportMinRate: 1 << 20})
	client := slowReader()
	if res, ok := startExport(t, client, srv.URL+"/statements.csv"); !ok || res.StatusCode != http.StatusOK {
		t.Fatalf("first export: %v, %v", res, ok)
	}
	// Once the slow export is cut off, the next one streams; until then
	// each is refused. Polled, with a bound on the whole test only.
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		res, err := http.Get(srv.URL + "/statements.csv?actor=vladimir-putin")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			return
		}
		if res.StatusCode != http.StatusServiceUnavailable || time.Since(start) > 30*time.Second {
			t.Fatalf("next export = %d; the slow one was never cut off", res.StatusCode)
		}
	}
}
