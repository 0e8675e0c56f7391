package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"parley/internal/testdb"
)

// TestBrowserReview: under two-person review editor A records a statement,
// which stays unpublished; editor B approves it from /review; an anonymous
// reader then finds it on the dashboard and in the region's timeline.
func TestBrowserReview(t *testing.T) {
	ctx := browser(t)
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": testdb.URL(t), "LOG_LEVEL": "warn", "REVIEW": "two-person"}
	const password = "correct horse battery staple"
	for _, email := range []string{"ann@example.org", "ben@example.org"} {
		command(t, env, password+"\n", "user", "add", "-email", email, "-role", "editor")
	}
	srv := startServe(t, env)
	signIn := func(email string) {
		t.Helper()
		do(t, ctx, "sign in as "+email,
			chromedp.Navigate(srv.url+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
			chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
			chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
			chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in"]`)),
		)
	}
	signOut := func() {
		t.Helper()
		do(t, ctx, "sign out",
			chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)),
		)
	}

	signIn("ann@example.org")
	const summary = "Zelensky said Ukraine will insist on security guarantees before any ceasefire in Zaporizhzhia."
	do(t, ctx, "record a statement",
		chromedp.Navigate(srv.url+"/statements/new"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="statement-form"]`)),
		// The actor field suggests matches as one types.
		chromedp.SendKeys(chromedp.CSS(`#f-actor`), "zelensk"),
		chromedp.WaitReady(chromedp.CSS(`#f-actor-list option[value="volodymyr-zelensky"]`)),
		chromedp.SetValue(chromedp.CSS(`#f-actor`), "volodymyr-zelensky"),
		chromedp.SendKeys(chromedp.CSS(`#f-date`), "2026-11-20"),
		chromedp.SetValue(chromedp.CSS(`#f-date_precision`), "day"),
		chromedp.SendKeys(chromedp.CSS(`#f-summary`), summary),
		chromedp.SetValue(chromedp.CSS(`#f-attribution`), "on_record"),
		chromedp.Click(chromedp.CSS(`input[name="regions"][value="zaporizhzhia"]`)),
		chromedp.SetValue(chromedp.CSS(`#f-demand-0`), "security-guarantees"),
		chromedp.SetValue(chromedp.CSS(`#f-stance-0`), "insists"),
		chromedp.Click(chromedp.CSS(`[data-testid="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"], [data-testid="form-errors"]`)),
	)
	if got := text(t, ctx, `[data-testid="flash"]`); !strings.Contains(got, "another editor approves it") {
		t.Fatalf("flash after saving = %q, want it to say the statement waits for another editor", got)
	}
	if got := text(t, ctx, `[data-testid="own"]`); !strings.Contains(got, "another editor must approve") {
		t.Errorf("the author's candidate page says %q", got)
	}
	screenshot(t, ctx, "candidate-own")
	signOut()

	// Unpublished: the anonymous dashboard does not have it.
	do(t, ctx, "dashboard before approval", chromedp.Navigate(srv.url+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="matrix"]`)))
	if cell := text(t, ctx, `[data-testid="cell-volodymyr-zelensky-security-guarantees"]`); strings.Contains(cell, "2026") {
		t.Fatalf("before approval the dashboard already shows the candidate: %q", cell)
	}

	signIn("ben@example.org")
	do(t, ctx, "open /review and the candidate",
		chromedp.Click(chromedp.CSS(`nav a[href="/review"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="candidate"] a`)),
		chromedp.Click(chromedp.CSS(`[data-testid="candidate"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="diff"]`)),
	)
	if diff := text(t, ctx, `[data-testid="diff"]`); !strings.Contains(diff, summary) {
		t.Errorf("the candidate's diff = %q, want the new summary", diff)
	}
	screenshot(t, ctx, "candidate-review")
	do(t, ctx, "approve",
		chromedp.Click(chromedp.CSS(`[data-testid="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if got := text(t, ctx, `[data-testid="summary"]`); got != summary {
		t.Errorf("after approval the statement page shows %q", got)
	}
	signOut()

	do(t, ctx, "dashboard after approval", chromedp.Navigate(srv.url+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="matrix"]`)))
	if cell := text(t, ctx, `[data-testid="cell-volodymyr-zelensky-security-guarantees"]`); !strings.Contains(cell, "insists") || !strings.Contains(cell, "20 November 2026") {
		t.Errorf("Zelensky × security guarantees = %q, want insists, 20 November 2026", cell)
	}
	do(t, ctx, "the Zaporizhzhia timeline", chromedp.Navigate(srv.url+"/regions/zaporizhzhia"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="region-name"]`)))
	if tl := text(t, ctx, `ol.timeline`); !strings.Contains(tl, summary) {
		t.Errorf("the Zaporizhzhia timeline lacks the approved statement")
	}
}
