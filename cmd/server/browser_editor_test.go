package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"parley/internal/testdb"
)

// do runs browser actions with a deadline, so that a wait for an element
// that never comes fails the test instead of hanging it.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestBrowserEditorFlow signs in as an editor in headless Chromium, records
// a statement with two positions, edits it, and follows it to the
// dashboard matrix and a region's timeline.
func TestBrowserEditorFlow(t *testing.T) {
	ctx := browser(t)
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": testdb.URL(t), "LOG_LEVEL": "warn"}
	const email, password = "editor@example.org", "correct horse battery staple"
	if out := command(t, env, password+"\n", "user", "add", "-email", email, "-role", "editor"); !strings.Contains(out, "created editor account for "+email) {
		t.Fatalf("user add printed %q", out)
	}
	srv := startServe(t, env)

	// Sign in.
	do(t, ctx, "sign in",
		chromedp.Navigate(srv.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in"]`)),
	)
	if got := text(t, ctx, `[data-testid="signed-in"]`); got != email {
		t.Errorf("signed in as %q, want %s", got, email)
	}

	// The new-statement form, reached from the navigation.
	do(t, ctx, "open the statement form",
		chromedp.Click(chromedp.CSS(`nav a[href="/statements/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="statement-form"]`)),
	)
	const summary = "Zelensky said Ukraine insists on security guarantees and would back a ceasefire along the current front line in Zaporizhzhia."
	const quote = "Without security guarantees, any ceasefire is only a pause before the next war."
	do(t, ctx, "fill the statement form",
		chromedp.SetValue(chromedp.CSS(`#f-actor`), "volodymyr-zelensky"),
		chromedp.SendKeys(chromedp.CSS(`#f-date`), "2025-03-20"),
		chromedp.SetValue(chromedp.CSS(`#f-date_precision`), "day"),
		chromedp.SendKeys(chromedp.CSS(`#f-quote`), quote),
		chromedp.SendKeys(chromedp.CSS(`#f-summary`), summary),
		chromedp.SetValue(chromedp.CSS(`#f-attribution`), "on_record"),
		chromedp.Click(chromedp.CSS(`input[name="regions"][value="zaporizhzhia"]`)),
		chromedp.SetValue(chromedp.CSS(`#f-demand-0`), "security-guarantees"),
		chromedp.SetValue(chromedp.CSS(`#f-stance-0`), "insists"),
		chromedp.SetValue(chromedp.CSS(`#f-demand-1`), "ceasefire-line-of-contact"),
		chromedp.SetValue(chromedp.CSS(`#f-stance-1`), "supports"),
	)
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name="regions"][value="zaporizhzhia"]').checked`))
	if err != nil || !checked {
		t.Fatalf("Zaporizhzhia checkbox checked = %v (err %v), want true", checked, err)
	}
	screenshot(t, ctx, "statement-form")

	do(t, ctx, "save the statement",
		chromedp.Click(chromedp.CSS(`[data-testid="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"], [data-testid="duplicates"], [data-testid="form-errors"]`)),
	)
	dup, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="duplicates"]') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if dup {
		// A possible duplicate: the form keeps what was typed; confirm and save again.
		t.Logf("possible-duplicate warning: %s", text(t, ctx, `[data-testid="duplicates"]`))
		do(t, ctx, "confirm and save again",
			chromedp.Click(chromedp.CSS(`[data-testid="confirm-duplicate"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="save"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"], [data-testid="form-errors"]`)),
		)
	}
	if errs, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll('[data-testid="form-errors"], .field-error')).map(e => e.textContent.trim()).join(' | ')`)); err != nil || errs != "" {
		screenshot(t, ctx, "statement-form-errors")
		t.Fatalf("saving the statement showed errors: %q (err %v)", errs, err)
	}
	if got := text(t, ctx, `[data-testid="flash"]`); got != "Statement saved." {
		t.Errorf("flash = %q, want Statement saved.", got)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, srv.url+"/statements/") {
		t.Errorf("after saving, at %s, want a statement page", loc)
	}
	if got := text(t, ctx, `[data-testid="summary"]`); got != summary {
		t.Errorf("summary = %q, want %q", got, summary)
	}
	if got := text(t, ctx, `[data-testid="quote"]`); got != quote {
		t.Errorf("quote = %q, want %q", got, quote)
	}
	if got := text(t, ctx, `[data-testid="date"]`); got != "20 March 2025" {
		t.Errorf("date = %q, want 20 March 2025", got)
	}
	// One item per position, demand title then stance (ordered by title).
	positions, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('[data-testid="positions"] li')).map(li => li.textContent.replace(/\s+/g, ' ').trim())`))
	if err != nil {
		t.Fatal(err)
	}
	wantPositions := [][2]string{
		{"Ceasefire / freeze along the line of contact:", "▲ supports"},
		{"Security guarantees for Ukraine:", "▲▲ insists"},
	}
	if len(positions) != len(wantPositions) {
		t.Errorf("statement page lists positions %q, want 2", positions)
	} else {
		for i, w := range wantPositions {
			if !strings.HasPrefix(positions[i], w[0]) || !strings.HasSuffix(positions[i], w[1]) {
				t.Errorf("position %d = %q, want %q … %q", i, positions[i], w[0], w[1])
			}
		}
	}
	facts := text(t, ctx, `dl.facts`)
	for _, want := range []string{"Volodymyr Zelensky (", "), on the record", "Regions Zaporizhzhia"} {
		if !strings.Contains(facts, want) {
			t.Errorf("facts = %q, want it to contain %q", facts, want)
		}
	}
	screenshot(t, ctx, "statement-saved")

	// Edit the summary.
	const edited = "Zelensky said Ukraine insists on security guarantees backed by allies and would accept a ceasefire along the front line, including in Zaporizhzhia."
	do(t, ctx, "open the edit form",
		chromedp.Click(chromedp.CSS(`[data-testid="record-actions"] a[href$="/edit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="statement-form"]`)),
	)
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#f-summary`))); err != nil || v != summary {
		t.Errorf("edit form summary = %q (err %v), want the saved one", v, err)
	}
	do(t, ctx, "save the edit",
		chromedp.SetValue(chromedp.CSS(`#f-summary`), edited),
		chromedp.Click(chromedp.CSS(`[data-testid="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"], [data-testid="form-errors"], [data-testid="conflict"]`)),
	)
	if got := text(t, ctx, `[data-testid="flash"]`); got != "Changes saved." {
		t.Errorf("flash after edit = %q, want Changes saved.", got)
	}
	if got := text(t, ctx, `[data-testid="summary"]`); got != edited {
		t.Errorf("summary after edit = %q, want %q", got, edited)
	}
	history := text(t, ctx, `[data-testid="history"]`)
	for _, want := range []string{"Version 2: edited by " + email, "Version 1: created by " + email, "summary " + summary + " " + edited} {
		if !strings.Contains(history, want) {
			t.Errorf("history = %q, want it to contain %q", history, want)
		}
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="history"] [data-testid="revision"]').length`)); err != nil || n != 2 {
		t.Errorf("history lists %d revisions (err %v), want 2", n, err)
	}

	// The dashboard shows Zelensky's new stance on security guarantees.
	do(t, ctx, "open the dashboard",
		chromedp.Navigate(srv.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="matrix"]`)),
	)
	cell := text(t, ctx, `[data-testid="cell-volodymyr-zelensky-security-guarantees"]`)
	if !strings.Contains(cell, "insists") || !strings.Contains(cell, "20 March 2025") {
		t.Errorf("Zelensky × security guarantees cell = %q, want insists, 20 March 2025", cell)
	}
	cell = text(t, ctx, `[data-testid="cell-volodymyr-zelensky-ceasefire-line-of-contact"]`)
	if !strings.Contains(cell, "supports") || !strings.Contains(cell, "20 March 2025") {
		t.Errorf("Zelensky × ceasefire line cell = %q, want supports, 20 March 2025", cell)
	}
	screenshot(t, ctx, "dashboard-after-edit")

	// The Zaporizhzhia timeline holds the edited statement.
	do(t, ctx, "open the Zaporizhzhia timeline",
		chromedp.Navigate(srv.url+"/regions/zaporizhzhia"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="region-name"]`)),
	)
	timeline := text(t, ctx, `ol.timeline`)
	if !strings.Contains(timeline, edited) {
		t.Errorf("Zaporizhzhia timeline does not contain the edited summary; it reads %q", timeline)
	}
	if strings.Contains(timeline, summary) {
		t.Errorf("Zaporizhzhia timeline still shows the summary from before the edit")
	}
}
