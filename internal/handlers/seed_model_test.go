package handlers_test

import (
	"parley"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"parley/internal/seed"
)

// ---- The seed dataset as the tests understand DESIGN.md ----

type model struct {
	stmts         []mstmt
	actorSide     map[string]string
	actorName     map[string]string
	actorAliases  map[string][]string
	demandRegions map[string][]string
	demandTitle   map[string]string
	sideRole      map[string]parley.SideRole
	converse      map[string]string
}

type mstmt struct {
	seed.Statement
	idx  int // order in seed.json, which is insertion (id) order
	date parley.Date
	side string
	text string // lower-cased quote, summary, occasion, actor name and aliases, and (v2) its reports' quotes
}

func loadModel(t *testing.T) *model {
	t.Helper()
	f, err := seed.Raw()
	if err != nil {
		t.Fatal(err)
	}
	m := &model{actorSide: map[string]string{}, actorName: map[string]string{}, actorAliases: map[string][]string{}, demandRegions: map[string][]string{},
		demandTitle: map[string]string{}, sideRole: map[string]parley.SideRole{}, converse: map[string]string{}}
	for _, s := range f.Sides {
		m.sideRole[s.Slug] = s.Role
	}
	for _, a := range f.Actors {
		m.actorSide[a.Slug], m.actorName[a.Slug], m.actorAliases[a.Slug] = a.Side, a.Name, a.Aliases
	}
	for _, d := range f.Demands {
		m.demandRegions[d.Slug], m.demandTitle[d.Slug] = d.Regions, d.Title
		if d.Converse != "" {
			m.converse[d.Slug] = d.Converse
		}
	}
	for i, s := range f.Statements {
		d, err := parley.ParseDate(s.Date)
		if err != nil {
			t.Fatal(err)
		}
		words := append([]string{s.Quote, s.Summary, s.Occasion, m.actorName[s.Actor]}, m.actorAliases[s.Actor]...)
		for _, r := range s.Reports { // (v2) search finds a statement by any report's quote
			words = append(words, r.Quote)
		}
		txt := strings.ToLower(strings.Join(words, " "))
		m.stmts = append(m.stmts, mstmt{Statement: s, idx: i, date: d, side: m.actorSide[s.Actor], text: txt})
	}
	return m
}

func (m *model) keys(pred func(mstmt) bool) []string {
	var out []string
	for _, s := range m.stmts {
		if pred(s) {
			out = append(out, s.Key)
		}
	}
	return out
}

// conditions lists the conditions of s's position on demand as
// side:demand:stance.
func (s mstmt) conditions(demand string) []string {
	var out []string
	for _, p := range s.Positions {
		if p.Demand == demand {
			for _, c := range p.Conditions {
				out = append(out, c.String())
			}
		}
	}
	return out
}

func (s mstmt) takes(demand, stance string) bool {
	for _, p := range s.Positions {
		if (demand == "" || p.Demand == demand) && (stance == "" || string(p.Stance) == stance) {
			return true
		}
	}
	return false
}

// inRegion is the region timeline of DESIGN.md: the statement mentions the
// region or takes a position on a demand concerning it.
func (m *model) inRegion(s mstmt, region string) bool {
	if slices.Contains(s.Regions, region) {
		return true
	}
	for _, p := range s.Positions {
		if slices.Contains(m.demandRegions[p.Demand], region) {
			return true
		}
	}
	return false
}

type mpos struct {
	actor, side, demand, stance string
	anonymous                   bool
	date                        parley.Date
	idx                         int
	via                         string // (v2) the converse the stance was taken on, mirrored
}

func (p mpos) after(q mpos) bool {
	if !p.date.Time.Equal(q.date.Time) {
		return p.date.Time.After(q.date.Time)
	}
	return p.idx > q.idx
}

