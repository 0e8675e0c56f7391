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
	TopActorPositions(ctx context.Context, limit int, asOf time.Time, partiesOnly bool) ([]parley.CurrentPosition, error)
	SideStances(ctx context.Context, asOf time.Time, demand string) ([]parley.SideStance, error)
	PartyStances(ctx context.Context, asOf time.Time) ([]parley.SideStance, error)
	ListSides(ctx context.Context) ([]parley.Side, error)
	ListShifts(ctx context.Context, asOf time.Time, actor, demand string, limit int) ([]parley.Shift, error)
	ListStatements(ctx context.Context, f parley.StatementFilter) ([]parley.Statement, error)
}

// matrixActors is how many actors the matrix shows, the most active ones:
// a matrix of thousands of rows would be neither readable nor fast.
const matrixActors = 30

// dashboard is what the dashboard shows as of a day, for the page and its
// JSON twin alike.
type dashboard struct {
	asOf         time.Time // zero: today
	actors       []parley.Actor
	total        int // actors with positions
	demands      []parley.Demand
	roles        map[string]parley.SideRole
	current      []parley.CurrentPosition // with the converses' stances where actors left a demand empty
	now, yearAgo map[string]parley.Gap
	shifts       []parley.Shift
	latest       []parley.Statement
}

// parseAsOf reads the one setting of a page as of a day (what names the
// page in the message): as_of, a date; anything else is a 400.
func parseAsOf(r *http.Request, what string) (time.Time, error) {
	q := r.URL.Query()
	for k := range q {
		if k != "as_of" {
			return time.Time{}, badRequest(what + " takes one setting, as_of (a date like 2024-06-14); " + k + " is not one.")
		}
	}
	return parseDateParam(q, "as_of")
}

// loadDashboard reads the dashboard as of asOf (zero: today); with
// partiesOnly, the matrix's positions only of the parties' actors.
func loadDashboard(ctx context.Context, st homeStore, asOf time.Time, partiesOnly bool) (dashboard, error) {
	d := dashboard{asOf: asOf}
	ref := asOf
	if ref.IsZero() {
		ref = time.Now()
	}
	// The parts are independent queries: run them at once, each on its
	// own connection, so the page waits for the slowest, not the sum.
	var (
		sides        []parley.Side
		now, yearAgo []parley.SideStance
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { d.actors, d.total, err = st.TopActors(gctx, matrixActors); return err })
	g.Go(func() (err error) {
		d.current, err = st.TopActorPositions(gctx, matrixActors, asOf, partiesOnly)
		return err
	})
	g.Go(func() (err error) { d.demands, err = st.ListDemands(gctx); return err })
	g.Go(func() (err error) { sides, err = st.ListSides(gctx); return err })
	g.Go(func() (err error) { now, err = st.SideStances(gctx, asOf, ""); return err })
	// (a year ago only the gap's value counts: the parties')
	g.Go(func() (err error) { yearAgo, err = st.PartyStances(gctx, ref.AddDate(-1, 0, 0)); return err })
	g.Go(func() (err error) { d.shifts, err = st.ListShifts(gctx, asOf, "", "", 10); return err })
	g.Go(func() (err error) {
		d.latest, err = st.ListStatements(gctx, parley.StatementFilter{AsOf: asOf, Limit: 10})
		return err
	})
	if err := g.Wait(); err != nil {
		return d, err
	}
	d.roles = parley.SideRolesOf(sides)
	d.current = parley.WithConverse(d.current, parley.Converses(d.demands))
	d.now, d.yearAgo = parley.Gaps(now), parley.Gaps(yearAgo)
	// TopActors ranks by activity; the matrix lists by side, then name.
	sort.SliceStable(d.actors, func(i, j int) bool { return d.actors[i].Name < d.actors[j].Name })
	return d, nil
}

// handleHome renders the dashboard, as of today or of ?as_of.
func handleHome(st homeStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// all=1 (the matrix's switch to every side) is the page's own
		// setting; the JSON twin keeps to as_of.
		all, r2 := false, r.Clone(r.Context())
		if q := r.URL.Query(); q.Has("all") {
			if v := q.Get("all"); v != "1" && v != "" {
				return badRequest("all is 1 (show every side's actors in the matrix) or absent; " + v + " is not.")
			}
			all = q.Get("all") == "1"
			q.Del("all")
			r2.URL.RawQuery = q.Encode()
		}
		asOf, err := parseAsOf(r2, "The dashboard")
		if err != nil {
			return err
		}
		// Without all=1 the matrix holds the parties' actors: the gap is
		// theirs; the others are a click away. Today every top actor has
		// a position (TopActors ranks by live positions), so the others'
		// positions need not be read to count them; as of a day some may
		// have none yet.
		partiesOnly := !all && asOf.IsZero()
		db, err := loadDashboard(r.Context(), st, asOf, partiesOnly)
		if err != nil {
			return err
		}
		actors, hidden := db.actors, 0
		if !all {
			actors = nil
			for _, a := range db.actors {
				if db.roles[a.Side] == parley.Party {
					actors = append(actors, a)
				} else if partiesOnly || hasPosition(db.current, a.Slug) {
					hidden++
				}
			}
		}
		m := buildMatrix(actors, db.demands, db.current, db.roles, asOf)
		m.Shown, m.Total = len(db.actors), db.total
		m.All, m.Hidden = all, hidden
		d := views.HomeData{
			Matrix: m,
			Gaps:   buildGaps(db.demands, db.now, db.yearAgo),
			Shifts: db.shifts,
			Latest: db.latest,
			Titles: map[string]string{},
		}
		for _, dm := range db.demands {
			d.Titles[dm.Slug] = dm.Title
		}
		d.CompareTo = time.Now().UTC().Format("2006-01-02")
		if !asOf.IsZero() {
			d.CompareTo = asOf.Format("2006-01-02")
			d.AsOf = asOf.Format("2006-01-02")
			d.AsOfLabel = parley.Date{Time: asOf, Precision: parley.Day}.String()
		}
		return render(w, r, views.HomePage(page(r, "Dashboard"), d))
	}
}

