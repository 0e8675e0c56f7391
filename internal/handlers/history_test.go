package handlers_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// ---- History and restore ----

var restoreFormRe = regexp.MustCompile(`action="(/revisions/\d+/restore)"[^>]*>\s*<button[^>]*data-testid="restore-revision-(\d+)"`)

// restoreURL finds the restore button of version on a page's history.
func restoreURL(t *testing.T, body string, version int) string {
	t.Helper()
	for _, m := range restoreFormRe.FindAllStringSubmatch(one(t, body, "history"), -1) {
		if m[2] == strconv.Itoa(version) {
			return m[1]
		}
	}
	t.Fatalf("no restore button for version %d in the history", version)
	return ""
}

var changeRowRe = regexp.MustCompile(`(?s)<tr><th scope="row">(.*?)</th><td><del>(.*?)</del></td><td><ins>(.*?)</ins></td></tr>`)

// historyShows reports whether the history lists field changed from
// before to after.
func historyShows(body, field, before, after string) bool {
	for _, h := range byTestID(body, "history") {
		for _, m := range changeRowRe.FindAllStringSubmatch(h, -1) {
			if text(m[1]) == field && html.UnescapeString(m[2]) == before && html.UnescapeString(m[3]) == after {
				return true
			}
		}
	}
	return false
}

