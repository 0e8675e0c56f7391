// Command loadgen drives a running Parley with a mix of readers and
// editors for a fixed time (or request count) and reports throughput,
// latency, errors, and the server's memory and database connections at
// the start and end of the run. Local instances only.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"parley"
	"parley/scripts/internal/parleydb"
)

type result struct {
	kind    string
	status  int
	latency time.Duration
	err     error
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "Parley's address (loopback only)")
	duration := flag.Duration("duration", 30*time.Second, "how long to run")
	maxReq := flag.Int("requests", 0, "stop after this many requests (0: no limit)")
	readers := flag.Int("readers", 8, "concurrent readers")
	editors := flag.Int("editors", 2, "concurrent editors")
	email := flag.String("email", "", "editor account")
	password := flag.String("password", "", "editor password")
	pid := flag.Int("pid", 0, "server process id, to sample its memory")
	dbURL := flag.String("db", "", "database URL, to count connections")
	dataDir := flag.String("data-dir", "", "Parley's DATA_DIR, to count connections on its embedded cluster (instead of -db)")
	flag.Parse()
	if u, err := url.Parse(*base); err != nil || !(strings.HasPrefix(u.Hostname(), "127.") || u.Hostname() == "localhost") {
		fmt.Fprintln(os.Stderr, "loadgen: only loopback addresses")
		os.Exit(2)
	}
	if *dataDir != "" {
		u, err := parleydb.URL(context.Background(), *dataDir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		*dbURL = u
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	rssStart, connStart := sample(*pid, *dbURL)

	results := make(chan result, 1024)
	var sent sync.WaitGroup
	var mu sync.Mutex
	count := 0
	next := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() != nil || (*maxReq > 0 && count >= *maxReq) {
			return false
		}
		count++
		return true
	}
	pages := []string{"/", "/?as_of=2024-06-14", "/statements?q=putin", "/statements?q=%22four+regions%22+-crimea",
		"/statements?side=russia&sort=oldest", "/regions/donetsk", "/regions/kursk/timeline.csv", "/actors/dmitry-peskov",
		"/demands/kursk-territorial-swap", "/statements.json?actor=vladimir-putin"}
	for i := 0; i < *readers; i++ {
		sent.Add(1)
		go func() {
			defer sent.Done()
			c := &http.Client{Timeout: 30 * time.Second}
			for j := i; next(); j++ {
				p := pages[j%len(pages)]
				results <- do(c, "read "+strings.SplitN(p, "?", 2)[0], func() (*http.Response, error) { return c.Get(*base + p) })
			}
		}()
	}
	for i := 0; i < *editors; i++ {
		c, err := signIn(*base, *email, *password)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		sent.Add(1)
		go func() {
			defer sent.Done()
			for n := 0; next(); n++ {
				form := url.Values{"idempotency_key": {parley.NewUUID()}, "actor": {"dmitry-peskov"}, "date": {"2025-03-10"},
					"date_precision": {"day"}, "attribution": {"spokesperson"}, "regions": {"crimea"}, "confirm_duplicate": {"1"},
					"summary": {fmt.Sprintf("Load-run statement %d by editor %d", n, i)},
					"demand":  {"no-foreign-peacekeepers", "ukraine-neutrality"}, "stance": {"insists", "insists"}}
				results <- do(c, "write /statements/new", func() (*http.Response, error) { return c.PostForm(*base+"/statements/new", form) })
			}
		}()
	}
	go func() { sent.Wait(); close(results) }()

	start := time.Now()
	byKind := map[string][]time.Duration{}
	errors := map[string]int{}
	total := 0
	for r := range results {
		total++
		ok := r.err == nil && (r.status == http.StatusOK || (strings.HasPrefix(r.kind, "write") && r.status == http.StatusSeeOther))
		if !ok {
			errors[fmt.Sprintf("%s: %d %v", r.kind, r.status, r.err)]++
			continue
		}
		byKind[r.kind] = append(byKind[r.kind], r.latency)
	}
	elapsed := time.Since(start)
	rssEnd, connEnd := sample(*pid, *dbURL)

	fmt.Printf("%d requests in %.1fs: %.0f requests/s, %d errors\n", total, elapsed.Seconds(), float64(total)/elapsed.Seconds(), sum(errors))
	fmt.Printf("%-34s %7s %9s %9s %9s\n", "request", "count", "p50", "p95", "max")
	var kinds []string
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		l := byKind[k]
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		fmt.Printf("%-34s %7d %9s %9s %9s\n", k, len(l), ms(l[len(l)/2]), ms(l[len(l)*95/100]), ms(l[len(l)-1]))
	}
	for e, n := range errors {
		fmt.Printf("error %dx: %s\n", n, e)
	}
	if *pid != 0 {
		fmt.Printf("server RSS: %d MB at start, %d MB at end\n", rssStart/1024, rssEnd/1024)
	}
	if *dbURL != "" {
		fmt.Printf("database connections: %d at start, %d at end\n", connStart, connEnd)
	}
	if sum(errors) > 0 {
		os.Exit(1)
	}
}

func do(c *http.Client, kind string, f func() (*http.Response, error)) result {
	start := time.Now()
	res, err := f()
	if err != nil {
		return result{kind: kind, err: err, latency: time.Since(start)}
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return result{kind: kind, status: res.StatusCode, err: err, latency: time.Since(start)}
}

func signIn(base, email, password string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign-in as %s: status %d", email, res.StatusCode)
	}
	return c, nil
}

func sample(pid int, dbURL string) (rssKB, conns int) {
	if pid != 0 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(line, "VmRSS:") {
					fmt.Sscan(strings.TrimPrefix(line, "VmRSS:"), &rssKB)
				}
			}
		}
	}
	if dbURL != "" {
		if conn, err := pgx.Connect(context.Background(), dbURL); err == nil {
			conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&conns)
			conn.Close(context.Background())
		}
	}
	return rssKB, conns
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