// buildMatrix lays current positions out as actors (by side) × demands
// (by category). Actors and demands without any position are left out.
func buildMatrix(actors []parley.Actor, demands []parley.Demand, current []parley.CurrentPosition, roles map[string]parley.SideRole, asOf time.Time) views.Matrix {
	type key struct{ actor, demand string }
	cells := map[key]parley.CurrentPosition{}
	usedActor, usedDemand := map[string]bool{}, map[string]bool{}
	shown := map[string]bool{}
	for _, a := range actors {
		shown[a.Slug] = true
	}
	for _, c := range current {
		if !shown[c.ActorSlug] {
			continue // a demand only hidden actors address gets no column
		}
		cells[key{c.ActorSlug, c.DemandSlug}] = c
		usedActor[c.ActorSlug], usedDemand[c.DemandSlug] = true, true
	}
	titles := map[string]string{}
	for _, d := range demands {
		titles[d.Slug] = d.Title
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
	for _, a := range sideOrder(actors, roles) {
		if !usedActor[a.Slug] {
			continue
		}
		row := views.MatrixRow{ActorSlug: a.Slug, ActorName: a.Name}
		for _, col := range cols {
			cell := views.MatrixCell{Demand: col.Slug}
			if c, ok := cells[key{a.Slug, col.Slug}]; ok {
				cell.Stance, cell.Date, cell.Conditional = c.Stance, c.Date, c.Conditional
				// The statements behind the cell (as it stood, with as_of):
				// on the converse when the stance is read from there.
				on := col.Slug
				if c.Via != "" {
					on, cell.Via = c.Via, titles[c.Via]
				}
				cell.Link = parley.PositionStatementsURL(a.Slug, on, asOfParam)
			}
			row.Cells = append(row.Cells, cell)
		}
		if n := len(m.Sides); n == 0 || m.Sides[n-1].Side != a.Side {
			m.Sides = append(m.Sides, views.MatrixSide{Side: a.Side, Role: roles[a.Side]})
		}
		last := &m.Sides[len(m.Sides)-1]
		last.Rows = append(last.Rows, row)
	}
	return m
}

// hasPosition reports whether the actor holds any position in current.
func hasPosition(current []parley.CurrentPosition, actor string) bool {
	for _, c := range current {
		if c.ActorSlug == actor {
			return true
		}
	}
	return false
}

// sideOrder puts the parties first, then stakeholders, then observers,
// each by side; actors keep their order (by name) within a side.
func sideOrder(actors []parley.Actor, roles map[string]parley.SideRole) []parley.Actor {
	rank := func(side string) int {
		if i := slices.Index(parley.SideRoles, roles[side]); i >= 0 {
			return i
		}
		return len(parley.SideRoles)
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

// buildGaps lists the demands that parties or stakeholders address: the
// measurable gaps first, widest first and among equal gaps the narrowing
// ones first, then those fewer than two parties address.
func buildGaps(demands []parley.Demand, now, before map[string]parley.Gap) []views.GapRow {
	var rows []views.GapRow
	for _, d := range demands {
		g, ok := now[d.Slug]
		if !ok || len(g.Parties)+len(g.Stakeholders) == 0 {
			continue
		}
		row := views.GapRow{Demand: views.DemandRef{Slug: d.Slug, Title: d.Title, Category: d.Category}, Gap: g, Previous: -1,
			Plot: views.NewDotPlot(g, before[d.Slug].Parties, "a year earlier")}
		if g.Measurable {
			row.Trend = "new"
			if b := before[d.Slug]; b.Measurable {
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
		}
		rows = append(rows, row)
	}
	trendRank := map[string]int{"narrowing": 0, "widening": 1, "new": 2, "steady": 3}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch {
		case a.Gap.Measurable != b.Gap.Measurable:
			return a.Gap.Measurable
		case a.Gap.Value != b.Gap.Value:
			return a.Gap.Value > b.Gap.Value
		}
		return trendRank[a.Trend] < trendRank[b.Trend]
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
	p.Pending, _ = r.Context().Value(pendingKey{}).([]views.PendingMark)
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
