package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// ---- Forms keep what was typed ----

func TestStatementFormKeepsInputAndNamesErrors(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	future := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	quote := `“We will not” — <never> & 'ever'`
	tests := []struct {
		name       string
		change     map[string]string
		wantErrors []string
		wantKept   []string // fields whose typed value the page must show again
	}{
		{"impossible date and no summary", map[string]string{"date": "2025-13-40", "summary": "", "quote": quote},
			[]string{"date", "summary"}, []string{"date", "quote"}},
		{"future date", map[string]string{"date": future, "summary": "Said in the future."},
			[]string{"date"}, []string{"date", "summary"}},
		{"day date with month precision", map[string]string{"date": "2024-06-14", "date_precision": "month", "summary": "Precision mismatch."},
			[]string{"date_precision"}, []string{"date", "summary"}},
		{"javascript source address", map[string]string{"summary": "Source with a script address.", "source_id": "",
			"source_outlet": "Evil Daily", "source_url": "javascript:alert(1)"},
			[]string{"source_url"}, []string{"source_outlet", "source_url", "summary"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := newStatementForm(t, "")
			for k, v := range tt.change {
				form.Set(k, v)
			}
			before := e.fingerprint(t)
			res, body := b.post(t, "/statements/new", form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422; errors: %v", res.StatusCode, fieldErrors(body))
			}
			for _, f := range tt.wantErrors {
				if len(byTestID(body, "error-"+f)) == 0 {
					t.Errorf("no error-%s on the page; errors shown: %v", f, fieldErrors(body))
				}
			}
			if len(byTestID(body, "form-errors")) == 0 {
				t.Errorf("no error summary (form-errors) on the page")
			}
			shown := formValues(t, body, "statement-form")
			for _, f := range tt.wantKept {
				if got := shown.Get(f); got != form.Get(f) {
					t.Errorf("field %s shows %q, want what was typed: %q", f, got, form.Get(f))
				}
			}
			if shown.Get("actor") != "vladimir-putin" || shown.Get("idempotency_key") != form.Get("idempotency_key") {
				t.Errorf("form lost its actor or idempotency key: actor %q, key %q", shown.Get("actor"), shown.Get("idempotency_key"))
			}
			if after := e.fingerprint(t); after != before {
				t.Errorf("a rejected form changed the database")
			}
		})
	}
}

func TestActorFormKeepsInputAndNamesErrors(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	form := url.Values{"slug": {"Bad Slug"}, "name": {"Typed Name «Ünïcode»"}, "aliases": {"One\nTwo"},
		"kind": {"person"}, "side": {"russia"}, "role": {"Typed role"}}
	before := e.fingerprint(t)
	res, body := b.post(t, "/actors/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST /actors/new with a bad slug = %d, want 422", res.StatusCode)
	}
	if len(byTestID(body, "error-slug")) == 0 {
		t.Errorf("no error-slug on the page; errors shown: %v", fieldErrors(body))
	}
	shown := formValues(t, body, "record-form")
	for _, f := range []string{"slug", "name", "aliases", "kind", "side", "role"} {
		if got := shown.Get(f); got != form.Get(f) {
			t.Errorf("field %s shows %q, want what was typed: %q", f, got, form.Get(f))
		}
	}
	if after := e.fingerprint(t); after != before {
		t.Errorf("a rejected actor form changed the database")
	}
	if res, _ := b.get(t, "/actors/bad-slug"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /actors/bad-slug = %d, want 404", res.StatusCode)
	}
}

// ---- The same form twice ----

