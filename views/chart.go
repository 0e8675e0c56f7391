package views

import (
	"fmt"
	"parley"
	"sort"
	"strings"
	"time"
)

// Point is a mark on a chart, with its text alternative.
type Point struct {
	X, Y  float64
	Label string
	Class string
}

// StanceChart is a small step chart of one actor's stance on one demand
// over time (+2 at the top, -2 at the bottom).
type StanceChart struct {
	Width, Height float64
	Points        []Point
	Path          string
	Desc          string // text alternative
}

// NewStanceChart draws events (oldest first) on a time axis from..to.
func NewStanceChart(events []parley.StanceEvent, from, to time.Time) StanceChart {
	c := StanceChart{Width: 240, Height: 56}
	if len(events) > maxChartPoints {
		events = stanceChanges(events)
	}
	const pad = 6.0
	span := to.Sub(from).Hours()
	if span <= 0 {
		span = 24
	}
	x := func(t time.Time) float64 { return pad + (c.Width-2*pad)*t.Sub(from).Hours()/span }
	y := func(score int) float64 { return pad + (c.Height-2*pad)*float64(2-score)/4 }
	var path, desc strings.Builder
	for i, e := range events {
		px, py := x(e.Date.Time), y(e.Stance.Score())
		if i == 0 {
			fmt.Fprintf(&path, "M%.1f %.1f", px, py)
		} else {
			fmt.Fprintf(&path, " H%.1f V%.1f", px, py)
		}
		label := e.Date.String() + ": " + string(e.Stance)
		c.Points = append(c.Points, Point{X: px, Y: py, Label: label, Class: "stance-" + string(e.Stance)})
		if i > 0 {
			desc.WriteString("; ")
		}
		desc.WriteString(label)
	}
	if len(events) > 0 {
		fmt.Fprintf(&path, " H%.1f", c.Width-pad)
	}
	c.Path, c.Desc = path.String(), desc.String()
	return c
}

// maxChartPoints is how many points a chart draws one by one; beyond it a
// chart keeps only the points where the value changes (and the last one),
// which draw the same steps: an actor of thousands of statements would
// otherwise send megabytes of circles.
const maxChartPoints = 100

// stanceChanges keeps the events whose stance differs from the one before,
// and the last, most recent one.
func stanceChanges(events []parley.StanceEvent) []parley.StanceEvent {
	var out []parley.StanceEvent
	for i, e := range events {
		if i == 0 || e.Stance != events[i-1].Stance || i == len(events)-1 {
			out = append(out, e)
		}
	}
	if len(out) > maxChartPoints { // the most recent ones
		out = out[len(out)-maxChartPoints:]
	}
	return out
}

// LineChart is a step chart of a small integer series (the gap, 0..4).
type LineChart struct {
	Width, Height float64
	Points        []Point
	Path          string
	Desc          string
	Ticks         []Point // y-axis labels
	XLabels       []Point
}

// GapPoint is the gap on a demand after a statement. Measurable is false
// while fewer than two parties hold a position: the chart leaves a break
// there, never a 0 (which would say they agree).
type GapPoint struct {
	Date       parley.Date
	Gap        int
	Measurable bool
}

