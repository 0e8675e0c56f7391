package views

import (
	"parley"
	"testing"
	"time"
)

// An actor with thousands of statements gets a chart of its stance
// changes, ending on its latest stance, not thousands of circles.
func TestStanceChartOfManyEventsDrawsTheChanges(t *testing.T) {
	day := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	var events []parley.StanceEvent
	for i := range 3000 {
		stance := parley.Insists
		if i/40%2 == 1 { // a change every 40 statements: 75 changes
			stance = "rejects"
		}
		if i == 2999 {
			stance = "open"
		}
		events = append(events, parley.StanceEvent{StatementID: int64(i + 1), Stance: stance,
			Date: parley.Date{Time: day.AddDate(0, 0, i), Precision: "day"}})
	}
	c := NewStanceChart(events, events[0].Date.Time, events[len(events)-1].Date.Time)
	if len(c.Points) != 76 { // the first, 74 more changes, and the last (a change too)
		t.Errorf("points = %d, want 76 (the stance changes)", len(c.Points))
	}
	if last := c.Points[len(c.Points)-1]; last.Class != "stance-open" {
		t.Errorf("last point = %+v, want the latest stance, open", last)
	}

	few := NewStanceChart(events[:50], events[0].Date.Time, events[49].Date.Time)
	if len(few.Points) != 50 {
		t.Errorf("50 events drew %d points, want every one", len(few.Points))
	}
}
