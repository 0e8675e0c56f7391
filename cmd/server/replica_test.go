package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"parley/internal/testdb"
)

// TestReadReplicaForAnonymousBrowsing runs Parley with DATABASE_URL on
// database A and DATABASE_READ_URL on database B, which holds different
// content: visitors who are not signed in read B, a signed-in editor reads
// and writes A, and when B goes away anonymous pages answer 503 while the
// editor carries on.
func TestReadReplicaForAnonymousBrowsing(t *testing.T) {
	ctx := context.Background()
	primaryURL, replicaURL := testdb.URL(t), testdb.URL(t)
	// A and B: the seed, with one actor named differently in each so that
	// pages tell them apart.
	for db, name := range map[string]string{primaryURL: "Primary Hegseth", replicaURL: "Replica Hegseth"} {
		command(t, map[string]string{"DATABASE_URL": db, "LOG_LEVEL": "warn"}, "", "seed")
		execSQL(t, db, `UPDATE actors SET name = '`+name+`' WHERE name = 'Pete Hegseth'`, 1)
	}

	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": primaryURL, "DATABASE_READ_URL": replicaURL, "LOG_LEVEL": "warn"}
	command(t, env, "replica test pw\n", "user", "add", "-email", "ed@example.org", "-role", "editor")
	srv := startServe(t, env)
	ed := editorClient(t, srv, "ed@example.org", "replica test pw")

	// (/?all=1: Hegseth, a stakeholder's actor, is in the matrix only with every side.)
	for _, path := range []string{"/?all=1", "/actors"} {
		status, body := fetch(t, srv.url+path)
		if status != http.StatusOK || !strings.Contains(body, "Replica Hegseth") || strings.Contains(body, "Primary Hegseth") {
			t.Errorf("anonymous GET %s = %d; want the replica's content (Replica Hegseth)", path, status)
		}
		status, body = getAs(t, ed, srv.url+path)
		if status != http.StatusOK || !strings.Contains(body, "Primary Hegseth") || strings.Contains(body, "Replica Hegseth") {
			t.Errorf("editor GET %s = %d; want the primary's content (Primary Hegseth)", path, status)
		}
	}

	// The editor's statement is written to A, and the editor sees it at once.
	const summary = "Replica test: written to the primary only"
	res, err := ed.PostForm(srv.url+"/statements/new", url.Values{"idempotency_key": {newKey()},
		"actor": {"dmitry-peskov"}, "date": {"2025-03-10"}, "date_precision": {"day"}, "attribution": {"spokesperson"},
		"regions": {"crimea"}, "summary": {summary}, "confirm_duplicate": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/statements/") {
		t.Fatalf("POST /statements/new = %d, Location %q; want 303 to the statement", res.StatusCode, res.Header.Get("Location"))
	}
	show := srv.url + res.Header.Get("Location")
	if n := countStatements(t, primaryURL, summary); n != 1 {
		t.Errorf("primary holds %d copies of the new statement, want 1", n)
	}
	if n := countStatements(t, replicaURL, summary); n != 0 {
		t.Errorf("replica holds %d copies of the new statement, want 0 (nothing is written to it)", n)
	}
	if status, body := getAs(t, ed, show); status != http.StatusOK || !strings.Contains(body, summary) {
		t.Errorf("editor GET %s = %d; want their new statement (read-your-writes)", show, status)
	}
	if status, _ := fetch(t, show); status != http.StatusNotFound {
		t.Errorf("anonymous GET %s = %d; want 404, the replica has not got it", show, status)
	}

	// B goes away: anonymous pages say Parley is unavailable, the editor
	// (and readiness, which checks the primary) carry on.
	conn, err := pgx.Connect(ctx, primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP DATABASE `+pgx.Identifier{dbName(t, replicaURL)}.Sanitize()+` WITH (FORCE)`); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/?all=1", "/actors", "/statements.csv"} {
		status, body := fetch(t, srv.url+path)
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "Temporarily unavailable") {
			t.Errorf("anonymous GET %s with the replica gone = %d; want 503 with an explanation", path, status)
		}
		status, body = getAs(t, ed, srv.url+path)
		if status != http.StatusOK || !strings.Contains(body, "Primary Hegseth") {
			t.Errorf("editor GET %s with the replica gone = %d; want 200 from the primary", path, status)
		}
	}
	if status, _ := fetch(t, srv.url+"/readyz"); status != http.StatusOK {
		t.Errorf("/readyz with the replica gone = %d; want 200 (it checks the primary)", status)
	}
	if err := srv.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func getAs(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// execSQL runs sql on the database at dbURL and checks it touched want rows.
func execSQL(t *testing.T, dbURL, sql string, want int64) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tag, err := conn.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if tag.RowsAffected() != want {
		t.Fatalf("%s: %d rows, want %d", sql, tag.RowsAffected(), want)
	}
}

// countStatements returns how many statements at dbURL have summary.
func countStatements(t *testing.T, dbURL, summary string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM statements WHERE summary = $1`, summary).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func dbName(t *testing.T, dbURL string) string {
	t.Helper()
	c, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return c.Database
}