// NewGapChart draws the gap over time.
func NewGapChart(points []GapPoint) LineChart {
	c := LineChart{Width: 600, Height: 160}
	if len(points) > maxChartPoints {
		var kept []GapPoint
		for i, p := range points {
			if i == 0 || p.Gap != points[i-1].Gap || p.Measurable != points[i-1].Measurable || i == len(points)-1 {
				kept = append(kept, p)
			}
		}
		points = kept
	}
	const left, right, top, bottom = 40.0, 12.0, 10.0, 24.0
	if len(points) == 0 {
		return c
	}
	from, to := points[0].Date.Time, points[len(points)-1].Date.Time
	span := to.Sub(from).Hours()
	if span <= 0 {
		span = 24
	}
	x := func(t time.Time) float64 { return left + (c.Width-left-right)*t.Sub(from).Hours()/span }
	y := func(g int) float64 { return top + (c.Height-top-bottom)*float64(4-g)/4 }
	for g := 0; g <= 4; g++ {
		c.Ticks = append(c.Ticks, Point{X: left - 6, Y: y(g) + 4, Label: fmt.Sprint(g)})
	}
	var path, desc strings.Builder
	drawing := false // the pen is down: the previous point was measurable
	for i, p := range points {
		if i > 0 {
			desc.WriteString("; ")
		}
		px := x(p.Date.Time)
		if !p.Measurable {
			if drawing { // the line runs on to where the gap stopped being measurable
				fmt.Fprintf(&path, " H%.1f", px)
			}
			drawing = false
			desc.WriteString(p.Date.String() + ": not measurable (fewer than two parties)")
			continue
		}
		py := y(p.Gap)
		if drawing {
			fmt.Fprintf(&path, " H%.1f V%.1f", px, py)
		} else {
			if path.Len() > 0 {
				path.WriteByte(' ')
			}
			fmt.Fprintf(&path, "M%.1f %.1f", px, py)
		}
		drawing = true
		label := fmt.Sprintf("%s: gap %d", p.Date.String(), p.Gap)
		c.Points = append(c.Points, Point{X: px, Y: py, Label: label})
		desc.WriteString(label)
	}
	c.XLabels = []Point{
		{X: left, Y: c.Height - 6, Label: points[0].Date.String()},
		{X: c.Width - right, Y: c.Height - 6, Label: points[len(points)-1].Date.String(), Class: "end"},
	}
	c.Path, c.Desc = path.String(), desc.String()
	return c
}

// Bar is one segment of a stacked bar.
type Bar struct {
	X, Y, W, H float64
	Class      string
	Fill       string
	Title      string
}

// BarChart is statements per year, stacked by stance.
type BarChart struct {
	Width, Height float64
	Bars          []Bar
	XLabels       []Point
	Desc          string
	Legend        []string
}

var chartStances = []string{"insists", "supports", "open", "opposes", "rejects", "none"}

// NewStanceBarChart draws counts per year stacked by stance.
func NewStanceBarChart(counts []parley.StanceCount) BarChart {
	c := BarChart{Width: 600, Height: 180, Legend: chartStances}
	if len(counts) == 0 {
		return c
	}
	byYear := map[int]map[string]int{}
	for _, k := range counts {
		if byYear[k.Year] == nil {
			byYear[k.Year] = map[string]int{}
		}
		byYear[k.Year][k.Stance] += k.Count
	}
	var years []int
	for y := range byYear {
		years = append(years, y)
	}
	sort.Ints(years)
	first, last := years[0], years[len(years)-1]
	max := 0
	for _, m := range byYear {
		total := 0
		for _, n := range m {
			total += n
		}
		if total > max {
			max = total
		}
	}
	const left, right, top, bottom = 10.0, 10.0, 10.0, 24.0
	n := float64(last - first + 1)
	slot := (c.Width - left - right) / n
	var desc strings.Builder
	for yr := first; yr <= last; yr++ {
		x := left + slot*float64(yr-first)
		base := c.Height - bottom
		var parts []string
		for _, s := range chartStances {
			cnt := byYear[yr][s]
			if cnt == 0 {
				continue
			}
			h := (c.Height - top - bottom) * float64(cnt) / float64(max)
			base -= h
			c.Bars = append(c.Bars, Bar{X: x + slot*0.15, Y: base, W: slot * 0.7, H: h, Class: "bar-" + s, Fill: StanceColour[s],
				Title: fmt.Sprintf("%d: %d %s", yr, cnt, s)})
			parts = append(parts, fmt.Sprintf("%d %s", cnt, s))
		}
		if len(parts) > 0 {
			if desc.Len() > 0 {
				desc.WriteString("; ")
			}
			fmt.Fprintf(&desc, "%d: %s", yr, strings.Join(parts, ", "))
		}
		if n <= 14 || (yr-first)%2 == 0 {
			c.XLabels = append(c.XLabels, Point{X: x + slot/2, Y: c.Height - 6, Label: fmt.Sprint(yr)})
		}
	}
	c.Desc = desc.String()
	return c
}
