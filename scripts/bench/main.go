// Command bench measures a running Parley over a generated dataset beside
// what PostgreSQL itself does on the same machine in the same run:
//
//   - each page's latency (sequential requests: median, p95) and its
//     throughput at 32 concurrent connections, beside pgbench running that
//     page's own SQL at the same concurrency;
//   - the largest region's CSV export (rows/s, first byte, server memory
//     above idle) beside a raw COPY of the statements table;
//   - saving a statement with two positions.
//
// It prints one table. scripts/bench.sh builds the data and starts Parley.
//
// Each page's SQL is captured by TestCapturePageSQL (capture_test.go),
// which this command runs with "go test": it serves the page from Parley's
// handlers in process over a pool that records every query, and writes the
// queries as a pgbench script. The capture is test code so that this
// command links none of Parley's handlers; run it from inside the module.
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley"
	"parley/scripts/internal/parleydb"
)

type config struct {
	base, db, dataDir, pgbench, wrk, email, password, admin, out, only string
	pid, conc                                                          int
	duration                                                           time.Duration
	requests                                                           int
}

func main() {
	var c config
	flag.StringVar(&c.base, "url", "http://127.0.0.1:8091", "Parley's address")
	flag.StringVar(&c.db, "db", "", "database URL (the one Parley uses, when it runs with DATABASE_URL)")
	flag.StringVar(&c.dataDir, "data-dir", "", "Parley's DATA_DIR, when it runs on its embedded cluster (instead of -db)")
	flag.StringVar(&c.pgbench, "pgbench", "pgbench", "pgbench binary")
	flag.StringVar(&c.wrk, "wrk", "", "wrk binary for the throughput runs (default: goroutines)")
	flag.StringVar(&c.email, "email", "", "editor account, for the write measurement")
	flag.StringVar(&c.password, "password", "", "editor password")
	flag.StringVar(&c.admin, "admin", "", "admin account (with the same password), for publishing a release")
	flag.StringVar(&c.out, "scripts", "", "directory for the pgbench scripts (default: a temporary one)")
	flag.IntVar(&c.pid, "pid", 0, "Parley's process id, to sample its memory")
	flag.IntVar(&c.conc, "c", 32, "concurrent connections for throughput")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "length of each throughput run")
	flag.IntVar(&c.requests, "n", 300, "sequential requests per page for latency")
	flag.StringVar(&c.only, "only", "", "measure only what has this in its name (dashboard, search, region, export, save, release)")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// filterPages are /statements filtered by the busiest value of each
// filter, alone and with a word of ordinary frequency.
func filterPages(p params) []page {
	var out []page
	for _, f := range []struct{ name, query string }{
		{"actor=" + p.actor, "actor=" + url.QueryEscape(p.actor)},
		{"side=" + p.side, "side=" + url.QueryEscape(p.side)},
		{"demand=" + p.demand, "demand=" + url.QueryEscape(p.demand)},
		{"region=" + p.region, "region=" + url.QueryEscape(p.region)},
		{"stance=" + p.stance, "stance=" + url.QueryEscape(p.stance)},
		{"from 2025-01-01 to 2025-12-31", "from=2025-01-01&to=2025-12-31"},
	} {
		out = append(out,
			page{"list " + f.name, "/statements?" + f.query, "p95 < 15 ms", false},
			page{"list " + f.name + " q=" + p.word, "/statements?" + f.query + "&q=" + url.QueryEscape(p.word), "p95 < 15 ms", false})
	}
	return out
}

// formPages are the editor's forms, measured signed in.
func formPages(p params) []page {
	id := strconv.FormatInt(p.statement, 10)
	return []page{
		{"form /statements/new", "/statements/new", "p95 < 20 ms", true},
		{"form /statements/{id}/edit", "/statements/" + id + "/edit", "p95 < 20 ms", true},
		{"form /actors/new", "/actors/new", "p95 < 20 ms", true},
		{"form /actors/{slug}/edit", "/actors/" + p.actor + "/edit", "p95 < 20 ms", true},
		{"form /demands/new", "/demands/new", "p95 < 20 ms", true},
		{"form /regions/new", "/regions/new", "p95 < 20 ms", true},
		{"form /sources/new", "/sources/new", "p95 < 20 ms", true},
		{"form /import", "/import", "p95 < 20 ms", true},
		{"form /review", "/review", "p95 < 20 ms", true},
		{"form /intake", "/intake", "p95 < 20 ms", true},
	}
}

