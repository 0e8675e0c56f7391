package handlers_test

import (
	"context"
	"encoding/csv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"parley"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"

	"parley/internal/export"
	"parley/internal/handlers"
	"parley/internal/seed"
	"parley/internal/store"
	"parley/internal/testdb"
)

// parseCSV reads an export with encoding/csv, as a program would.
func parseCSV(t *testing.T, body string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, export.BOM)))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export is not valid CSV: %v", err)
	}
	return rows
}

func TestRegionCSVMatchesTheDatabase(t *testing.T) {
	e := newEnv(t, true)
	res, body := e.get(t, "/regions/donetsk/timeline.csv")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", res.StatusCode)
	}
	if got := res.Header.Get("Content-Type"); got != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	wantName := `attachment; filename="donetsk-timeline-` + time.Now().Format("2006-01-02") + `.csv"`
	if got := res.Header.Get("Content-Disposition"); got != wantName {
		t.Errorf("Content-Disposition = %q, want %q", got, wantName)
	}
	if strings.HasPrefix(body, export.BOM) {
		t.Error("plain export starts with a BOM")
	}
	if !strings.HasSuffix(body, "\r\n") || strings.Count(body, "\r\n") < 2 {
		t.Error("rows do not end with CRLF")
	}
	rows := parseCSV(t, body)
	if strings.Join(rows[0], ",") != strings.Join(export.Header, ",") {
		t.Fatalf("header = %v", rows[0])
	}
	// One row per (statement, position) of the region timeline, from SQL.
	var want int
	err := e.pool.QueryRow(context.Background(), `
		SELECT count(*) FROM statements s LEFT JOIN positions p ON p.statement_id = s.id
		WHERE EXISTS (SELECT 1 FROM statement_regions sr JOIN regions r ON r.id = sr.region_id WHERE sr.statement_id = s.id AND r.slug = 'donetsk')
		   OR EXISTS (SELECT 1 FROM positions p2 JOIN demand_regions dr ON dr.demand_id = p2.demand_id
		              JOIN regions r ON r.id = dr.region_id WHERE p2.statement_id = s.id AND r.slug = 'donetsk')`).Scan(&want)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rows) - 1; got != want || want == 0 {
		t.Errorf("export has %d rows, database has %d", got, want)
	}
	prev := ""
	for _, r := range rows[1:] {
		if r[1] < prev {
			t.Errorf("rows not in date order: %s after %s", r[1], prev)
		}
		prev = r[1]
		if _, err := time.Parse("2006-01-02", r[1]); err != nil {
			t.Errorf("date %q is not ISO", r[1])
		}
		if !strings.HasSuffix(r[16], "/statements/"+r[0]) {
			t.Errorf("statement_url %q does not point at statement %s", r[16], r[0])
		}
	}
	// The page says how many rows the export holds.
	_, page := e.get(t, "/regions/donetsk")
	mustContain(t, page, "Export "+strconv.Itoa(want)+" rows")
}

func TestCSVExportHonoursFiltersAndBOM(t *testing.T) {
	e := newEnv(t, true)
	res, body := e.get(t, "/regions/kursk/timeline.csv?stance=rejects&bom=1")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", res.StatusCode)
	}
	if !strings.HasPrefix(body, export.BOM) {
		t.Error("bom=1 export has no byte-order mark")
	}
	rows := parseCSV(t, body)
	if len(rows) < 2 {
		t.Fatal("no rows for Kursk with stance=rejects")
	}
	ids := map[string]bool{}
	for _, r := range rows[1:] {
		ids[r[0]] = true
	}
	// Every exported statement takes a "rejects" stance somewhere.
	for id := range ids {
		found := false
		for _, r := range rows[1:] {
			if r[0] == id && r[6] == "rejects" {
				found = true
			}
		}
		if !found {
			t.Errorf("statement %s exported without any rejects position", id)
		}
	}
	for _, tt := range []struct {
		path string
		code int
	}{
		{"/regions/kursk/timeline.csv?from=2024-13-40", http.StatusBadRequest},
		{"/regions/kursk/timeline.csv?bom=yes", http.StatusBadRequest},
		{"/regions/kursk/timeline.csv?region=donetsk", http.StatusBadRequest},
		{"/regions/atlantis/timeline.csv", http.StatusNotFound},
		{"/statements.csv?actor=dmitry-peskov", http.StatusOK},
	} {
		if res, _ := e.get(t, tt.path); res.StatusCode != tt.code {
			t.Errorf("GET %s = %d, want %d", tt.path, res.StatusCode, tt.code)
		}
	}
}

func TestCSVNeutralisesFormulasAndKeepsText(t *testing.T) {
	e := newEnv(t, true)
	ctx := context.Background()
	st, err := e.store.CreateStatement(ctx, parley.Editor{}, parley.StatementInput{
		Actor: "dmitry-peskov", Date: parley.Date{Time: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Precision: "day"},
		Quote: "=HYPERLINK(\"http://evil.example\",\"x\")", Summary: "-1+2 \"quoted\", with a comma\nand a second line — Песков",
		Occasion: "@briefing", Attribution: "spokesperson", Regions: []string{"crimea"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body := e.get(t, "/statements.csv?actor=dmitry-peskov&from=2025-03-01&to=2025-03-01")
	rows := parseCSV(t, body)
	var row []string
	for _, r := range rows[1:] {
		if r[0] == strconv.FormatInt(st.ID, 10) {
			row = r
		}
	}
	if row == nil {
		t.Fatalf("statement %d missing from export", st.ID)
	}
	if row[7] != "'"+st.Quote || row[8] != "'"+st.Summary || row[10] != "'@briefing" {
		t.Errorf("cells = %q / %q / %q; want each prefixed with ' and otherwise unchanged", row[7], row[8], row[10])
	}
	if row[5] != "" || row[6] != "" || row[9] != "crimea" {
		t.Errorf("statement without positions: demand %q stance %q regions %q", row[5], row[6], row[9])
	}
}

func TestExportLinksUseTheConfiguredBaseURL(t *testing.T) {
	pool := testdb.New(t)
	st := store.New(pool)
	data, _ := seed.Data()
	if _, err := st.LoadSeed(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handlers.NewServer(slog.New(slog.DiscardHandler), st, pgxstore.NewWithCleanupInterval(pool, 0),
		handlers.Config{BaseURL: "https://parley.example.org/"}))
	t.Cleanup(srv.Close)
	e := &env{srv: srv, pool: pool, store: st}
	_, body := e.get(t, "/regions/kursk/timeline.csv")
	rows := parseCSV(t, body)
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[16], "https://parley.example.org/statements/") {
			t.Fatalf("statement_url = %q, want it under BASE_URL", r[16])
		}
	}
	_, feed := e.get(t, "/changes.atom?region=kursk")
	mustContain(t, feed, "<link href=\"https://parley.example.org/statements/")
}
