package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// ---- Delete and undo ----

func csvHasStatement(t *testing.T, body string, id int64) bool {
	t.Helper()
	for _, row := range parseCSV(t, body)[1:] {
		if row[0] == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}

func TestDeleteStatementAndUndo(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	_, csvBody := b.get(t, "/regions/donetsk/timeline.csv")
	if !csvHasStatement(t, csvBody, 1) {
		t.Fatal("statement 1 is not in the Donetsk timeline to begin with")
	}
	if ids, _, _ := b.e.walk(t, "/statements"); !containsID(ids, 1) {
		t.Fatal("statement 1 is not listed to begin with")
	}

	if loc := b.mustPost(t, "/statements/1/delete", nil); loc != "/statements" {
		t.Errorf("delete redirects to %q, want /statements", loc)
	}
	body := b.mustGet(t, "/statements")
	flash := byTestID(body, "flash")
	if len(flash) == 0 {
		t.Fatal("no flash message after deleting")
	}
	undo := byTestID(flash[0], "undo")
	if len(undo) == 0 || !strings.Contains(flash[0], `action="/statements/1/restore"`) {
		t.Fatalf("flash has no Undo button posting to /statements/1/restore: %s", flash[0])
	}
	if ids, _, _ := b.e.walk(t, "/statements"); containsID(ids, 1) {
		t.Errorf("deleted statement 1 is still listed")
	}
	if res, _ := b.get(t, "/statements/1"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /statements/1 after delete = %d, want 404", res.StatusCode)
	}
	if _, csvBody := b.get(t, "/regions/donetsk/timeline.csv"); csvHasStatement(t, csvBody, 1) {
		t.Errorf("deleted statement 1 is still in the Donetsk timeline CSV")
	}
	// The flash shows once.
	if body := b.mustGet(t, "/statements"); len(byTestID(body, "flash")) != 0 {
		t.Errorf("the flash shows again on the next page")
	}

	if loc := b.mustPost(t, "/statements/1/restore", nil); loc != "/statements/1" {
		t.Errorf("undo redirects to %q, want /statements/1", loc)
	}
	b.mustGet(t, "/statements/1")
	if _, csvBody := b.get(t, "/regions/donetsk/timeline.csv"); !csvHasStatement(t, csvBody, 1) {
		t.Errorf("restored statement 1 is missing from the Donetsk timeline CSV")
	}
	if ids, _, _ := b.e.walk(t, "/statements"); !containsID(ids, 1) {
		t.Errorf("restored statement 1 is not listed")
	}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestDeleteInUseIsRefused(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	tests := []struct {
		name, path, page, usedSQL string
	}{
		{"actor", "/actors/dmitry-peskov/delete", "/actors/dmitry-peskov",
			`SELECT s.id FROM statements s JOIN actors a ON a.id = s.actor_id WHERE a.slug = 'dmitry-peskov' AND s.deleted_at IS NULL`},
		{"demand", "/demands/ukraine-neutrality/delete", "/demands/ukraine-neutrality",
			`SELECT p.statement_id FROM positions p JOIN demands d ON d.id = p.demand_id JOIN statements s ON s.id = p.statement_id
			 WHERE d.slug = 'ukraine-neutrality' AND s.deleted_at IS NULL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var used int64
			if err := e.pool.QueryRow(context.Background(), tt.usedSQL+` ORDER BY 1 LIMIT 1`).Scan(&used); err != nil {
				t.Fatalf("no statement uses the %s: %v", tt.name, err)
			}
			before := e.fingerprint(t)
			res, body := b.post(t, tt.path, nil)
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("POST %s = %d, want 409", tt.path, res.StatusCode)
			}
			list := byTestID(body, "in-use")
			if len(list) == 0 {
				t.Fatal("no in-use list on the page")
			}
			if !strings.Contains(list[0], fmt.Sprintf(`href="/statements/%d"`, used)) {
				t.Errorf("in-use list does not link statement %d", used)
			}
			if after := e.fingerprint(t); after != before {
				t.Errorf("a refused delete changed the database")
			}
			b.mustGet(t, tt.page)
		})
	}
}
