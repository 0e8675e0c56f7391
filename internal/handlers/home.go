package handlers

import (
	"context"
	"net/http"
	"parley"
	"slices"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"parley/views"
)

type homeStore interface {
	TopActors(ctx context.Context, limit int) ([]parley.Actor, int, error)
	ListDemands(ctx context.Context) ([]parley.Demand, error)
	CurrentPositions(ctx context.Context, actorIDs []int64, asOf time.Time) ([]parley.CurrentPosition, error)
	SideStances(ctx context.Context, asOf time.Time, demand string) ([]parley.SideStance, error)
	ListShifts(ctx context.Context, asOf time.Time, actor, demand string, limit int) ([]parley.Shift, error)
	ListStatements(ctx context.Context, f parley.StatementFilter) ([]parley.Statement, error)
}

// matrixActors is how many actors the matrix shows, the most active ones:
// a matrix of thousands of rows would be neither readable nor fast.
const matrixActors = 30

// handleHome renders the dashboard, as of today or of ?as_of.
func handleHome(st homeStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		q := r.URL.Query()
		for k := range q {
			if k != "as_of" {
				return badRequest("The dashboard takes one setting, as_of (a date like 2024-06-14); " + k + " is not one.")
			}
		}
		asOf, err := parseDateParam(q, "as_of")
		if err != nil {
			return err
		}
		ref := asOf
		if ref.IsZero() {
			ref = time.Now()
		}
		// The parts are independent queries: run them at once, each on its
		// own connection, so the page waits for the slowest, not the sum.
		var (
			actors       []parley.Actor
			total        int
			demands      []parley.Demand
			current      []parley.CurrentPosition
			now, yearAgo []parley.SideStance
			shifts       []parley.Shift
			latest       []parley.Statement
		)
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() (err error) {
			if actors, total, err = st.TopActors(gctx, matrixActors); err != nil {
				return err
			}
			ids := make([]int64, len(actors))
			for i, a := range actors {
				ids[i] = a.ID
			}
			current, err = st.CurrentPositions(gctx, ids, asOf)
			return err
		})
		g.Go(func() (err error) { demands, err = st.ListDemands(gctx); return err })
		g.Go(func() (err error) { now, err = st.SideStances(gctx, asOf, ""); return err })
		g.Go(func() (err error) { yearAgo, err = st.SideStances(gctx, ref.AddDate(-1, 0, 0), ""); return err })
		g.Go(func() (err error) { shifts, err = st.ListShifts(gctx, asOf, "", "", 10); return err })
		g.Go(func() (err error) {
			latest, err = st.ListStatements(gctx, parley.StatementFilter{AsOf: asOf, Limit: 10})
			return err
		})
		if err := g.Wait(); err != nil {
			return err
		}
		// TopActors ranks by activity; the matrix lists by side, then name.
		sort.SliceStable(actors, func(i, j int) bool { return actors[i].Name < actors[j].Name })
		m := buildMatrix(actors, demands, current, asOf)
		m.Shown, m.Total = len(actors), total
		d := views.HomeData{
			Matrix: m,
			Gaps:   buildGaps(demands, parley.Gaps(now), parley.Gaps(yearAgo)),
			Shifts: shifts,
			Latest: latest,
		}
		if !asOf.IsZero() {
			d.AsOf = asOf.Format("2006-01-02")
			d.AsOfLabel = parley.Date{Time: asOf, Precision: "day"}.String()
		}
		return render(w, r, views.HomePage(page(r, "Dashboard"), d))
	}
}

