package views

import (
	"fmt"
	"html"
	"parley"
	"strconv"
	"strings"
)

// StanceColour is each stance's colour in charts, the same as parley.css's
// (SVG presentation attributes, so that a chart served on its own, with
// no stylesheet, looks as it does in the page; the page's stylesheet may
// still restyle it, for the dark scheme).
var StanceColour = map[string]string{
	"insists": "#7a1020", "supports": "#c2410c", "open": "#4b5563", "opposes": "#1d4ed8", "rejects": "#14305e", "none": "#d1d5db",
}

// Chart text and line colours, as --fg, --muted and --line.
const (
	chartInk   = "#1b1f24"
	chartMuted = "#57606a"
	chartLine  = "#8c959f"
)

// signed writes a stance score as on the scale: +2, +1, 0, −1, −2.
func signed(score int) string {
	switch {
	case score > 0:
		return "+" + strconv.Itoa(score)
	case score < 0:
		return "−" + strconv.Itoa(-score)
	}
	return "0"
}

// DotMark is one side on a dot plot: a dot (a party) or a ring (a
// stakeholder), with its label and text alternative.
type DotMark struct {
	X, Y   float64
	Party  bool
	Colour string
	Label  string // the side's name, drawn beside a party's dot
	Title  string // "Russia: insists (+2), 14 June 2024"
}

// DotArrow is a party's move from its stance a year earlier to now.
type DotArrow struct {
	X1, X2, Y float64
	Head      string // the arrowhead's path
	Title     string
}

// DotTick is a mark on the −2…+2 axis.
type DotTick struct {
	X      float64
	Label  string
	Anchor string
}

// DotPlot is the gap on one demand on the −2…+2 stance scale: each party
// a dot, each stakeholder a ring, the span between the parties the gap,
// and an arrow from where a party stood a year earlier.
type DotPlot struct {
	Width, Height float64
	AxisY         float64
	Ticks         []DotTick
	Marks         []DotMark
	Arrows        []DotArrow
	// SpanX1..SpanX2 is the gap between the parties (drawn when
	// measurable); GapLabel says it in words.
	SpanX1, SpanX2 float64
	Measurable     bool
	GapLabel       string
	Desc           string // the text alternative: every mark in words
}

