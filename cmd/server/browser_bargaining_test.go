package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"parley/internal/testdb"
)

// TestBrowserBargainingAndCompare opens the bargaining space as of the 14
// June 2024 speech and what changed in February and March 2025 in headless
// Chromium, and keeps a screenshot of each.
func TestBrowserBargainingAndCompare(t *testing.T) {
	ctx := browser(t)
	srv := startServe(t, map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": testdb.URL(t), "LOG_LEVEL": "warn"})
	do(t, ctx, "open the bargaining space",
		chromedp.Navigate(srv.url+"/bargaining?as_of=2024-06-14"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="verdict"]`)),
	)
	do(t, ctx, "open the months where the figures moved",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="over-time"] svg`)),
		chromedp.Click(chromedp.CSS(`[data-testid="over-time"] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="over-time-table"]`)),
	)
	screenshot(t, ctx, "bargaining-2024-06-14")
	if got := text(t, ctx, `[data-testid="over-time-table"] tbody tr:last-child`); !strings.Contains(got, "14 June 2024") ||
		!strings.Contains(got, "Vladimir Putin, 14 June 2024") {
		t.Errorf("the chart's last month = %q, want 14 June 2024 moved by Putin's speech", got)
	}
	if got := text(t, ctx, `[data-testid="verdict"]`); !strings.Contains(got, "No package is feasible") ||
		!strings.Contains(got, "Withdrawal of Ukrainian troops") {
		t.Errorf("verdict = %q, want no package feasible and the withdrawal among the blocks", got)
	}
	if got := text(t, ctx, `[data-testid="bargain-direct-russia-ukraine-talks"]`); !strings.Contains(got, "only if Ukraine supports") {
		t.Errorf("talks row = %q, want Russia's conditions in words", got)
	}
	do(t, ctx, "compare February and March 2025",
		chromedp.Navigate(srv.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compare-with"]`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid="compare-with"] input[name="from"]`), "2025-02-01"),
		chromedp.SetValue(chromedp.CSS(`[data-testid="compare-with"] input[name="to"]`), "2025-03-31"),
		chromedp.Click(chromedp.CSS(`[data-testid="compare-with"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="compare-summary"]`)),
	)
	screenshot(t, ctx, "compare-2025-02-to-03")
	if got := text(t, ctx, `[data-testid="change-volodymyr-zelensky-kursk-territorial-swap"]`); !strings.Contains(got, "supports") {
		t.Errorf("Zelensky's Kursk swap row = %q, want his new stance", got)
	}
}
