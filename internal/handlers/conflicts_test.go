package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// ---- Two editors, one statement ----

func TestConcurrentEditsConflict(t *testing.T) {
	e := newEnv(t, true)
	alice := e.signIn(t, "alice@example.org", "editor")
	bob := e.signIn(t, "bob@example.org", "editor")

	aliceForm := formValues(t, alice.mustGet(t, "/statements/1/edit"), "statement-form")
	bobForm := formValues(t, bob.mustGet(t, "/statements/1/edit"), "statement-form")
	version := aliceForm.Get("version")
	if version == "" || bobForm.Get("version") != version {
		t.Fatalf("edit forms carry versions %q and %q, want the same", version, bobForm.Get("version"))
	}

	aliceForm.Set("summary", "Alice's careful rewording of the Peskov statement.")
	alice.mustPost(t, "/statements/1/edit", aliceForm)

	bobSummary := "Bob's <own> rewording & more."
	bobForm.Set("summary", bobSummary)
	res, body := bob.post(t, "/statements/1/edit", bobForm)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second save with the same version = %d, want 409", res.StatusCode)
	}
	if len(byTestID(body, "conflict")) == 0 {
		t.Errorf("no conflict notice on the page")
	}
	theirs := text(one(t, body, "their-version"))
	if !strings.Contains(theirs, "Alice's careful rewording") {
		t.Errorf("their-version does not show Alice's summary: %.300q", theirs)
	}
	kept := formValues(t, body, "statement-form")
	if kept.Get("summary") != bobSummary {
		t.Errorf("conflict form summary = %q, want Bob's typing %q", kept.Get("summary"), bobSummary)
	}
	v, _ := strconv.Atoi(version)
	if kept.Get("version") != strconv.Itoa(v+1) {
		t.Errorf("conflict form version = %q, want the newer %d", kept.Get("version"), v+1)
	}
	if s, _ := e.store.GetStatement(context.Background(), 1); !strings.HasPrefix(s.Summary, "Alice's") {
		t.Errorf("the conflict overwrote the summary: %q", s.Summary)
	}

	bob.mustPost(t, "/statements/1/edit", kept)
	if s, _ := e.store.GetStatement(context.Background(), 1); s.Summary != bobSummary {
		t.Errorf("summary after Bob saves over the newer version = %q, want %q", s.Summary, bobSummary)
	}

	t.Run("at once", func(t *testing.T) {
		a := formValues(t, alice.mustGet(t, "/statements/1/edit"), "statement-form")
		b := formValues(t, bob.mustGet(t, "/statements/1/edit"), "statement-form")
		a.Set("summary", "Alice, racing.")
		b.Set("summary", "Bob, racing.")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		errs := make([]error, 2)
		for i, who := range []*browser{alice, bob} {
			form := []url.Values{a, b}[i]
			wg.Go(func() {
				res, _, err := who.send(http.MethodPost, "/statements/1/edit", form, nil)
				errs[i] = err
				if err == nil {
					codes[i] = res.StatusCode
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		won, lost := 0, 0
		for _, c := range codes {
			switch c {
			case http.StatusSeeOther:
				won++
			case http.StatusConflict:
				lost++
			}
		}
		if won != 1 || lost != 1 {
			t.Errorf("statuses = %v, want one 303 and one 409", codes)
		}
	})
}
