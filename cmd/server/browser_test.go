package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"parley/internal/testdb"
)

// browser starts headless Chromium for t, or skips when it is not
// installed (make test installs it; in CI a missing browser fails).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("CHROME_BIN")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium not found: make test installs it (apt-get install chromium)")
		}
		t.Skip("Chromium not found; install it (apt-get install chromium) to run browser tests")
	}
	// Chromium leaves directories in TMPDIR: give it one the test owns,
	// removed once the browser has stopped (its helper processes may still
	// be writing the profile a moment after: retry, as t.TempDir does not).
	tmp, err := os.MkdirTemp("", "chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if err = os.RemoveAll(tmp); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("remove Chromium's directory %s: %v", tmp, err)
	})
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.WindowSize(1400, 1000),
		chromedp.Env("TMPDIR=" + tmp),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The browser starts with the first action: do it on this long-lived context.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// screenshot saves a full-page PNG under SCREENSHOT_DIR (default
// ./screenshots in the package directory, ignored by git).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = "screenshots"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// TestBrowserAnalystFlow loads the dashboard, a region page and a search
// in headless Chromium, as an analyst would, and saves screenshots.
func TestBrowserAnalystFlow(t *testing.T) {
	ctx := browser(t)
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": testdb.URL(t), "LOG_LEVEL": "warn"}
	srv := startServe(t, env)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/")); err != nil {
		t.Fatal(err)
	}
	cell := text(t, ctx, `[data-testid="cell-volodymyr-zelensky-kursk-territorial-swap"]`)
	if !strings.Contains(cell, "supports") || !strings.Contains(cell, "11 February 2025") {
		t.Errorf("Zelensky × territorial swap cell = %q, want supports, 11 February 2025", cell)
	}
	screenshot(t, ctx, "dashboard")

	// The date control redraws the dashboard as of a day.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`input[name="as_of"]`), "2024-06-14"),
		chromedp.Submit(chromedp.CSS(`input[name="as_of"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="as-of"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `[data-testid="as-of"]`); got != "as of 14 June 2024" {
		t.Errorf("as-of heading = %q", got)
	}
	// The cell is empty, or absent when nobody had addressed the swap yet.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`(document.querySelector('[data-testid="cell-volodymyr-zelensky-kursk-territorial-swap"]') || {textContent: ""}).textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "supports") {
		t.Errorf("as of 2024-06-14 Zelensky × swap = %q, want no position yet", got)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/regions/donetsk")); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `[data-testid="region-name"]`); !strings.HasPrefix(got, "Donetsk") {
		t.Errorf("region heading = %q", got)
	}
	if got := text(t, ctx, `[data-testid="exports"]`); !strings.Contains(got, "CSV for Excel") {
		t.Errorf("exports = %q", got)
	}
	screenshot(t, ctx, "region-donetsk")

	// Search by the alias a German-language source uses.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.url+"/statements"),
		chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), "Peskow"),
		chromedp.Submit(chromedp.CSS(`input[name="q"]`)),
		// The results page renders the search back into the field's attribute.
		chromedp.WaitVisible(chromedp.CSS(`input[name="q"][value="Peskow"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="statement"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `[data-testid="statement"] header a`); got != "Dmitry Peskov" {
		t.Errorf("first search result by %q, want Dmitry Peskov", got)
	}
	screenshot(t, ctx, "search-peskow")
}