// errNotHere is a page that answers 404.
var errNotHere = errors.New("not found")

// signIn returns a client signed in as the bench's editor.
func signIn(c config) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(c.base+"/login", url.Values{"email": {c.email}, "password": {c.password}})
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in: status %d", res.StatusCode)
	}
	return client, nil
}

// latencyWith is latency with client (signed in); errNotHere for a 404.
func latencyWith(client *http.Client, u string, n int) (lat, error) {
	var d []time.Duration
	for i := -n / 10; i < n; i++ {
		start := time.Now()
		res, err := client.Get(u)
		if err != nil {
			return lat{}, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil {
			return lat{}, err
		}
		if res.StatusCode == http.StatusNotFound {
			return lat{}, errNotHere
		}
		if res.StatusCode != http.StatusOK {
			return lat{}, fmt.Errorf("GET %s: status %d", u, res.StatusCode)
		}
		if i >= 0 {
			d = append(d, time.Since(start))
		}
	}
	return percentiles(d), nil
}

// row is one line of the table.
type row struct {
	what, parley, reference, ratio, target string
}

func run(ctx context.Context, c config) error {
	if (c.db == "") == (c.dataDir == "") {
		return errors.New("give one of -db and -data-dir")
	}
	if c.dataDir != "" {
		db, err := parleydb.URL(ctx, c.dataDir)
		if err != nil {
			return err
		}
		c.db = db
	}
	pcfg, err := pgxpool.ParseConfig(c.db)
	if err != nil {
		return err
	}
	pcfg.ConnConfig.RuntimeParams["application_name"] = "parley-bench"
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	var stmts int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM statements WHERE deleted_at IS NULL`).Scan(&stmts); err != nil {
		return err
	}
	params, err := pickParams(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d statements; largest region %s (%d rows); common word %q (%d matches); two words %q (%d matches)\n",
		stmts, params.region, params.regionRows, params.common, params.commonN, params.two, params.twoN)

	var pages []page
	for _, p := range append([]page{
		{"dashboard", "/", "p95 < 20 ms", false},
		{"dashboard as_of", "/?as_of=2019-06-30", "p95 < 100 ms", false},
		{"search, two words", "/statements?q=" + url.QueryEscape(params.two), "p95 < 25 ms", false},
		{"search, 1/5 of rows", "/statements?q=" + url.QueryEscape(params.common), "p95 < 50 ms", false},
		{"region page", "/regions/" + params.region, "p95 < 50 ms", false},
		{"bargaining.json", "/bargaining.json", "p95 < 50 ms", true},
		{"bargaining page and chart", "/bargaining", "p95 < 200 ms", true},
		{"compare.json over a year", "/compare.json?from=2025-01-01&to=2025-12-31", "p95 < 150 ms", true},
	}, filterPages(params)...) {
		if strings.Contains(p.name, c.only) {
			pages = append(pages, p)
		}
	}
	dir := c.out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "parley-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var captured []page
	for _, p := range pages {
		if !p.latencyOnly {
			captured = append(captured, p)
		}
	}
	if err := captureSQL(ctx, c.db, dir, captured); err != nil {
		return err
	}

	var rows []row
	for _, p := range pages {
		if p.latencyOnly {
			if p.path == "/bargaining" { // once with no month stored yet
				if _, err := pool.Exec(ctx, `DELETE FROM bargaining_months`); err != nil {
					return err
				}
				start := time.Now()
				if err := get(&http.Client{Timeout: time.Minute}, c.base+p.path); err != nil {
					return fmt.Errorf("%s: %w", p.name, err)
				}
				rows = append(rows, row{p.name + ": first request, no month stored", ms(time.Since(start)), "", "", ""})
			}
			lat, err := latency(c.base+p.path, c.requests)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			rows = append(rows, row{p.name + ": latency", fmt.Sprintf("p50 %s, p95 %s", ms(lat.p50), ms(lat.p95)), "", "", p.target})
			continue
		}
		script := filepath.Join(dir, p.script())
		queries, err := scriptQueries(script)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		lat, err := latency(c.base+p.path, c.requests)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		pgLat, err := pgbench(ctx, c, script, 1, 5*time.Second)
		if err != nil {
			return fmt.Errorf("%s: pgbench: %w", p.name, err)
		}
		rows = append(rows, row{p.name + ": latency", fmt.Sprintf("p50 %s, p95 %s", ms(lat.p50), ms(lat.p95)),
			fmt.Sprintf("pgbench avg %.2f ms (%d queries)", pgLat.latencyMS, queries), "", p.target})
		tp, err := throughput(ctx, c, pool, c.base+p.path)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		pgTP, err := pgbench(ctx, c, script, c.conc, c.duration)
		if err != nil {
			return fmt.Errorf("%s: pgbench: %w", p.name, err)
		}
		rows = append(rows, row{fmt.Sprintf("%s: %d connections (%s)", p.name, c.conc, loadTool(c)),
			fmt.Sprintf("%.0f req/s, %d errors, RSS %d→%d MB, conns %d→%d", tp.rps, tp.errors, tp.rssStart/1024, tp.rssEnd/1024, tp.connStart, tp.connEnd),
			fmt.Sprintf("pgbench %.0f tps", pgTP.tps), fmt.Sprintf("%.2f×", tp.rps/pgTP.tps), "≥ 0.6×"})
	}

	want := func(name string) bool { return c.only == "" || strings.Contains(name, c.only) }
	if want("region export") {
		exp, err := export(c, params.region)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		copyRate, err := rawCopy(ctx, pool)
		if err != nil {
			return fmt.Errorf("raw copy: %w", err)
		}
		rows = append(rows,
			row{"region export " + params.region, fmt.Sprintf("%d rows, %.0f rows/s", exp.rows, exp.rps),
				fmt.Sprintf("raw COPY statements %.0f rows/s", copyRate), fmt.Sprintf("%.2f×", exp.rps/copyRate), "≥ 0.33×"},
			row{"region export: first byte", ms(exp.ttfb), "", "", "< 200 ms"},
			row{"region export: memory", fmt.Sprintf("+%d MB above idle (%d → %d MB)", (exp.peak-exp.idle)/1024, exp.idle/1024, exp.peak/1024), "", "", "< 64 MB"},
		)
	}
	if c.email != "" && want("form") {
		client, err := signIn(c)
		if err != nil {
			return err
		}
		for _, f := range formPages(params) {
			lat, err := latencyWith(client, c.base+f.path, c.requests)
			if errors.Is(err, errNotHere) {
				continue // a form this version does not have
			}
			if err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
			rows = append(rows, row{f.name + ": latency (signed in)", fmt.Sprintf("p50 %s, p95 %s", ms(lat.p50), ms(lat.p95)), "", "", f.target})
		}
	}
	if c.email != "" && want("save statement") {
		w, err := writes(c, 200)
		if err != nil {
			return fmt.Errorf("writes: %w", err)
		}
		rows = append(rows, row{"save statement, 2 positions (REVIEW=off)", fmt.Sprintf("p50 %s, p95 %s", ms(w.p50), ms(w.p95)), "", "", "p95 < 10 ms"})
	}
	if c.admin != "" && want("release") {
		// Twice: the second release's delta merges two full releases.
		for _, what := range []string{"release build", "release build, delta against the previous"} {
			rb, err := releaseBuild(c)
			if err != nil {
				return fmt.Errorf("release: %w", err)
			}
			rows = append(rows,
				row{what, fmt.Sprintf("%.1f s", rb.took.Seconds()), "", "", "< 60 s"},
				row{what + ": memory", fmt.Sprintf("+%d MB above idle (%d → %d MB)", (rb.peak-rb.idle)/1024, rb.idle/1024, rb.peak/1024), "", "", "< 64 MB"})
		}
	}
	printTable(os.Stdout, stmts, rows)
	return nil
}

type releaseResult struct {
	took       time.Duration
	idle, peak int
}

// releaseBuild signs in as the admin and publishes a release, sampling
// the server's memory meanwhile.
func releaseBuild(c config) (releaseResult, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 20 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(c.base+"/login", url.Values{"email": {c.admin}, "password": {c.password}})
	if err != nil {
		return releaseResult{}, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return releaseResult{}, fmt.Errorf("sign in: status %d", res.StatusCode)
	}
	r := releaseResult{idle: rss(c.pid)}
	r.peak = r.idle
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				r.peak = max(r.peak, rss(c.pid))
			}
		}
	}()
	start := time.Now()
	res, err = client.PostForm(c.base+"/admin/releases", url.Values{"name": {"bench-" + token()}})
	r.took = time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return r, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return r, fmt.Errorf("publish: status %d: %s", res.StatusCode, errorLines(body))
	}
	return r, nil
}

// params are the run's inputs, picked from the data.
type params struct {
	region        string
	regionRows    int
	common, two   string
	commonN, twoN int
	word          string // a word of ordinary frequency, combined with each filter
	// The busiest value of each filter of /statements.
	actor, side, demand, stance string
	statement                   int64 // the busiest actor's newest statement (its edit form)
}

// pickParams finds the largest region, a word matching about a fifth of
// the statements and two words of ordinary frequency.
func pickParams(ctx context.Context, pool *pgxpool.Pool) (params, error) {
	var p params
	err := pool.QueryRow(ctx, `
		SELECT r.slug, sum(c.rows)::int FROM region_counts c JOIN regions r ON r.id = c.region_id
		GROUP BY r.slug ORDER BY 2 DESC LIMIT 1`).Scan(&p.region, &p.regionRows)
	if err != nil {
		return p, fmt.Errorf("largest region: %w", err)
	}
	var total float64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM statements`).Scan(&total); err != nil {
		return p, err
	}
	// Document frequencies from the planner's statistics on the search
	// vector (most common elements), then checked by counting.
	rows, err := pool.Query(ctx, `
		SELECT e::text, f FROM pg_stats s,
		       unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs[1:array_length(s.most_common_elems::text::text[], 1)]) AS x(e, f)
		WHERE s.tablename = 'statements' AND s.attname = 'search'`)
	if err != nil {
		return p, fmt.Errorf("word statistics: %w", err)
	}
	type wf struct {
		w string
		f float64
	}
	words, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (wf, error) {
		var x wf
		err := r.Scan(&x.w, &x.f)
		return x, err
	})
	if err != nil {
		return p, fmt.Errorf("word statistics: %w", err)
	}
	closest := func(target float64, skip string) string {
		best, bestD := "", 2.0
		for _, x := range words {
			if x.w == skip || !regexp.MustCompile(`^[a-z]{4,}$`).MatchString(x.w) {
				continue
			}
			if d := abs(x.f - target); d < bestD {
				best, bestD = x.w, d
			}
		}
		return best
	}
	p.common = closest(0.20, "")
	a := closest(0.04, p.common)
	b := closest(0.04, a)
	p.two = a + " " + b
	p.word = a
	err = pool.QueryRow(ctx, `
		SELECT a.slug FROM actor_counts c JOIN actors a ON a.id = c.actor_id
		GROUP BY a.slug ORDER BY sum(c.positions) DESC LIMIT 1`).Scan(&p.actor)
	if err != nil {
		return p, fmt.Errorf("busiest actor: %w", err)
	}
	err = pool.QueryRow(ctx, `
		SELECT a.side FROM actor_counts c JOIN actors a ON a.id = c.actor_id
		GROUP BY a.side ORDER BY sum(c.positions) DESC LIMIT 1`).Scan(&p.side)
	if err != nil {
		return p, fmt.Errorf("busiest side: %w", err)
	}
	if err := pool.QueryRow(ctx, `SELECT d.slug FROM stance_log l JOIN demands d ON d.id = l.demand_id GROUP BY d.slug ORDER BY count(*) DESC LIMIT 1`).Scan(&p.demand); err != nil {
		return p, fmt.Errorf("busiest demand: %w", err)
	}
	if err := pool.QueryRow(ctx, `SELECT stance FROM stance_log GROUP BY stance ORDER BY count(*) DESC LIMIT 1`).Scan(&p.stance); err != nil {
		return p, fmt.Errorf("busiest stance: %w", err)
	}
	if err := pool.QueryRow(ctx, `SELECT s.id FROM statements s JOIN actors a ON a.id = s.actor_id
		WHERE a.slug = $1 AND s.deleted_at IS NULL ORDER BY s.date DESC, s.id DESC LIMIT 1`, p.actor).Scan(&p.statement); err != nil {
		return p, fmt.Errorf("busiest actor's statement: %w", err)
	}
	count := func(q string) (int, error) {
		var n int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM statements WHERE search @@ websearch_to_tsquery('english', $1)`, q).Scan(&n)
		return n, err
	}
	if p.commonN, err = count(p.common); err != nil {
		return p, err
	}
	if p.twoN, err = count(p.two); err != nil {
		return p, err
	}
	return p, nil
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// page is one page measured: a GET of path, and its latency target.
// page is a page to measure; computed pages (latencyOnly) do work beside
// their SQL, so only their latency is measured, not against pgbench.
type page struct {
	name, path, target string
	latencyOnly        bool
}

// script is the name of the page's pgbench script.
func (p page) script() string {
	// (no "=": the capture's flag is FILE=PATH)
	return strings.NewReplacer(" ", "-", ",", "", "/", "", "=", "-", "&", "-", "?", "").Replace(p.name) + ".sql"
}

// captureSQL writes each page's SQL, with its arguments as literals, as a
// pgbench script in dir: TestCapturePageSQL does it, run by "go test".
func captureSQL(ctx context.Context, db, dir string, pages []page) error {
	if len(pages) == 0 {
		return nil
	}
	args := []string{"test", "-count=1", "-run", "^TestCapturePageSQL$", "parley/scripts/bench",
		"-args", "-capture.db", db, "-capture.dir", dir}
	for _, p := range pages {
		args = append(args, "-capture.page", p.script()+"="+p.path)
	}
	out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("capture SQL: go test: %v: %s", err, out)
	}
	return nil
}

var queriesLine = regexp.MustCompile(`(?m)^-- GET \S+: (\d+) queries$`)

// scriptQueries returns how many queries a captured script holds, from the
// line the capture writes at its top.
func scriptQueries(script string) (int, error) {
	b, err := os.ReadFile(script)
	if err != nil {
		return 0, fmt.Errorf("captured SQL: %w", err)
	}
	m := queriesLine.FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("captured SQL: no query count in %s", script)
	}
	return strconv.Atoi(string(m[1]))
}

type pgResult struct {
	tps, latencyMS float64
}

var (
	tpsRe = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	latRe = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
)

// pgbench runs script with clients connections for d, prepared statements.
func pgbench(ctx context.Context, c config, script string, clients int, d time.Duration) (pgResult, error) {
	u, err := url.Parse(c.db)
	if err != nil {
		return pgResult{}, err
	}
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(int(d.Seconds())), "-f", script}
	host := u.Query().Get("host")
	if host == "" {
		host = u.Hostname()
	}
	args = append(args, "-h", host)
	if u.Port() != "" {
		args = append(args, "-p", u.Port())
	}
	user := u.Query().Get("user")
	if u.User != nil {
		user = u.User.Username()
	}
	if user != "" {
		args = append(args, "-U", user)
	}
	args = append(args, strings.TrimPrefix(u.Path, "/"))
	cmd := exec.CommandContext(ctx, c.pgbench, args...)
	// pgbench's sessions get Parley's session settings (store.SessionSettings),
	// so both run the SQL alike.
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c max_parallel_workers_per_gather=0")
	if p, ok := u.User.Password(); ok {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+p)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return pgResult{}, fmt.Errorf("%v: %s", err, out)
	}
	var r pgResult
	if m := tpsRe.FindSubmatch(out); m != nil {
		r.tps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	if m := latRe.FindSubmatch(out); m != nil {
		r.latencyMS, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	if r.tps == 0 {
		return r, fmt.Errorf("no tps in pgbench output: %s", out)
	}
	return r, nil
}

type lat struct{ p50, p95 time.Duration }

func percentiles(d []time.Duration) lat {
	slices.Sort(d)
	return lat{d[len(d)/2], d[len(d)*95/100]}
}

// latency GETs u n times in sequence (after a warm-up) on one connection.
func latency(u string, n int) (lat, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	var d []time.Duration
	for i := -n / 10; i < n; i++ {
		start := time.Now()
		if err := get(client, u); err != nil {
			return lat{}, err
		}
		if i >= 0 {
			d = append(d, time.Since(start))
		}
	}
	return percentiles(d), nil
}

func get(client *http.Client, u string) error {
	res, err := client.Get(u)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, res.StatusCode)
	}
	return nil
}

type tpResult struct {
	rps                                  float64
	errors                               int64
	rssStart, rssEnd, connStart, connEnd int
}

var (
	wrkRate   = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkErrors = regexp.MustCompile(`(?:Non-2xx or 3xx responses|Socket errors):\s*(.*)`)
)

// throughput GETs u from c.conc connections for c.duration, with wrk when
// it is installed (a C load generator, lighter on the shared CPUs than
// Go's HTTP client), else from goroutines.
func throughput(ctx context.Context, c config, pool *pgxpool.Pool, u string) (tpResult, error) {
	var r tpResult
	r.rssStart, r.connStart = rss(c.pid), conns(ctx, pool)
	if c.wrk != "" {
		out, err := exec.CommandContext(ctx, c.wrk, "-t2", "-c"+strconv.Itoa(c.conc),
			"-d"+strconv.Itoa(int(c.duration.Seconds()))+"s", u).CombinedOutput()
		if err != nil {
			return r, fmt.Errorf("wrk: %v: %s", err, out)
		}
		m := wrkRate.FindSubmatch(out)
		if m == nil {
			return r, fmt.Errorf("wrk: no rate in %s", out)
		}
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
		for _, e := range wrkErrors.FindAllSubmatch(out, -1) {
			for _, f := range strings.FieldsFunc(string(e[1]), func(r rune) bool { return r < '0' || r > '9' }) {
				n, _ := strconv.ParseInt(f, 10, 64)
				r.errors += n
			}
		}
		r.rssEnd, r.connEnd = rss(c.pid), conns(ctx, pool)
		return r, nil
	}
	var done, failed atomic.Int64
	stop := time.Now().Add(c.duration)
	var wg sync.WaitGroup
	transport := &http.Transport{MaxIdleConnsPerHost: c.conc}
	for range c.conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 30 * time.Second, Transport: transport}
			for time.Now().Before(stop) {
				if err := get(client, u); err != nil {
					failed.Add(1)
					continue
				}
				done.Add(1)
			}
		}()
	}
	start := time.Now()
	wg.Wait()
	r.rps = float64(done.Load()) / time.Since(start).Seconds()
	r.errors = failed.Load()
	r.rssEnd, r.connEnd = rss(c.pid), conns(ctx, pool)
	return r, nil
}

func loadTool(c config) string {
	if c.wrk != "" {
		return "wrk"
	}
	return "Go client"
}

func rss(pid int) int {
	if pid == 0 {
		return 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	return 0
}

// conns counts the database's client connections other than the bench's.
func conns(ctx context.Context, pool *pgxpool.Pool) int {
	var n int
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
		AND backend_type = 'client backend' AND application_name <> 'parley-bench'`).Scan(&n)
	return n
}

