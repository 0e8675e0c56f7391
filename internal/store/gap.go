package store

import "sort"

// SidePosition is one side's current stance on a demand: the stance of the
// most recent current position of any actor of that side who spoke on the
// record (or through a spokesperson, or was reported by name); anonymous
// sources count only when nobody of that side spoke openly.
type SidePosition struct {
	Side   string
	Stance string
	Score  int
	Date   Date
}

// Gap is the distance between the sides' current positions on a demand:
// the highest side score minus the lowest (Russia +2, Ukraine -2: 4).
// Sides holds every side with a position, highest score first.
type Gap struct {
	Demand string
	Sides  []SidePosition
	Value  int
}

// Gaps computes the gap on each demand from current positions. A demand
// only one side has addressed has a gap of 0 and one side.
func Gaps(current []CurrentPosition) map[string]Gap {
	latest := map[[2]string]CurrentPosition{} // (demand, side) -> newest position
	for _, c := range current {
		k := [2]string{c.DemandSlug, c.ActorSide}
		old, ok := latest[k]
		anon, oldAnon := c.Attribution == "anonymous", old.Attribution == "anonymous"
		switch {
		case !ok, oldAnon && !anon:
			latest[k] = c
		case anon && !oldAnon:
		case c.Date.Time.After(old.Date.Time),
			c.Date.Time.Equal(old.Date.Time) && c.StatementID > old.StatementID:
			latest[k] = c
		}
	}
	out := map[string]Gap{}
	for k, c := range latest {
		g := out[k[0]]
		g.Demand = k[0]
		g.Sides = append(g.Sides, SidePosition{Side: c.ActorSide, Stance: c.Stance, Score: StanceScore(c.Stance), Date: c.Date})
		out[k[0]] = g
	}
	for k, g := range out {
		sort.Slice(g.Sides, func(i, j int) bool {
			if g.Sides[i].Score != g.Sides[j].Score {
				return g.Sides[i].Score > g.Sides[j].Score
			}
			return g.Sides[i].Side < g.Sides[j].Side
		})
		g.Value = g.Sides[0].Score - g.Sides[len(g.Sides)-1].Score
		out[k] = g
	}
	return out
}