func TestHistoryShowsChangesAndRestores(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	ctx := context.Background()

	t.Run("statement", func(t *testing.T) {
		orig, err := e.store.GetStatement(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		form := formValues(t, b.mustGet(t, "/statements/1/edit"), "statement-form")
		edited := "Peskov's words, summarised again."
		form.Set("summary", edited)
		b.mustPost(t, "/statements/1/edit", form)

		body := b.mustGet(t, "/statements/1")
		if !historyShows(body, "summary", orig.Summary, edited) {
			t.Errorf("statement history does not show summary %q → %q", orig.Summary, edited)
		}
		revs := e.count(t, `SELECT count(*) FROM revisions WHERE entity_type = 'statement' AND entity_id = 1`)
		if loc := b.mustPost(t, restoreURL(t, body, orig.Version), nil); loc != "/statements/1" {
			t.Errorf("restore redirects to %q, want /statements/1", loc)
		}
		body = b.mustGet(t, "/statements/1")
		if got := text(one(t, body, "summary")); got != orig.Summary {
			t.Errorf("summary after restore = %q, want %q", got, orig.Summary)
		}
		if n := e.count(t, `SELECT count(*) FROM revisions WHERE entity_type = 'statement' AND entity_id = 1`); n != revs+1 {
			t.Errorf("revisions after restore = %d, want %d", n, revs+1)
		}
		var action string
		if err := e.pool.QueryRow(ctx, `SELECT action FROM revisions WHERE entity_type = 'statement' AND entity_id = 1 ORDER BY id DESC LIMIT 1`).Scan(&action); err != nil {
			t.Fatal(err)
		}
		if action != "restore" {
			t.Errorf("newest revision action = %q, want restore", action)
		}
		if !historyShows(body, "summary", edited, orig.Summary) {
			t.Errorf("statement history does not show the restore as a change back")
		}
		if first := text(one(t, body, "revision")); !strings.Contains(first, "restored") || !strings.Contains(first, "ed@example.org") {
			t.Errorf("newest revision reads %q, want it restored by ed@example.org", first)
		}
	})

	t.Run("actor", func(t *testing.T) {
		orig, err := e.store.GetActor(ctx, "dmitry-peskov")
		if err != nil {
			t.Fatal(err)
		}
		form := formValues(t, b.mustGet(t, "/actors/dmitry-peskov/edit"), "record-form")
		if form.Get("name") != orig.Name || form.Get("version") != strconv.Itoa(orig.Version) {
			t.Fatalf("actor edit form holds name %q version %q, want %q %d", form.Get("name"), form.Get("version"), orig.Name, orig.Version)
		}
		form.Set("role", "Spokesman (edited)")
		if loc := b.mustPost(t, "/actors/dmitry-peskov/edit", form); loc != "/actors/dmitry-peskov" {
			t.Errorf("actor edit redirects to %q", loc)
		}
		body := b.mustGet(t, "/actors/dmitry-peskov/history")
		if !historyShows(body, "role", orig.Role, "Spokesman (edited)") {
			t.Errorf("actor history does not show role %q → %q", orig.Role, "Spokesman (edited)")
		}
		b.mustPost(t, restoreURL(t, body, orig.Version), nil)
		a, err := e.store.GetActor(ctx, "dmitry-peskov")
		if err != nil {
			t.Fatal(err)
		}
		if a.Role != orig.Role || a.Version != orig.Version+2 {
			t.Errorf("after restore: role %q version %d, want %q version %d", a.Role, a.Version, orig.Role, orig.Version+2)
		}
		body = b.mustGet(t, "/actors/dmitry-peskov")
		mustContain(t, body, html.EscapeString(orig.Role))
		if !historyShows(body, "role", "Spokesman (edited)", orig.Role) {
			t.Errorf("actor page history does not show the restore")
		}
	})
}

// ---- The change log ----

func TestChangesLogFilters(t *testing.T) {
	e := newEnv(t, true)
	alice := e.signIn(t, "alice@example.org", "editor")
	bob := e.signIn(t, "bob@example.org", "editor")

	form := formValues(t, alice.mustGet(t, "/statements/1/edit"), "statement-form")
	form.Set("summary", "Alice edited this statement.")
	alice.mustPost(t, "/statements/1/edit", form)
	aform := formValues(t, alice.mustGet(t, "/actors/dmitry-peskov/edit"), "record-form")
	aform.Set("role", "Alice edited this actor.")
	alice.mustPost(t, "/actors/dmitry-peskov/edit", aform)
	bform := formValues(t, bob.mustGet(t, "/regions/donetsk/edit"), "record-form")
	bform.Set("name", "Donetsk (Bob)")
	bob.mustPost(t, "/regions/donetsk/edit", bform)

	rows := func(t *testing.T, path string) [][]string {
		t.Helper()
		body := alice.mustGet(t, path)
		var out [][]string
		table := one(t, body, "changes")
		tbody := table[strings.Index(table, "<tbody>"):]
		for _, tr := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(tbody, -1) {
			var cells []string
			for _, td := range regexp.MustCompile(`(?s)<td>(.*?)</td>`).FindAllStringSubmatch(tr[1], -1) {
				cells = append(cells, text(td[1]))
			}
			out = append(out, cells)
		}
		return out
	}

	all := rows(t, "/changes")
	if len(all) < 3 || !strings.Contains(all[0][1], "bob@example.org") || !strings.HasPrefix(all[0][2], "region") {
		t.Errorf("newest change = %v, want Bob's region edit first", all[0])
	}

	byAlice := rows(t, "/changes?editor=alice@example.org")
	if len(byAlice) != 2 {
		t.Errorf("changes by alice = %d rows, want 2: %v", len(byAlice), byAlice)
	}
	for _, r := range byAlice {
		if r[1] != "alice@example.org" {
			t.Errorf("editor filter lists a change by %q", r[1])
		}
	}

	statements := rows(t, "/changes?type=statement")
	if len(statements) == 0 {
		t.Fatal("type=statement lists nothing")
	}
	for _, r := range statements {
		if !strings.HasPrefix(r[2], "statement ") {
			t.Errorf("type filter lists %q", r[2])
		}
	}
	both := rows(t, "/changes?editor=alice@example.org&type=statement")
	if len(both) != 1 || !strings.Contains(both[0][3], "Alice edited this statement.") {
		t.Errorf("alice's statement changes = %v, want her one statement edit", both)
	}
	if got := rows(t, "/changes?editor=bob@example.org&type=statement"); len(got) != 0 {
		t.Errorf("bob's statement changes = %v, want none", got)
	}

	res, body := alice.get(t, "/changes?type=bogus")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /changes?type=bogus = %d, want 400", res.StatusCode)
	}
	if !strings.Contains(errorMessage(body), "bogus") {
		t.Errorf("400 page does not name the wrong value: %q", errorMessage(body))
	}
}
