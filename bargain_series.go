package parley

import (
	"slices"
	"time"
)

// PartyInput builds the bargaining space's input from the side stances
// (only the parties' count), the conditions of the statements behind them
// (by statement id and the demand the stance was taken on) and the
// demands' converse pairs.
func PartyInput(sides []Side, demands []Demand, stances []SideStance, conds map[int64]map[string][]Condition) BargainingInput {
	in := BargainingInput{Converse: Converses(demands)}
	for _, s := range sides {
		if s.Role == Party {
			in.Parties = append(in.Parties, s.Slug)
		}
	}
	for _, s := range stances {
		if s.Role != Party {
			continue
		}
		in.Positions = append(in.Positions, PartyPosition{Side: s.Side, Demand: s.Demand, Stance: s.Stance, Via: s.Via,
			Conditions: conds[s.StatementID][s.On], Statements: []int64{s.StatementID}})
	}
	return in
}

// BargainingPoint is the bargaining space's figures as of one day: a
// point of its chart over time.
type BargainingPoint struct {
	Day      time.Time
	Feasible bool
	Packages int64    // feasible packages
	Blocking []string // the demands of the minimal blocking sets, sorted
	// Positions are the parties' positions the figures come from (not
	// always loaded), and Moved the statements behind those that differ
	// from the point before's (MovesBetween).
	Positions []PartyPosition
	Moved     []int64
}

// PointOf summarises the space computed as of day from in.
func PointOf(day time.Time, in BargainingInput, space BargainingSpace) BargainingPoint {
	pt := BargainingPoint{Day: day, Feasible: space.Feasible, Packages: space.Packages, Positions: in.Positions}
	for _, b := range space.Blocking {
		pt.Blocking = append(pt.Blocking, b.Demands...)
	}
	slices.Sort(pt.Blocking)
	pt.Blocking = slices.Compact(pt.Blocking)
	return pt
}

// MovesBetween lists the statements behind the positions of after that
// differ from before's (a new stance, via or conditions, or a position
// where there was none): what moved the space between two points.
func MovesBetween(before, after []PartyPosition) []int64 {
	was := map[[2]string]PartyPosition{}
	for _, p := range before {
		was[[2]string{p.Side, p.Demand}] = p
	}
	var moved []int64
	for _, p := range after {
		if old, ok := was[[2]string{p.Side, p.Demand}]; !ok || !samePosition(old, p) {
			moved = append(moved, p.Statements...)
		}
	}
	slices.Sort(moved)
	return slices.Compact(moved)
}

func samePosition(a, b PartyPosition) bool {
	return a.Stance == b.Stance && a.Via == b.Via &&
		slices.EqualFunc(a.Conditions, b.Conditions, func(x, y Condition) bool { return x.String() == y.String() })
}

// MonthEnds lists the last day of every month from first's month up to,
// not including, until's month.
func MonthEnds(first, until time.Time) []time.Time {
	var out []time.Time
	m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	stop := time.Date(until.Year(), until.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m.Before(stop) {
		next := m.AddDate(0, 1, 0)
		out = append(out, next.AddDate(0, 0, -1))
		m = next
	}
	return out
}
