package views

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"parley"
)

// BargainingChart is the bargaining space over time: the number of
// blocking demands and of feasible packages at the end of each month (the
// last point: as of the page's day), in two panels sharing the time axis,
// with the months where the figures moved marked.
type BargainingChart struct {
	Width, Height      float64
	Blocking, Feasible ChartPanel
	Moves              []ChartMove
	XLabels            []Point // the first and last point's dates
	Years              []Point // year marks between them
	Desc               string
	// Rows is the text alternative: the months where the figures changed.
	Rows []BargainingMonthRow
}

// ChartPanel is one step line with its y-axis ticks.
type ChartPanel struct {
	Top, Bottom float64
	Path        string
	Ticks       []Point
}

// ChartMove marks a month where the figures changed, linking to the first
// statement behind a position that changed then.
type ChartMove struct {
	X, Y  float64
	Label string
	Href  string
}

// BargainingMonthRow is one point of the chart where the figures differ
// from the point before.
type BargainingMonthRow struct {
	Day        string // ISO
	Label      string // "June 2024", or the day for the last point
	Feasible   bool
	Packages   int64
	Blocking   []string
	Statements []int64 // behind the positions that changed then
	More       int     // changed positions beyond those listed
}

// movesListed is how many statements a marked month lists.
const movesListed = 3

// NewBargainingChart draws points (oldest first); the last one is as of
// the page's day, the others at the end of their month.
func NewBargainingChart(points []parley.BargainingPoint) BargainingChart {
	c := BargainingChart{Width: 720, Height: 250}
	if len(points) == 0 {
		return c
	}
	const left, right = 48.0, 12.0
	c.Blocking = ChartPanel{Top: 18, Bottom: 100}
	c.Feasible = ChartPanel{Top: 136, Bottom: 218}
	from, to := points[0].Day, points[len(points)-1].Day
	span := to.Sub(from).Hours()
	if span <= 0 {
		span = 24
	}
	x := func(t time.Time) float64 { return left + (c.Width-left-right)*t.Sub(from).Hours()/span }

	maxBlock, maxLog := 1, 1.0
	for _, p := range points {
		maxBlock = max(maxBlock, len(p.Blocking))
		if p.Packages > 0 {
			maxLog = max(maxLog, math.Ceil(math.Log10(float64(p.Packages))))
		}
	}
	yBlock := func(n int) float64 {
		return c.Blocking.Bottom - (c.Blocking.Bottom-c.Blocking.Top)*float64(n)/float64(maxBlock)
	}
	// Packages on a log scale (they run from 1 to 2^40); none sits on the
	// panel's floor, below 1.
	floor := c.Feasible.Bottom
	yPack := func(n int64) float64 {
		if n == 0 {
			return floor
		}
		return floor - 10 - (floor-10-c.Feasible.Top)*math.Log10(float64(n))/maxLog
	}
	c.Blocking.Ticks = []Point{{X: left - 6, Y: yBlock(0) + 4, Label: "0"}, {X: left - 6, Y: yBlock(maxBlock) + 4, Label: strconv.Itoa(maxBlock)}}
	c.Feasible.Ticks = []Point{{X: left - 6, Y: yPack(0) + 4, Label: "none"}, {X: left - 6, Y: yPack(1) + 4, Label: "1"},
		{X: left - 6, Y: yPack(int64(math.Pow(10, maxLog))) + 4, Label: powerOfTen(int(maxLog))}}

	var bp, fp strings.Builder
	var desc []string
	for i, p := range points {
		px := x(p.Day)
		by, fy := yBlock(len(p.Blocking)), yPack(p.Packages)
		if i == 0 {
			fmt.Fprintf(&bp, "M%.1f %.1f", px, by)
			fmt.Fprintf(&fp, "M%.1f %.1f", px, fy)
		} else {
			fmt.Fprintf(&bp, " H%.1f V%.1f", px, by)
			fmt.Fprintf(&fp, " H%.1f V%.1f", px, fy)
		}
		last := i == len(points)-1
		if i > 0 && !changed(points[i-1], p) {
			continue
		}
		row := BargainingMonthRow{Day: p.Day.Format("2006-01-02"), Label: p.Day.Format("January 2006"),
			Feasible: p.Feasible, Packages: p.Packages, Blocking: p.Blocking}
		if last {
			row.Label = parley.Date{Time: p.Day, Precision: parley.Day}.String()
		}
		row.Statements = p.Moved
		if len(row.Statements) > movesListed {
			row.Statements, row.More = row.Statements[:movesListed], len(p.Moved)-movesListed
		}
		c.Rows = append(c.Rows, row)
		figures := row.Label + ": " + figuresText(p)
		desc = append(desc, figures)
		if i > 0 && len(p.Moved) > 0 {
			c.Moves = append(c.Moves, ChartMove{X: px, Y: c.Blocking.Top - 8, Label: figures + " (positions changed)",
				Href: parley.StatementPath(p.Moved[0])})
		}
	}
	fmt.Fprintf(&bp, " H%.1f", c.Width-right)
	fmt.Fprintf(&fp, " H%.1f", c.Width-right)
	c.Blocking.Path, c.Feasible.Path = bp.String(), fp.String()
	c.XLabels = []Point{
		{X: left, Y: c.Height - 8, Label: from.Format("Jan 2006")},
		{X: c.Width - right, Y: c.Height - 8, Label: to.Format("2 Jan 2006"), Class: "end"},
	}
	// Every year (every few years over a long span) between the ends.
	step := 1 + (to.Year()-from.Year())/12
	for yr := from.Year() + 1; yr <= to.Year(); yr += step {
		px := x(time.Date(yr, 1, 1, 0, 0, 0, 0, time.UTC))
		if px-left > 60 && c.Width-right-px > 90 {
			c.Years = append(c.Years, Point{X: px, Y: c.Height - 8, Label: strconv.Itoa(yr)})
		}
	}
	c.Desc = strings.Join(desc, "; ")
	return c
}

// changed reports whether the figures differ between two points.
func changed(a, b parley.BargainingPoint) bool {
	return a.Feasible != b.Feasible || a.Packages != b.Packages || len(a.Blocking) != len(b.Blocking)
}

func figuresText(p parley.BargainingPoint) string {
	if !p.Feasible {
		return "no package feasible, " + plural(len(p.Blocking), "blocking demand")
	}
	return fmt.Sprintf("%s feasible %s, none blocked", count64(p.Packages), packagesWord(p.Packages))
}

// powerOfTen writes 10^n as a number while it reads as one, then as 10ⁿ.
func powerOfTen(n int) string {
	if n <= 6 {
		return count64(int64(math.Pow(10, float64(n))))
	}
	sup := strings.NewReplacer("0", "⁰", "1", "¹", "2", "²", "3", "³", "4", "⁴", "5", "⁵", "6", "⁶", "7", "⁷", "8", "⁸", "9", "⁹")
	return "10" + sup.Replace(strconv.Itoa(n))
}
