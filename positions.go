package parley

import "sort"

// SidePosition is one side's stance in a gap, with its score.
type SidePosition struct {
	Side   string
	Stance Stance
	Score  int
	Date   Date
}

// Gap is the distance between the sides' stances on a demand: the highest
// side score minus the lowest (Russia +2, Ukraine -2: 4). Sides holds every
// side with a stance, highest score first.
type Gap struct {
	Demand string
	Sides  []SidePosition
	Value  int
}

// Gaps computes the gap on each demand from the sides' stances (see
// SideStance). A demand only one side has addressed has a gap of 0 and one
// side.
func Gaps(stances []SideStance) map[string]Gap {
	out := map[string]Gap{}
	for _, c := range stances {
		g := out[c.Demand]
		g.Demand = c.Demand
		g.Sides = append(g.Sides, SidePosition{Side: c.Side, Stance: c.Stance, Score: c.Stance.Score(), Date: c.Date})
		out[c.Demand] = g
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

// SideStanceTracker replays stance events oldest first and knows each
// side's stance (by the rule of SideStance) after each one.
type SideStanceTracker struct {
	named, anonymous map[[2]string]SideStance // (demand, side) -> newest
}

// Add records e, which must not be older than the events added before.
func (t *SideStanceTracker) Add(e StanceEvent) {
	if t.named == nil {
		t.named, t.anonymous = map[[2]string]SideStance{}, map[[2]string]SideStance{}
	}
	k := [2]string{e.DemandSlug, e.ActorSide}
	x := SideStance{Demand: e.DemandSlug, Side: e.ActorSide, Stance: e.Stance, Date: e.Date}
	if e.Attribution == Anonymous {
		t.anonymous[k] = x
	} else {
		t.named[k] = x
	}
}

// Stances returns the sides' current stances on demand.
func (t *SideStanceTracker) Stances(demand string) []SideStance {
	var out []SideStance
	for k, x := range t.named {
		if k[0] == demand {
			out = append(out, x)
		}
	}
	for k, x := range t.anonymous {
		if _, ok := t.named[k]; !ok && k[0] == demand {
			out = append(out, x)
		}
	}
	return out
}

// CurrentPosition is an actor's stance on a demand as of a day: the stance
// of the actor's latest statement on it dated on or before that day.
type CurrentPosition struct {
	ActorSlug   string
	ActorName   string
	ActorSide   string
	DemandSlug  string
	Stance      Stance
	Date        Date
	StatementID int64
	Attribution Attribution
}

// SideStance is a side's stance on a demand as of a day: that of its
// newest position stated openly (on the record, by a spokesperson, or
// reported by name), or, when none of its actors spoke openly, of its
// newest anonymous one. Without the rule one anonymous report would set a
// side's stance over its leaders' words.
type SideStance struct {
	Demand string
	Side   string
	Stance Stance
	Date   Date
}

// Shift is a statement whose stance on a demand differs from the same
// actor's previous stance on it.
type Shift struct {
	StatementID int64
	ActorSlug   string
	ActorName   string
	DemandSlug  string
	DemandTitle string
	From, To    Stance
	Date        Date
}

// StanceEvent is one stance taken on a demand, for histories and charts.
type StanceEvent struct {
	StatementID int64
	ActorSlug   string
	ActorSide   string
	DemandSlug  string
	Stance      Stance
	Date        Date
	Attribution Attribution
}
