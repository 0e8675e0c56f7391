package views

import (
	"bytes"
	"context"
	"fmt"
	"parley"
	"testing"
	"time"
)

// BenchmarkHomePageMatrix renders a dashboard with the full 30 × 40
// matrix, the Go side of the dashboard's cost at scale.
func BenchmarkHomePageMatrix(b *testing.B) {
	stances := parley.Stances
	var m Matrix
	cat := MatrixCategory{Category: "territory"}
	for d := range 40 {
		cat.Demands = append(cat.Demands, DemandRef{Slug: fmt.Sprintf("gen-demand-%d", d+1), Title: fmt.Sprintf("Synthetic demand %d", d+1), Category: "territory"})
	}
	m.Categories = []MatrixCategory{cat}
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for s := range 6 {
		side := MatrixSide{Side: fmt.Sprintf("side-%d", s)}
		for a := range 5 {
			row := MatrixRow{ActorSlug: fmt.Sprintf("gen-actor-%d", s*5+a+1), ActorName: fmt.Sprintf("Synthetic Actor %d", s*5+a+1)}
			for d, dm := range cat.Demands {
				row.Cells = append(row.Cells, MatrixCell{Demand: dm.Slug, Stance: stances[(a+d)%5],
					Date: parley.Date{Time: day.AddDate(0, 0, -d), Precision: "day"},
					Link: "/statements?actor=" + row.ActorSlug + "&demand=" + dm.Slug})
			}
			side.Rows = append(side.Rows, row)
		}
		m.Sides = append(m.Sides, side)
	}
	m.Shown, m.Total = 30, 2000
	d := HomeData{Matrix: m}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := HomePage(Page{Title: "Dashboard"}, d).Render(context.Background(), &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1024, "KB/page")
}