type exportResult struct {
	rows       int
	rps        float64
	ttfb       time.Duration
	idle, peak int
}

// export downloads the region's CSV, counting rows with a CSV reader and
// sampling the server's memory meanwhile.
func export(c config, region string) (exportResult, error) {
	r := exportResult{idle: rss(c.pid)}
	r.peak = r.idle
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				r.peak = max(r.peak, rss(c.pid))
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	// The body goes to a file as fast as it comes; the rows are counted
	// with a CSV reader afterwards, so parsing does not slow the download.
	tmp, err := os.CreateTemp("", "parley-export-*.csv")
	if err != nil {
		return r, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	start := time.Now()
	res, err := http.Get(c.base + "/regions/" + region + "/timeline.csv")
	if err != nil {
		return r, err
	}
	defer res.Body.Close()
	br := bufio.NewReaderSize(res.Body, 1<<16)
	if _, err := br.Peek(1); err != nil {
		return r, err
	}
	r.ttfb = time.Since(start)
	if _, err := io.Copy(tmp, br); err != nil {
		return r, err
	}
	took := time.Since(start)
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return r, err
	}
	cr := csv.NewReader(bufio.NewReaderSize(tmp, 1<<16))
	cr.ReuseRecord = true
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r, err
		}
		r.rows++
	}
	r.rows-- // the header
	r.rps = float64(r.rows) / took.Seconds()
	return r, nil
}

