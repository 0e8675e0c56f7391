package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestCompareShowsZelenskysKurskSwap: between February and the end of March
// 2025 Zelensky took a position on the Kursk territorial swap (11 February);
// the comparison lists it, with the statement, and says how much changed.
func TestCompareShowsZelenskysKurskSwap(t *testing.T) {
	e := newEnv(t, true)
	res, body := e.browser(t).get(t, "/compare.json?from=2025-02-01&to=2025-03-31")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/compare.json = %d", res.StatusCode)
	}
	var c struct {
		From, To  string
		Positions []struct {
			Actor, Demand, To string
			From              *string
			Statement         int64
		}
		Sides []struct{ Side, Demand, To string }
		Gaps  []struct {
			Demand   string
			From, To *int
		}
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range c.Positions {
		if p.Actor == "volodymyr-zelensky" && p.Demand == "kursk-territorial-swap" {
			found = p.Statement > 0 && p.From == nil && p.To != ""
		}
		if p.From != nil && *p.From == p.To {
			t.Errorf("an unchanged position is listed: %+v", p)
		}
	}
	if !found {
		t.Errorf("positions %+v: no new position of Zelensky on the Kursk swap with its statement", c.Positions)
	}
	page := e.wantStatus(t, "/compare?from=2025-02-01&to=2025-03-31", http.StatusOK)
	if got := text(one(t, page, "change-volodymyr-zelensky-kursk-territorial-swap")); !strings.Contains(got, "no position") || !strings.Contains(got, "→") {
		t.Errorf("compare page row = %q", got)
	}
	if sum := text(one(t, page, "compare-summary")); !strings.Contains(sum, "positions changed") {
		t.Errorf("summary = %q", sum)
	}
	for _, bad := range []string{"?from=2025-03-31&to=2025-02-01", "?from=2025-02-01", "?to=2025-02-01", "?from=yesterday&to=2025-02-01", "?from=2025-01-01&to=2025-02-01&x=1"} {
		if res, _ := e.browser(t).get(t, "/compare.json"+bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("/compare.json%s = %d, want 400", bad, res.StatusCode)
		}
		if res, _ := e.browser(t).get(t, "/compare"+bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("/compare%s = %d, want 400", bad, res.StatusCode)
		}
	}
}
