package handlers

import (
	"bytes"
	"context"
	"fmt"
	"parley"
	"testing"
	"time"

	"parley/views"
)

// BenchmarkDashboardRender is the Go side of the dashboard at scale, as
// the million-statement data gives it: 30 actors of six sides (two parties)
// × 40 demands, every side's stance on every demand now and a year
// earlier; it lays out the matrix and the gaps and renders the page.
func BenchmarkDashboardRender(b *testing.B) {
	sides := []parley.Side{{Slug: "russia", Role: parley.Party}, {Slug: "ukraine", Role: parley.Party},
		{Slug: "united-states", Role: parley.Stakeholder}, {Slug: "europe", Role: parley.Stakeholder},
		{Slug: "nato", Role: parley.Stakeholder}, {Slug: "china", Role: parley.Stakeholder}}
	roles := parley.SideRolesOf(sides)
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var demands []parley.Demand
	for d := range 40 {
		demands = append(demands, parley.Demand{Slug: fmt.Sprintf("gen-demand-%d", d+1), Title: fmt.Sprintf("Synthetic demand %d", d+1),
			Category: parley.Categories[d%len(parley.Categories)]})
	}
	var actors []parley.Actor
	var current []parley.CurrentPosition
	for i := range 30 {
		a := parley.Actor{Slug: fmt.Sprintf("gen-actor-%d", i+1), Name: fmt.Sprintf("Synthetic Actor %d", i+1), Side: sides[i%len(sides)].Slug}
		actors = append(actors, a)
		for d, dm := range demands {
			current = append(current, parley.CurrentPosition{ActorSlug: a.Slug, ActorName: a.Name, ActorSide: a.Side, DemandSlug: dm.Slug,
				Stance: parley.Stances[(i+d)%5], Date: parley.Date{Time: day.AddDate(0, 0, -d), Precision: parley.Day},
				StatementID: int64(1000*i + d), Attribution: "on_record", Conditional: d%7 == 0})
		}
	}
	stances := func(shift int) []parley.SideStance {
		var out []parley.SideStance
		for d, dm := range demands {
			for s, sd := range sides {
				out = append(out, parley.SideStance{Demand: dm.Slug, Side: sd.Slug, Role: sd.Role, Stance: parley.Stances[(s+d+shift)%5],
					Date: parley.Date{Time: day.AddDate(0, 0, -d-shift), Precision: parley.Day}, StatementID: int64(d*10 + s)})
			}
		}
		return out
	}
	now, yearAgo := stances(0), stances(1)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		var partyActors []parley.Actor
		for _, a := range actors {
			if roles[a.Side] == parley.Party {
				partyActors = append(partyActors, a)
			}
		}
		d := views.HomeData{
			Matrix: buildMatrix(partyActors, demands, current, roles, time.Time{}),
			Gaps:   buildGaps(demands, parley.Gaps(now), parley.Gaps(yearAgo)),
		}
		if err := views.HomePage(views.Page{Title: "Dashboard"}, d).Render(context.Background(), &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1024, "KB/page")
}