// rawCopy is the reference: COPY of the whole statements table, read by
// a client that discards it.
func rawCopy(ctx context.Context, pool *pgxpool.Pool) (float64, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	start := time.Now()
	tag, err := conn.Conn().PgConn().CopyTo(ctx, io.Discard, `COPY statements TO STDOUT (FORMAT csv)`)
	if err != nil {
		return 0, err
	}
	return float64(tag.RowsAffected()) / time.Since(start).Seconds(), nil
}

// writes signs in and saves n statements with two positions, one by one.
func writes(c config, n int) (lat, error) {
	client, err := signIn(c)
	if err != nil {
		return lat{}, err
	}
	var d []time.Duration
	for range n {
		// The editor's path: the possible-duplicate check runs (the
		// actor's statements within a month) and finds none, since each
		// write is by a random actor on a random day.
		date := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rand.IntN(4700))
		form := url.Values{"idempotency_key": {parley.NewUUID()}, "actor": {fmt.Sprintf("gen-actor-%d", 100+rand.IntN(1900))},
			"date": {date.Format("2006-01-02")}, "date_precision": {"day"}, "attribution": {"spokesperson"},
			// Random tokens: no write resembles an earlier one (runs reuse
			// the data), so none is held back as a possible duplicate.
			"regions": {"gen-region-3"}, "summary": {"Bench " + token() + " " + token() + " " + token()},
			"quote":  {"Quote " + token() + " " + token() + " " + token() + " " + token()},
			"demand": {"gen-demand-1", "gen-demand-2"}, "stance": {"insists", "rejects"}}
		start := time.Now()
		res, err := client.PostForm(c.base+"/statements/new", form)
		if err != nil {
			return lat{}, err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			return lat{}, fmt.Errorf("save: status %d: %s", res.StatusCode, errorLines(body))
		}
		d = append(d, time.Since(start))
	}
	return percentiles(d), nil
}

func token() string { return strconv.FormatUint(rand.Uint64(), 36) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func printTable(w io.Writer, stmts int, rows []row) {
	fmt.Fprintf(w, "\nParley at %d statements, %s\n\n", stmts, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintln(w, "| measurement | Parley | PostgreSQL alone | ratio | target |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.what, r.parley, r.reference, r.ratio, r.target)
	}
}

var fieldError = regexp.MustCompile(`class="field-error"[^>]*>([^<]+)<`)

// errorLines picks the messages out of a form page Parley sent back.
func errorLines(page []byte) string {
	var out []string
	for _, m := range fieldError.FindAllSubmatch(page, -1) {
		out = append(out, string(m[1]))
	}
	if strings.Contains(string(page), `data-testid="duplicates"`) {
		out = append(out, "held back as a possible duplicate")
	}
	return strings.Join(out, "; ")
}
