package views

import (
	"parley"
	"strings"
	"testing"
	"time"

	"parley/static"
)

// TestDotPlotDrawsPartiesStakeholdersAndMoves: the parties are dots at
// their scores with the gap between them, stakeholders rings below, an
// arrow for a party that moved, and the text alternative says all of it.
func TestDotPlotDrawsPartiesStakeholdersAndMoves(t *testing.T) {
	day := parley.Date{Time: time.Date(2024, 6, 14, 0, 0, 0, 0, time.UTC), Precision: parley.Day}
	g := parley.Gap{Demand: "d", Measurable: true, Value: 3,
		Parties: []parley.SidePosition{
			{Side: "russia", Stance: parley.Insists, Score: 2, Date: day},
			{Side: "ukraine", Stance: parley.Opposes, Score: -1, Date: day},
		},
		Stakeholders: []parley.SidePosition{
			{Side: "europe", Stance: parley.Opposes, Score: -1, Date: day},
			{Side: "united-states", Stance: parley.Opposes, Score: -1, Date: day},
		}}
	before := []parley.SidePosition{{Side: "ukraine", Stance: parley.Rejects, Score: -2}, {Side: "russia", Stance: parley.Insists, Score: 2}}
	c := NewDotPlot(g, before, "a year earlier")

	var dots, rings []DotMark
	for _, m := range c.Marks {
		if m.Party {
			dots = append(dots, m)
		} else {
			rings = append(rings, m)
		}
	}
	if len(dots) != 2 || len(rings) != 2 {
		t.Fatalf("%d dots, %d rings; want 2 parties and 2 stakeholders", len(dots), len(rings))
	}
	if dots[0].X <= dots[1].X || dots[0].Label != "Russia" {
		t.Errorf("Russia (+2) at x=%.1f labelled %q, Ukraine (−1) at x=%.1f: want Russia to the right", dots[0].X, dots[0].Label, dots[1].X)
	}
	if rings[0].X != dots[1].X || rings[0].Y == rings[1].Y || rings[0].Y <= c.AxisY {
		t.Errorf("stakeholders sharing a stance: rings at %v, %v; want below the axis, stacked, at Ukraine's x", rings[0], rings[1])
	}
	if !c.Measurable || c.SpanX1 != dots[1].X || c.SpanX2 != dots[0].X {
		t.Errorf("gap band %.1f..%.1f, want between the parties' dots", c.SpanX1, c.SpanX2)
	}
	if len(c.Arrows) != 1 || c.Arrows[0].X1 >= c.Arrows[0].X2 {
		t.Errorf("arrows = %+v, want one, Ukraine moving right from −2", c.Arrows)
	}
	for _, want := range []string{"Russia insists (+2) since 14 June 2024", "gap 3", "Ukraine a year earlier: rejects (−2), now opposes (−1)", "Stakeholders (beside the gap, not in it): Europe opposes (−1)"} {
		if !strings.Contains(c.Desc, want) {
			t.Errorf("desc = %q, want it to say %q", c.Desc, want)
		}
	}

	none := NewDotPlot(parley.Gap{Parties: g.Parties[:1]}, nil, "a year earlier")
	if none.Measurable || !strings.Contains(none.Desc, "not measurable") {
		t.Errorf("one party: measurable %v, desc %q; want the gap not measurable in words", none.Measurable, none.Desc)
	}
}

// TestChartColoursMatchTheStylesheet: charts carry the stance colours as
// attributes (they are served alone too); they must be the stylesheet's.
func TestChartColoursMatchTheStylesheet(t *testing.T) {
	css, err := static.FS.ReadFile("parley.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range parley.Stances {
		if want := "--" + string(s) + ": " + StanceColour[string(s)] + ";"; !strings.Contains(string(css), want) {
			t.Errorf("parley.css lacks %q", want)
		}
	}
}
