package views

import (
	"strings"
	"testing"
	"time"

	"parley"
)

func TestBargainingChartListsOnlyTheMonthsWhereTheFiguresMoved(t *testing.T) {
	month := func(m int) time.Time { return time.Date(2024, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC) }
	points := []parley.BargainingPoint{
		{Day: month(1), Feasible: true, Packages: 4, Moved: []int64{1, 2}},
		{Day: month(2), Feasible: true, Packages: 4, Moved: []int64{3}}, // a new statement, same figures
		{Day: month(3), Blocking: []string{"talks"}, Moved: []int64{4, 5, 6, 7, 8}},
		{Day: time.Date(2024, 4, 14, 0, 0, 0, 0, time.UTC), Blocking: []string{"talks"}},
	}
	c := NewBargainingChart(points)
	var labels []string
	for _, r := range c.Rows {
		labels = append(labels, r.Label)
	}
	if got := strings.Join(labels, "; "); got != "January 2024; March 2024" {
		t.Errorf("rows = %s, want January and March 2024 (February and April did not move)", got)
	}
	if r := c.Rows[1]; len(r.Statements) != movesListed || r.More != 2 {
		t.Errorf("March lists %v and %d more, want %d and 2 more", r.Statements, r.More, movesListed)
	}
	if len(c.Moves) != 1 || c.Moves[0].Href != "/statements/4" {
		t.Errorf("moves = %+v, want one mark for March linking statement 4", c.Moves)
	}
	if !strings.Contains(c.Desc, "March 2024: no package feasible, 1 blocking demand") {
		t.Errorf("desc = %q", c.Desc)
	}
	if got := powerOfTen(12); got != "10¹²" {
		t.Errorf("powerOfTen(12) = %q", got)
	}
}