// buildMatrix lays current positions out as actors (by side) × demands
// (by category). Actors and demands without any position are left out.
func buildMatrix(actors []parley.Actor, demands []parley.Demand, current []parley.CurrentPosition, asOf time.Time) views.Matrix {
	type key struct{ actor, demand string }
	cells := map[key]parley.CurrentPosition{}
	usedActor, usedDemand := map[string]bool{}, map[string]bool{}
	for _, c := range current {
		cells[key{c.ActorSlug, c.DemandSlug}] = c
		usedActor[c.ActorSlug], usedDemand[c.DemandSlug] = true, true
	}
	var m views.Matrix
	var cols []views.DemandRef
	asOfParam := parley.AsOfParam(asOf)
	for _, d := range byCategory(demands) {
		if !usedDemand[d.Slug] {
			continue
		}
		ref := views.DemandRef{Slug: d.Slug, Title: d.Title, Category: d.Category}
		cols = append(cols, ref)
		if n := len(m.Categories); n == 0 || m.Categories[n-1].Category != d.Category {
			m.Categories = append(m.Categories, views.MatrixCategory{Category: d.Category})
		}
		last := &m.Categories[len(m.Categories)-1]
		last.Demands = append(last.Demands, ref)
	}
	for _, a := range sideOrder(actors) {
		if !usedActor[a.Slug] {
			continue
		}
		row := views.MatrixRow{ActorSlug: a.Slug, ActorName: a.Name}
		for _, col := range cols {
			cell := views.MatrixCell{Demand: col.Slug}
			if c, ok := cells[key{a.Slug, col.Slug}]; ok {
				cell.Stance, cell.Date = c.Stance, c.Date
				// The statements behind the cell (as it stood, with as_of).
				cell.Link = parley.PositionStatementsURL(a.Slug, col.Slug, asOfParam)
			}
			row.Cells = append(row.Cells, cell)
		}
		if n := len(m.Sides); n == 0 || m.Sides[n-1].Side != a.Side {
			m.Sides = append(m.Sides, views.MatrixSide{Side: a.Side})
		}
		last := &m.Sides[len(m.Sides)-1]
		last.Rows = append(last.Rows, row)
	}
	return m
}

// sideOrder puts the two belligerents first, then the other sides by name;
// actors keep their order (by name) within a side.
func sideOrder(actors []parley.Actor) []parley.Actor {
	rank := func(side string) int {
		switch side {
		case "russia":
			return 0
		case "ukraine":
			return 1
		case "united-states":
			return 2
		}
		return 3
	}
	out := append([]parley.Actor(nil), actors...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i].Side), rank(out[j].Side)
		if ri != rj {
			return ri < rj
		}
		return out[i].Side < out[j].Side
	})
	return out
}

// buildGaps lists demands that at least two sides address, widest gap
// first, and among equal gaps the narrowing ones first.
func buildGaps(demands []parley.Demand, now, before map[string]parley.Gap) []views.GapRow {
	var rows []views.GapRow
	for _, d := range demands {
		g, ok := now[d.Slug]
		if !ok || len(g.Sides) < 2 {
			continue
		}
		row := views.GapRow{Demand: views.DemandRef{Slug: d.Slug, Title: d.Title, Category: d.Category}, Gap: g, Previous: -1, Trend: "new"}
		if b, ok := before[d.Slug]; ok && len(b.Sides) > 1 {
			row.Previous = b.Value
			switch {
			case g.Value < b.Value:
				row.Trend = "narrowing"
			case g.Value > b.Value:
				row.Trend = "widening"
			default:
				row.Trend = "steady"
			}
		}
		rows = append(rows, row)
	}
	trendRank := map[string]int{"narrowing": 0, "widening": 1, "new": 2, "steady": 3}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Gap.Value != rows[j].Gap.Value {
			return rows[i].Gap.Value > rows[j].Gap.Value
		}
		return trendRank[rows[i].Trend] < trendRank[rows[j].Trend]
	})
	return rows
}

// page is the layout's view model for r.
func page(r *http.Request, title string) views.Page {
	p := views.Page{Title: title}
	if u, ok := currentUser(r); ok {
		p.UserEmail, p.UserRole = u.Email, string(u.Role)
	}
	if f, ok := r.Context().Value(flashKey).(flashMsg); ok {
		p.Flash, p.FlashUndo = f.Text, f.Undo
	}
	return p
}

// byCategory orders demands by the domain's category order (territory
// first), keeping their order within a category.
func byCategory(demands []parley.Demand) []parley.Demand {
	out := append([]parley.Demand(nil), demands...)
	sort.SliceStable(out, func(i, j int) bool {
		return slices.Index(parley.Categories, out[i].Category) < slices.Index(parley.Categories, out[j].Category)
	})
	return out
}
