package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"parley/internal/testdb"
)

// TestBrowserIntake pastes an article into /intake in headless Chromium,
// corrects one draft, drops another, saves, finds the drafts as candidates
// on /review, and, once a second editor approved one, its statement page.
func TestBrowserIntake(t *testing.T) {
	ctx := browser(t)
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": testdb.URL(t), "LOG_LEVEL": "warn", "REVIEW": "two-person"}
	const email, password, second = "editor@example.org", "correct horse battery staple", "second@example.org"
	for _, e := range []string{email, second} {
		if out := command(t, env, password+"\n", "user", "add", "-email", e, "-role", "editor"); !strings.Contains(out, "created editor account for "+e) {
			t.Fatalf("user add printed %q", out)
		}
	}
	srv := startServe(t, env)
	do(t, ctx, "sign in",
		chromedp.Navigate(srv.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in"]`)),
	)

	const article = "Kremlin spokesman Dmitri Peskow said on Tuesday: “A freeze of the war will not work.”\n" +
		"Two Russian officials familiar with the Kremlin's thinking said Putin could accept a ceasefire in Donetsk.\n" +
		"Zelenskyy rejected any territorial swap involving the Kursk region, his office said."
	do(t, ctx, "paste the article",
		chromedp.Click(chromedp.CSS(`nav a[href="/intake"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="intake-form"]`)),
		chromedp.SetValue(chromedp.CSS(`#f-text`), article),
		chromedp.SendKeys(chromedp.CSS(`#f-outlet`), "Test Wire"),
		chromedp.SendKeys(chromedp.CSS(`#f-title`), "Peskov rules out a freeze"),
		chromedp.SendKeys(chromedp.CSS(`#f-published`), "2024-11-22"),
		chromedp.SetValue(chromedp.CSS(`#f-published_precision`), "day"),
		chromedp.Click(chromedp.CSS(`[data-testid="analyse"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="drafts-form"]`)),
	)
	screenshot(t, ctx, "intake-drafts")
	auditHere(t, ctx, "/intake (analysed)")
	drafts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('[data-testid="draft"] legend')).map(l => l.textContent.trim())`))
	if err != nil || len(drafts) != 3 {
		t.Fatalf("drafts %q (err %v), want 3", drafts, err)
	}
	if got := text(t, ctx, `[data-testid="intake-text"] mark.f-actor`); got != "Kremlin spokesman" {
		t.Errorf("the first actor marked is %q, want Kremlin spokesman", got)
	}
	if !strings.Contains(drafts[1], "Two Russian officials") {
		t.Errorf("second draft %q, want the anonymous officials", drafts[1])
	}

	// Correct the first draft, drop the second, keep the third; save.
	const corrected = "Peskov said a freeze of the war would not work."
	do(t, ctx, "correct, drop and save",
		chromedp.SetValue(chromedp.CSS(`#f-d0-summary`), corrected),
		chromedp.SetValue(chromedp.CSS(`#f-d0-occasion`), "daily briefing"),
		chromedp.Click(chromedp.CSS(`input[name="d1.keep"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="save-drafts"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"], [data-testid="form-errors"]`)),
	)
	if errs, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll('[data-testid="form-errors"], .field-error')).map(e => e.textContent.trim()).join(' | ')`)); err != nil || errs != "" {
		screenshot(t, ctx, "intake-errors")
		t.Fatalf("saving the drafts showed errors: %q (err %v)", errs, err)
	}
	if got := text(t, ctx, `[data-testid="flash"]`); !strings.HasPrefix(got, "Saved 2 statements as candidates") {
		t.Errorf("flash = %q, want Saved 2 statements as candidates …", got)
	}
	// The kept drafts wait on /review, not the dropped one.
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || loc != srv.url+"/review" {
		t.Fatalf("after saving, at %s (err %v), want /review", loc, err)
	}
	listed := text(t, ctx, `[data-testid="candidates"]`)
	for _, want := range []string{corrected, "Zelenskyy rejected any territorial swap"} {
		if !strings.Contains(listed, want) {
			t.Errorf("/review does not list %q: %.300s", want, listed)
		}
	}
	if strings.Contains(listed, "could accept a ceasefire") {
		t.Errorf("the dropped draft was saved: %.300s", listed)
	}
	// Unpublished until a second editor approves the corrected one.
	do(t, ctx, "sign out and in as the second editor",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)),
		chromedp.Navigate(srv.url+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), second),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-in"]`)),
		chromedp.Navigate(srv.url+"/review"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="candidates"]`)),
	)
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('[data-testid="candidate"]'))
		.find(li => li.textContent.includes(`+"`"+corrected+"`"+`)).querySelector('a').getAttribute('href')`))
	if err != nil {
		t.Fatalf("the corrected draft's candidate: %v", err)
	}
	do(t, ctx, "approve the corrected draft",
		chromedp.Navigate(srv.url+href),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="approve"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	// The corrected statement's own page.
	do(t, ctx, "open the corrected statement",
		chromedp.Navigate(srv.url+"/statements?q=freeze+would+not+work"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="statement"] a[href^="/statements/"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="statement"] a[href^="/statements/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="summary"]`)),
	)
	if got := text(t, ctx, `[data-testid="summary"]`); got != corrected {
		t.Errorf("summary = %q, want %q", got, corrected)
	}
	if got := text(t, ctx, `[data-testid="quote"]`); got != "A freeze of the war will not work." {
		t.Errorf("quote = %q", got)
	}
	if got := text(t, ctx, `[data-testid="date"]`); got != "19 November 2024" {
		t.Errorf("date = %q, want 19 November 2024 (the Tuesday before publication)", got)
	}
	facts := text(t, ctx, `dl.facts`)
	for _, want := range []string{"Dmitry Peskov", "spokesperson", "Test Wire"} {
		if !strings.Contains(facts+" "+text(t, ctx, `main`), want) {
			t.Errorf("the statement page lacks %q: %q", want, facts)
		}
	}
}

// auditHere runs the accessibility audit's checks (axe's WCAG 2.2 A/AA
// rules, no overflow) on the page the browser shows, at each audit width:
// for pages reached by a form, which the audit's list of addresses cannot.
func auditHere(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	axeJS, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axeJS)+";true")); err != nil {
		t.Fatalf("inject axe: %v", err)
	}
	for _, w := range auditWidths {
		do(t, ctx, "resize", chromedp.EmulateViewport(w, 900))
		if wide, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); err != nil || wide > w {
			culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(overflowing, w)))
			t.Errorf("%s at %d px: the page is %d px wide (err %v): %s", what, w, wide, err, culprits)
		}
		out, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(axeRun, axeRules[w]), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("axe: %v", err)
		}
		var vs []axeViolation
		if err := json.Unmarshal([]byte(out), &vs); err != nil {
			t.Fatalf("axe answered %q: %v", out, err)
		}
		for _, v := range vs {
			t.Errorf("%s at %d px: %s (%s): %s\n\t%s", what, w, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n\t"))
		}
	}
	do(t, ctx, "resize back", chromedp.EmulateViewport(1280, 900))
}
