package handlers

import (
	"context"
	"net/http"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"parley"
	"parley/views"
)

type compareStore interface {
	TopActors(ctx context.Context, limit int) ([]parley.Actor, int, error)
	PositionChanges(ctx context.Context, actorIDs []int64, from, to time.Time) ([]parley.PositionChange, error)
	SideStances(ctx context.Context, asOf time.Time, demand string) ([]parley.SideStance, error)
	ListDemands(ctx context.Context) ([]parley.Demand, error)
}

// comparison is what changed between two dates: actors' positions, side
// positions and gaps whose values differ, each with the statement that
// changed it.
type comparison struct {
	from, to  time.Time
	positions []parley.PositionChange
	sides     []views.SideChange
	gaps      []views.GapChange
	titles    map[string]string
	// the matrix's actors compared, and how many more the matrix leaves out
	actors, otherActors int
}

// parseCompare reads from and to, both required, from not after to.
func parseCompare(r *http.Request) (time.Time, time.Time, error) {
	q := r.URL.Query()
	for k := range q {
		if k != "from" && k != "to" {
			return time.Time{}, time.Time{}, badRequest("Compare takes two dates, from and to (like 2024-06-14); " + k + " is not one.")
		}
	}
	from, err := parseDateParam(q, "from")
	if err != nil {
		return from, time.Time{}, err
	}
	to, err := parseDateParam(q, "to")
	if err != nil {
		return from, to, err
	}
	switch {
	case from.IsZero():
		return from, to, badRequest("from: give the first date, like 2025-02-01.")
	case to.IsZero():
		return from, to, badRequest("to: give the second date, like 2025-03-31.")
	case from.After(to):
		return from, to, badRequest("from (" + from.Format("2006-01-02") + ") is after to (" + to.Format("2006-01-02") + "): swap them.")
	}
	return from, to, nil
}

func loadComparison(ctx context.Context, st compareStore, from, to time.Time) (comparison, error) {
	c := comparison{from: from, to: to, titles: map[string]string{}}
	var (
		changes       []parley.PositionChange
		before, after []parley.SideStance
		demands       []parley.Demand
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		// The matrix's cells: the dashboard's actors.
		actors, total, err := st.TopActors(gctx, matrixActors)
		if err != nil {
			return err
		}
		c.actors, c.otherActors = len(actors), total-len(actors)
		ids := make([]int64, len(actors))
		for i, a := range actors {
			ids[i] = a.ID
		}
		changes, err = st.PositionChanges(gctx, ids, from, to)
		return err
	})
	g.Go(func() (err error) { before, err = st.SideStances(gctx, from, ""); return err })
	g.Go(func() (err error) { after, err = st.SideStances(gctx, to, ""); return err })
	g.Go(func() (err error) { demands, err = st.ListDemands(gctx); return err })
	if err := g.Wait(); err != nil {
		return c, err
	}
	for _, d := range demands {
		c.titles[d.Slug] = d.Title
	}
	for _, ch := range changes {
		if ch.From != ch.To {
			c.positions = append(c.positions, ch)
		}
	}
	old := map[[2]string]parley.SideStance{}
	for _, s := range before {
		old[[2]string{s.Demand, s.Side}] = s
	}
	for _, s := range after {
		o, had := old[[2]string{s.Demand, s.Side}]
		if had && o.Stance == s.Stance && o.Via == s.Via {
			continue
		}
		ch := views.SideChange{Demand: s.Demand, Side: s.Side, Role: s.Role, To: s.Stance, Via: s.Via, StatementID: s.StatementID, Date: s.Date}
		if had {
			ch.From = o.Stance
		}
		c.sides = append(c.sides, ch)
	}
	sort.SliceStable(c.sides, func(i, j int) bool {
		if c.sides[i].Demand != c.sides[j].Demand {
			return c.sides[i].Demand < c.sides[j].Demand
		}
		return c.sides[i].Side < c.sides[j].Side
	})
	gb, ga := parley.Gaps(before), parley.Gaps(after)
	for _, d := range demands {
		b, a := gb[d.Slug], ga[d.Slug]
		if b.Measurable == a.Measurable && b.Value == a.Value {
			continue
		}
		ch := views.GapChange{Demand: d.Slug, Before: b, After: a}
		for _, s := range c.sides {
			if s.Demand == d.Slug && s.Role == parley.Party {
				ch.Statements = append(ch.Statements, s.StatementID)
			}
		}
		c.gaps = append(c.gaps, ch)
	}
	return c, nil
}