// NewDotPlot draws gap g, with before the parties' stances a year earlier
// (or at the start of a comparison; nil: none to show).
func NewDotPlot(g parley.Gap, before []parley.SidePosition, beforeLabel string) DotPlot {
	// Rows, top down: the gap in words, the arrows from a year earlier,
	// the parties' names, the axis with their dots, the stakeholders'
	// rings, the scale.
	const left, right = 16.0, 16.0
	c := DotPlot{Width: 320, AxisY: 50}
	x := func(score int) float64 { return left + (c.Width-left-right)*float64(score+2)/4 }
	for s := 2; s >= -2; s-- {
		anchor := "middle"
		switch s {
		case -2:
			anchor = "start"
		case 2:
			anchor = "end"
		}
		label := signed(s) // the ends and the middle say their stance in words too
		if s%2 == 0 {
			label += " " + string(stanceOfScore(s))
		}
		c.Ticks = append(c.Ticks, DotTick{X: x(s), Label: label, Anchor: anchor})
	}
	// A ring per stakeholder, stacked below the axis where several share a stance.
	stack := map[int]int{}
	var desc []string
	var parties []string
	for i, p := range g.Parties {
		if i > 0 && g.Parties[i-1].Score == p.Score {
			// Parties that agree share one dot and one label.
			c.Marks[len(c.Marks)-1].Label += ", " + SideLabel(p.Side)
			c.Marks[len(c.Marks)-1].Title += "; " + dotTitle(p)
		} else {
			c.Marks = append(c.Marks, DotMark{X: x(p.Score), Y: c.AxisY, Party: true, Colour: StanceColour[string(p.Stance)],
				Label: SideLabel(p.Side), Title: dotTitle(p)})
		}
		parties = append(parties, dotTitle(p))
	}
	maxStack := 0
	var holders []string
	for _, p := range g.Stakeholders {
		k := stack[p.Score]
		stack[p.Score]++
		maxStack = max(maxStack, k+1)
		c.Marks = append(c.Marks, DotMark{X: x(p.Score), Y: c.AxisY + 14 + 9*float64(k), Colour: StanceColour[string(p.Stance)], Title: dotTitle(p)})
		holders = append(holders, dotTitle(p))
	}
	if len(parties) > 0 {
		desc = append(desc, "Parties: "+strings.Join(parties, "; "))
	} else {
		desc = append(desc, "No party has taken a position")
	}
	if g.Measurable && len(g.Parties) > 0 {
		c.Measurable = true
		c.SpanX1, c.SpanX2 = x(g.Parties[len(g.Parties)-1].Score), x(g.Parties[0].Score)
		c.GapLabel = fmt.Sprintf("gap %d", g.Value)
		desc = append(desc, c.GapLabel)
	} else {
		c.GapLabel = "gap not measurable"
		desc = append(desc, "the gap is not measurable: fewer than two parties have taken a position")
	}
	then := map[string]parley.SidePosition{}
	for _, b := range before {
		then[b.Side] = b
	}
	var moves []string
	for _, p := range g.Parties {
		b, ok := then[p.Side]
		if !ok || b.Score == p.Score {
			continue
		}
		x1, x2 := x(b.Score), x(p.Score)
		dir := 1.0 // the head points the way the party moved
		if x2 < x1 {
			dir = -1
		}
		y := 26.0
		tip := x2 - dir*2
		title := fmt.Sprintf("%s %s: %s (%s), now %s (%s)", SideLabel(p.Side), beforeLabel, b.Stance, signed(b.Score), p.Stance, signed(p.Score))
		c.Arrows = append(c.Arrows, DotArrow{X1: x1, X2: tip, Y: y,
			Head:  fmt.Sprintf("M%.1f %.1f l%.1f -4 l0 8 z", tip, y, -dir*7),
			Title: title})
		moves = append(moves, title)
	}
	if len(moves) > 0 {
		desc = append(desc, "moved: "+strings.Join(moves, "; "))
	} else if len(before) > 0 {
		desc = append(desc, "no party has moved since "+strings.TrimPrefix(beforeLabel, "on "))
	}
	if len(holders) > 0 {
		desc = append(desc, "Stakeholders (beside the gap, not in it): "+strings.Join(holders, "; "))
	}
	c.Height = c.AxisY + 14 + 9*float64(max(maxStack, 1)) + 14
	c.Desc = strings.Join(desc, ". ") + "."
	return c
}

func dotTitle(p parley.SidePosition) string {
	return SideLabel(p.Side) + " " + string(p.Stance) + " (" + signed(p.Score) + ") since " + p.Date.String()
}

// stanceOfScore is the stance a score stands for.
func stanceOfScore(s int) parley.Stance {
	for _, st := range parley.Stances {
		if st.Score() == s {
			return st
		}
	}
	return ""
}

// labelAnchor keeps a party's name inside the chart at either end.
func labelAnchor(x, width float64) string {
	switch {
	case x < 40:
		return "start"
	case x > width-40:
		return "end"
	}
	return "middle"
}

// legendHeight is the room under a bar chart for its legend.
const legendHeight = 22.0

// legendLabel names a stance in a chart's legend by symbol and word.
func legendLabel(s string) string {
	if s == "none" {
		return "no stance"
	}
	return StanceSymbol(parley.Stance(s)) + " " + s
}

// EmbedHTML is the <img> element that shows the chart at src (an absolute
// address) on another page, with its text alternative.
func EmbedHTML(src, alt string, width, height float64) string {
	return fmt.Sprintf(`<img src="%s" alt="%s" width="%.0f" height="%.0f">`, html.EscapeString(src), html.EscapeString(alt), width, height)
}