// current is each actor's stance on each demand: that of its latest dated
// statement on or before asOf (zero: all).
func (m *model) current(asOf time.Time) map[[2]string]mpos {
	out := map[[2]string]mpos{}
	for _, s := range m.stmts {
		if !asOf.IsZero() && s.date.Time.After(asOf) {
			continue
		}
		for _, p := range s.Positions {
			k := [2]string{s.Actor, p.Demand}
			c := mpos{actor: s.Actor, side: s.side, demand: p.Demand, stance: string(p.Stance), date: s.date, idx: s.idx,
				anonymous: s.Attribution == "anonymous"}
			if old, ok := out[k]; !ok || c.after(old) {
				out[k] = c
			}
		}
	}
	return out
}

// cells is the dashboard matrix as of asOf (zero: all): each actor's
// current stance on each demand, and (v2) where the actor took none on a
// demand but did on its converse, that stance mirrored, via the converse.
func (m *model) cells(asOf time.Time) map[[2]string]mpos {
	cur := m.current(asOf)
	out := map[[2]string]mpos{}
	for k, c := range cur {
		out[k] = c
		other := m.converse[c.demand]
		if _, held := cur[[2]string{c.actor, other}]; other == "" || held {
			continue
		}
		c.demand, c.stance, c.via = other, string(parley.Stance(c.stance).Mirror()), c.demand
		out[[2]string{c.actor, other}] = c
	}
	return out
}

// gaps is, per demand addressed by two sides or more, the distance between
// the sides' current positions (a side's position: its newest actor's who
// spoke openly; anonymous sources only when nobody of the side did).
//
// (v2) Only parties' positions count in a gap, and with fewer than two
// parties it is not measurable (absent here); observers count nowhere; a
// stance on a demand's converse counts on it, mirrored. addressed lists
// every demand some party or stakeholder holds a position on.
func (m *model) gaps() map[string]int {
	g, _ := m.gapsAndAddressed()
	return g
}

func (m *model) gapsAndAddressed() (gaps map[string]int, addressed map[string]bool) {
	bySide := map[[2]string]mpos{}
	add := func(c mpos) {
		k := [2]string{c.demand, c.side}
		old, ok := bySide[k]
		if !ok || (old.anonymous && !c.anonymous) || (old.anonymous == c.anonymous && c.after(old)) {
			bySide[k] = c
		}
	}
	for _, c := range m.current(time.Time{}) {
		if role := m.sideRole[c.side]; role != parley.Party && role != parley.Stakeholder {
			continue
		}
		add(c)
		if other := m.converse[c.demand]; other != "" {
			c.demand, c.stance = other, string(parley.Stance(c.stance).Mirror())
			add(c)
		}
	}
	scores := map[string][]int{}
	addressed = map[string]bool{}
	for k, c := range bySide {
		addressed[k[0]] = true
		if m.sideRole[k[1]] == parley.Party {
			scores[k[0]] = append(scores[k[0]], parley.Stance(c.stance).Score())
		}
	}
	gaps = map[string]int{}
	for d, sc := range scores {
		if len(sc) > 1 {
			gaps[d] = slices.Max(sc) - slices.Min(sc)
		}
	}
	return gaps, addressed
}

// shifts are "actor demand from to" for every statement whose stance differs
// from the same actor's previous stance on the same demand.
func (m *model) shifts() map[string]bool {
	hist := map[[2]string][]mpos{}
	for _, s := range m.stmts {
		for _, p := range s.Positions {
			k := [2]string{s.Actor, p.Demand}
			hist[k] = append(hist[k], mpos{actor: s.Actor, demand: p.Demand, stance: string(p.Stance), date: s.date, idx: s.idx})
		}
	}
	out := map[string]bool{}
	for _, h := range hist {
		sort.Slice(h, func(i, j int) bool { return h[j].after(h[i]) })
		for i := 1; i < len(h); i++ {
			if h[i].stance != h[i-1].stance {
				out[strings.Join([]string{h[i].actor, h[i].demand, h[i-1].stance, h[i].stance}, " ")] = true
			}
		}
	}
	return out
}

func idsOf(t *testing.T, ids map[string]int64, keys []string) []int64 {
	t.Helper()
	var out []int64
	for _, k := range keys {
		id, ok := ids[k]
		if !ok {
			t.Fatalf("seed statement %q is not in the database", k)
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