func TestNewStatementFormIsSavedOnce(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")

	t.Run("twice in a row", func(t *testing.T) {
		body := b.mustGet(t, "/statements/new")
		form := formValues(t, body, "statement-form")
		if form.Get("idempotency_key") == "" {
			t.Fatal("the new-statement form carries no idempotency_key")
		}
		summary := "Double-clicked statement about neutrality."
		for k, v := range newStatementForm(t, summary) {
			if k != "idempotency_key" {
				form[k] = v
			}
		}
		first := b.mustPost(t, "/statements/new", form)
		second := b.mustPost(t, "/statements/new", form)
		if !regexp.MustCompile(`^/statements/\d+$`).MatchString(first) || second != first {
			t.Errorf("redirects = %q and %q, want the same /statements/{id}", first, second)
		}
		if n := e.statementsWithSummary(t, summary); n != 1 {
			t.Errorf("statements saved = %d, want 1", n)
		}
	})

	t.Run("at once", func(t *testing.T) {
		summary := "Kyiv must never host foreign bases, the Kremlin leader told reporters in Minsk."
		form := newStatementForm(t, summary)
		form.Set("date", "2023-03-02")
		const n = 4
		var wg sync.WaitGroup
		res := make([]*http.Response, n)
		bodies := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { res[i], bodies[i], errs[i] = b.send(http.MethodPost, "/statements/new", form, nil) })
		}
		wg.Wait()
		saved := map[string]bool{}
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			switch {
			case res[i].StatusCode == http.StatusSeeOther:
				saved[res[i].Header.Get("Location")] = true
			case res[i].StatusCode == http.StatusUnprocessableEntity && len(byTestID(bodies[i], "duplicates")) > 0:
				// A submission that raced the first one's commit may be
				// warned that the statement now exists; it saves nothing.
			default:
				t.Errorf("submission %d = %d, want 303; errors %v", i, res[i].StatusCode, fieldErrors(bodies[i]))
			}
		}
		if len(saved) != 1 {
			t.Errorf("submissions redirected to %v, want one /statements/{id}", saved)
		}
		if n := e.statementsWithSummary(t, summary); n != 1 {
			t.Errorf("statements saved = %d, want 1", n)
		}
	})
}

// ---- Possible duplicates ----

func TestPossibleDuplicateNeedsConfirmation(t *testing.T) {
	e := newEnv(t, true)
	b := e.signIn(t, "ed@example.org", "editor")
	var existing int64
	var summary string
	err := e.pool.QueryRow(context.Background(), `
		SELECT s.id, s.summary FROM statements s JOIN actors a ON a.id = s.actor_id
		WHERE a.slug = 'vladimir-putin' AND s.date = '2024-06-14' AND s.date_precision = 'day' ORDER BY s.id LIMIT 1`).Scan(&existing, &summary)
	if err != nil {
		t.Fatalf("the seed has no day-precise Putin statement of 14 June 2024: %v", err)
	}
	near := strings.Replace(summary, "Putin proposed", "Putin again proposed", 1)
	if near == summary {
		near = summary + " Again."
	}
	form := newStatementForm(t, near)
	form.Set("date", "2024-06-17")

	res, body := b.post(t, "/statements/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("near-duplicate = %d, want 422", res.StatusCode)
	}
	dups := byTestID(body, "duplicates")
	if len(dups) == 0 {
		t.Fatal("no duplicates warning on the page")
	}
	if want := fmt.Sprintf(`href="/statements/%d"`, existing); !strings.Contains(dups[0], want) {
		t.Errorf("the warning does not link the existing statement %d", existing)
	}
	if n := e.statementsWithSummary(t, near); n != 0 {
		t.Fatalf("saved before confirmation: %d", n)
	}
	shown := formValues(t, body, "statement-form")
	if shown.Get("summary") != near || shown.Get("date") != "2024-06-17" {
		t.Errorf("the warning page lost the typed summary or date: %q, %q", shown.Get("summary"), shown.Get("date"))
	}
	if len(byTestID(body, "confirm-duplicate")) == 0 {
		t.Fatal("no confirm-duplicate box on the page")
	}

	shown.Set("confirm_duplicate", "1")
	loc := b.mustPost(t, "/statements/new", shown)
	if loc == fmt.Sprintf("/statements/%d", existing) {
		t.Errorf("confirmation redirected to the existing statement")
	}
	if n := e.statementsWithSummary(t, near); n != 1 {
		t.Errorf("statements saved after confirmation = %d, want 1", n)
	}
}
