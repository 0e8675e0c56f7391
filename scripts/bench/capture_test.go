package main

// The bench's SQL capture is test code: it runs Parley's handlers in
// process, and keeping it in a _test.go file keeps them out of the bench
// command (go list -deps ./scripts/... shows no handlers). The command
// runs it as
//
//	go test -count=1 -run '^TestCapturePageSQL$' parley/scripts/bench \
//	    -args -capture.db URL -capture.dir DIR -capture.page FILE=PATH ...
//
// Without -capture.db, TestCapturedSQLRuns checks the capture on a seeded
// test database instead.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/handlers"
	"parley/internal/seed"
	"parley/internal/store"
	"parley/internal/testdb"
)

var (
	captureDB    = flag.String("capture.db", "", "database URL: capture the SQL of each -capture.page there")
	captureDir   = flag.String("capture.dir", "", "directory for the pgbench scripts")
	capturePages []string
)

func init() {
	flag.Func("capture.page", "FILE=PATH: write the SQL a GET of PATH sends to FILE in -capture.dir (repeatable)",
		func(s string) error {
			if !strings.Contains(s, "=") {
				return errors.New("want FILE=PATH")
			}
			capturePages = append(capturePages, s)
			return nil
		})
}

func TestMain(m *testing.M) {
	flag.Parse()
	if *captureDB != "" {
		os.Exit(m.Run()) // the capture runs on the bench's database: no test cluster
	}
	testdb.Main(m)
}

// TestCapturePageSQL is the bench command's SQL capture: for each
// -capture.page FILE=PATH it writes the queries a GET of PATH sends, with
// their arguments as literals, to -capture.dir/FILE as a pgbench script.
func TestCapturePageSQL(t *testing.T) {
	if *captureDB == "" {
		t.Skip("the bench's SQL capture: run by scripts/bench with -capture.db")
	}
	if *captureDir == "" || len(capturePages) == 0 {
		t.Fatal("-capture.dir and at least one -capture.page are needed")
	}
	c := newCapture(t, *captureDB)
	for _, fp := range capturePages {
		file, path, _ := strings.Cut(fp, "=")
		if err := c.writeScript(filepath.Join(*captureDir, file), path); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCapturedSQLRuns ensures the captured scripts hold SQL that
// PostgreSQL runs as it stands: every page's queries, each argument
// written as a literal of its type, on the seed data.
func TestCapturedSQLRuns(t *testing.T) {
	if *captureDB != "" {
		t.Skip("capturing for the bench")
	}
	ctx := context.Background()
	db := testdb.URL(t)
	pool, err := pgxpool.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	data, err := seed.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.New(pool).LoadSeed(ctx, data); err != nil {
		t.Fatal(err)
	}
	c := newCapture(t, db)
	dir := t.TempDir()
	for _, path := range []string{"/", "/?as_of=2024-06-14", "/statements?q=putin", "/statements?q=%22four+regions%22+-crimea", "/regions/donetsk"} {
		t.Run(path, func(t *testing.T) {
			sqls, err := c.page(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(sqls) == 0 {
				t.Fatal("no queries captured")
			}
			for _, q := range sqls {
				// Prepared and run without arguments, as pgbench -M prepared does.
				if _, err := pool.Exec(ctx, q); err != nil {
					t.Errorf("captured query fails: %v\n%s", err, q)
				}
			}
			script := filepath.Join(dir, "page.sql")
			if err := c.writeScript(script, path); err != nil {
				t.Fatal(err)
			}
			got, err := scriptQueries(script)
			if err != nil {
				t.Fatal(err)
			}
			if got != len(sqls) {
				t.Errorf("script says %d queries, want %d", got, len(sqls))
			}
		})
	}
}

// capture runs Parley's handlers in process over a pool that records the
// SQL each request sends, with its arguments written in as literals.
type capture struct {
	handler http.Handler
	mu      sync.Mutex
	sqls    []string
}

func newCapture(t *testing.T, dbURL string) *capture {
	t.Helper()
	c := &capture{}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = c
	cfg.ConnConfig.RuntimeParams["application_name"] = "parley-bench"
	for k, v := range store.SessionSettings { // as Parley's own connections
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	c.handler = handlers.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), store.New(pool), memstore.New(), handlers.Config{})
	return c
}

func (c *capture) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sqls = append(c.sqls, literal(d.SQL, d.Args))
	return ctx
}

func (c *capture) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// page returns the SQL statements one GET of path sends.
func (c *capture) page(path string) ([]string, error) {
	c.mu.Lock()
	c.sqls = nil
	c.mu.Unlock()
	rec := httptest.NewRecorder()
	c.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", path, rec.Code)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sqls), nil
}

// writeScript writes the SQL of a GET of path to file as a pgbench script,
// under a comment line with the number of queries (scriptQueries reads it).
func (c *capture) writeScript(file, path string) error {
	sqls, err := c.page(path)
	if err != nil {
		return fmt.Errorf("capture SQL: %w", err)
	}
	script := fmt.Sprintf("-- GET %s: %d queries\n", path, len(sqls)) + strings.Join(sqls, ";\n") + ";\n"
	return os.WriteFile(file, []byte(script), 0o644)
}

var placeholder = regexp.MustCompile(`\$(\d+)`)

// literal writes args into sql as SQL literals, for pgbench.
func literal(sql string, args []any) string {
	var vals []any
	for _, a := range args {
		switch a.(type) {
		case pgx.QueryExecMode, pgx.QueryResultFormats, pgx.QueryResultFormatsByOID:
			continue
		}
		vals = append(vals, a)
	}
	out := placeholder.ReplaceAllStringFunc(sql, func(m string) string {
		i, _ := strconv.Atoi(m[1:])
		if i < 1 || i > len(vals) {
			return m
		}
		return quote(vals[i-1])
	})
	// pgbench reads one statement per semicolon; keep each on its lines.
	return strings.TrimSpace(out)
}

func quote(v any) string {
	str := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return str(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return str(x.Format("2006-01-02"))
	case *time.Time:
		if x == nil {
			return "NULL"
		}
		return str(x.Format("2006-01-02"))
	case []int64:
		s := make([]string, len(x))
		for i, n := range x {
			s[i] = strconv.FormatInt(n, 10)
		}
		return str("{"+strings.Join(s, ",")+"}") + "::bigint[]"
	case []string:
		s := make([]string, len(x))
		for i, n := range x {
			s[i] = `"` + strings.ReplaceAll(strings.ReplaceAll(n, `\`, `\\`), `"`, `\"`) + `"`
		}
		return str("{" + strings.Join(s, ",") + "}")
	}
	return str(fmt.Sprint(v))
}
