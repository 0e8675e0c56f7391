package parley

import "sort"

// SidePosition is one side's stance in a gap, with its score.
type SidePosition struct {
	Side   string
	Role   SideRole
	Stance Stance
	Score  int
	Date   Date
	Via    string // the converse demand's slug when the stance was taken on it, mirrored
}

// Gap is the distance between the parties' stances on a demand: the
// highest party score minus the lowest (Russia +2, Ukraine -2: 4).
// Stakeholders' stances are shown beside it, never in it. With fewer than
// two parties holding a stance the gap is not measurable: Measurable is
// false and Value means nothing (never 0, which would say they agree).
type Gap struct {
	Demand       string
	Parties      []SidePosition // highest score first
	Stakeholders []SidePosition // highest score first
	Value        int
	Measurable   bool
}

// Gaps computes the gap on each demand from the sides' stances (see
// SideStance). Observers' stances are left out, should any be given.
func Gaps(stances []SideStance) map[string]Gap {
	out := map[string]Gap{}
	for _, c := range stances {
		g := out[c.Demand]
		g.Demand = c.Demand
		p := SidePosition{Side: c.Side, Role: c.Role, Stance: c.Stance, Score: c.Stance.Score(), Date: c.Date, Via: c.Via}
		switch c.Role {
		case Party:
			g.Parties = append(g.Parties, p)
		case Stakeholder:
			g.Stakeholders = append(g.Stakeholders, p)
		default:
			continue
		}
		out[c.Demand] = g
	}
	for k, g := range out {
		byScore(g.Parties)
		byScore(g.Stakeholders)
		if len(g.Parties) >= 2 {
			g.Value, g.Measurable = g.Parties[0].Score-g.Parties[len(g.Parties)-1].Score, true
		}
		out[k] = g
	}
	return out
}

// byScore orders positions highest score first, then by side.
func byScore(ps []SidePosition) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Score != ps[j].Score {
			return ps[i].Score > ps[j].Score
		}
		return ps[i].Side < ps[j].Side
	})
}

// SideStanceTracker replays stance events oldest first and knows each
// side's stance (by the rule of SideStance) after each one. Roles gives
// each side's role (observers' events are ignored); Converse maps a demand
// to its converse, whose events count, mirrored, on it too.
type SideStanceTracker struct {
	Roles            map[string]SideRole
	Converse         map[string]string
	named, anonymous map[[2]string]SideStance // (demand, side) -> newest
}

// Add records e, which must not be older than the events added before.
func (t *SideStanceTracker) Add(e StanceEvent) {
	role := t.Roles[e.ActorSide]
	if !role.Counts() {
		return
	}
	if t.named == nil {
		t.named, t.anonymous = map[[2]string]SideStance{}, map[[2]string]SideStance{}
	}
	m := t.named
	if e.Attribution == Anonymous {
		m = t.anonymous
	}
	m[[2]string{e.DemandSlug, e.ActorSide}] = SideStance{Demand: e.DemandSlug, Side: e.ActorSide, Role: role, Stance: e.Stance, Date: e.Date}
	if c := t.Converse[e.DemandSlug]; c != "" {
		m[[2]string{c, e.ActorSide}] = SideStance{Demand: c, Side: e.ActorSide, Role: role, Stance: e.Stance.Mirror(), Date: e.Date, Via: e.DemandSlug}
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
	Via         string // the converse demand's slug when the actor spoke on it, mirrored
	Conditional bool   // the position holds only on conditions (see the statement)
}

// WithConverse adds to current, for each actor silent on a demand that has
// a converse the actor did take a stance on, that stance mirrored and
// marked Via the converse: an actor who insists on Ukraine's neutrality
// rejects its NATO membership, though it never said so in those words.
func WithConverse(current []CurrentPosition, converse map[string]string) []CurrentPosition {
	held := map[[2]string]bool{}
	for _, c := range current {
		held[[2]string{c.ActorSlug, c.DemandSlug}] = true
	}
	out := append([]CurrentPosition(nil), current...)
	for _, c := range current {
		other := converse[c.DemandSlug]
		if other == "" || c.Via != "" || held[[2]string{c.ActorSlug, other}] {
			continue
		}
		m := c
		m.DemandSlug, m.Stance, m.Via = other, c.Stance.Mirror(), c.DemandSlug
		out = append(out, m)
	}
	return out
}

// SideStance is a side's stance on a demand as of a day: that of its
// newest position stated openly (on the record, by a spokesperson, or
// reported by name), or, when none of its actors spoke openly, of its
// newest anonymous one. Without the rule one anonymous report would set a
// side's stance over its leaders' words.
type SideStance struct {
	Demand string
	Side   string
	Role   SideRole
	Stance Stance
	Date   Date
	Via    string // the converse demand's slug when taken on it, mirrored
	// StatementID is the statement the stance was taken in, and On the
	// demand it was taken on (the converse, for a stance read from it).
	StatementID int64
	On          string
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

// PositionChange is an actor's position on a demand at two dates: From
// (empty when it had none) and To, set by statement StatementID of Date.
type PositionChange struct {
	ActorSlug, ActorName, ActorSide string
	DemandSlug                      string
	From, To                        Stance
	Date                            Date
	StatementID                     int64
}
