package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"parley/internal/testdb"
)

// TestBrowserReportsAndConditions records, in headless
// Chromium, a statement that two sources report and whose position holds
// on a condition, and finds both on the statement page (v2).
func TestBrowserReportsAndConditions(t *testing.T) {
	ctx := browser(t)
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": testdb.URL(t), "LOG_LEVEL": "warn"}
	const email, password = "reports@example.org", "correct horse battery staple"
	command(t, env, password+"\n", "user", "add", "-email", email, "-role", "editor")
	srv := startServe(t, env)
	do(t, ctx, "sign in",
		chromedp.Navigate(srv.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in"]`)),
	)
	const summary = "Lavrov said Moscow would talk with Kyiv once Ukraine began withdrawing from the four regions."
	do(t, ctx, "fill step 1",
		chromedp.Navigate(srv.url+"/statements/new"),
	)
	do(t, ctx, "fill step 2",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="statement-form"]`)),
	)
	do(t, ctx, "fill step 3",
		chromedp.SetValue(chromedp.CSS(`#f-actor`), "sergei-lavrov"),
	)
	do(t, ctx, "fill step 4",
		chromedp.SendKeys(chromedp.CSS(`#f-date`), "2024-06"),
	)
	do(t, ctx, "fill step 5",
		chromedp.SetValue(chromedp.CSS(`#f-date_precision`), "month"),
	)
	do(t, ctx, "fill step 6",
		chromedp.SendKeys(chromedp.CSS(`#f-summary`), summary),
	)
	do(t, ctx, "fill step 7",
		chromedp.SetValue(chromedp.CSS(`#f-attribution`), "on_record"),
	)
	do(t, ctx, "fill step 8",
		chromedp.SetValue(chromedp.CSS(`#f-source_id`), "4"),
	)
	do(t, ctx, "fill step 9",
		chromedp.SetValue(chromedp.CSS(`#f-report-source-0`), "5"),
	)
	do(t, ctx, "fill step 10",
		chromedp.SendKeys(chromedp.CSS(`#f-report-quote-0`), "talks could begin as soon as the withdrawal starts"),
	)
	do(t, ctx, "fill step 11",
		chromedp.SetValue(chromedp.CSS(`#f-demand-0`), "direct-russia-ukraine-talks"),
	)
	do(t, ctx, "fill step 12",
		chromedp.SetValue(chromedp.CSS(`#f-stance-0`), "supports"),
	)
	do(t, ctx, "fill step 13",
		chromedp.SetValue(chromedp.CSS(`#f-cond-of-0`), "direct-russia-ukraine-talks"),
	)
	do(t, ctx, "fill step 14",
		chromedp.SetValue(chromedp.CSS(`#f-cond-side-0`), "ukraine"),
	)
	do(t, ctx, "fill step 15",
		chromedp.SetValue(chromedp.CSS(`#f-cond-stance-0`), "supports"),
	)
	do(t, ctx, "fill step 16",
		chromedp.SetValue(chromedp.CSS(`#f-cond-demand-0`), "withdrawal-four-regions"),
	)
	screenshot(t, ctx, "statement-form-reports-conditions")
	do(t, ctx, "save",
		chromedp.Click(chromedp.CSS(`[data-testid="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"], [data-testid="duplicates"], [data-testid="form-errors"]`)),
	)
	if dup, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="duplicates"]') !== null`)); dup {
		do(t, ctx, "confirm and save again",
			chromedp.Click(chromedp.CSS(`[data-testid="confirm-duplicate"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="save"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"], [data-testid="form-errors"]`)),
		)
	}
	if errs, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll('[data-testid="form-errors"], .field-error')).map(e => e.textContent.trim()).join(' | ')`)); err != nil || errs != "" {
		screenshot(t, ctx, "statement-reports-errors")
		t.Fatalf("saving showed errors: %q (err %v)", errs, err)
	}
	if got := text(t, ctx, `[data-testid="summary"]`); got != summary {
		t.Fatalf("not on the saved statement: summary %q", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="report"]').length`)); err != nil || n != 2 {
		t.Errorf("statement page lists %d reports (err %v), want 2", n, err)
	}
	if got := text(t, ctx, `[data-testid="report-count"]`); got != "2 sources report it." {
		t.Errorf("report count = %q", got)
	}
	if got := text(t, ctx, `[data-testid="reports"]`); !strings.Contains(got, "talks could begin as soon as the withdrawal starts") {
		t.Errorf("reports = %q, want the second report's quote", got)
	}
	if got := text(t, ctx, `[data-testid="conditions"]`); !strings.Contains(got, "only if Ukraine supports") {
		t.Errorf("conditions = %q, want them in plain words", got)
	}
	screenshot(t, ctx, "statement-two-reports-condition")
}