// handleCompare shows what changed between ?from and ?to.
func handleCompare(st compareStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		from, to, err := parseCompare(r)
		if err != nil {
			return err
		}
		c, err := loadComparison(r.Context(), st, from, to)
		if err != nil {
			return err
		}
		d := views.CompareData{From: from.Format("2006-01-02"), To: to.Format("2006-01-02"),
			FromLabel: parley.Date{Time: from, Precision: parley.Day}.String(), ToLabel: parley.Date{Time: to, Precision: parley.Day}.String(),
			Positions: c.positions, Sides: c.sides, Gaps: c.gaps, Titles: c.titles, Actors: c.actors, OtherActors: c.otherActors}
		return render(w, r, views.ComparePage(page(r, "Compare"), d))
	}
}

type compareJSON struct {
	From      string               `json:"from"`
	To        string               `json:"to"`
	Positions []positionChangeJSON `json:"positions"`
	Sides     []sideChangeJSON     `json:"sides"`
	Gaps      []gapChangeJSON      `json:"gaps"`
}

type positionChangeJSON struct {
	Actor     string  `json:"actor"`
	Demand    string  `json:"demand"`
	From      *string `json:"from"` // null: no position at the first date
	To        string  `json:"to"`
	Statement int64   `json:"statement"`
}

type sideChangeJSON struct {
	Side      string  `json:"side"`
	Demand    string  `json:"demand"`
	From      *string `json:"from"`
	To        string  `json:"to"`
	Via       *string `json:"via"`
	Statement int64   `json:"statement"`
}

type gapChangeJSON struct {
	Demand     string  `json:"demand"`
	From       *int    `json:"from"` // null: not measurable
	To         *int    `json:"to"`
	Statements []int64 `json:"statements"`
}

// handleCompareJSON answers what changed between ?from and ?to as data.
func handleCompareJSON(st compareStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		from, to, err := parseCompare(r)
		if err != nil {
			return err
		}
		c, err := loadComparison(r.Context(), st, from, to)
		if err != nil {
			return err
		}
		out := compareJSON{From: from.Format("2006-01-02"), To: to.Format("2006-01-02"),
			Positions: []positionChangeJSON{}, Sides: []sideChangeJSON{}, Gaps: []gapChangeJSON{}}
		for _, p := range c.positions {
			out.Positions = append(out.Positions, positionChangeJSON{Actor: p.ActorSlug, Demand: p.DemandSlug,
				From: orNull(string(p.From)), To: string(p.To), Statement: p.StatementID})
		}
		for _, s := range c.sides {
			out.Sides = append(out.Sides, sideChangeJSON{Side: s.Side, Demand: s.Demand, From: orNull(string(s.From)), To: string(s.To),
				Via: orNull(s.Via), Statement: s.StatementID})
		}
		for _, g := range c.gaps {
			x := gapChangeJSON{Demand: g.Demand, Statements: g.Statements}
			if g.Before.Measurable {
				v := g.Before.Value
				x.From = &v
			}
			if g.After.Measurable {
				v := g.After.Value
				x.To = &v
			}
			if x.Statements == nil {
				x.Statements = []int64{}
			}
			out.Gaps = append(out.Gaps, x)
		}
		return writeJSONDoc(w, out)
	}
}
