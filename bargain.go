package parley

import (
	"slices"
	"sort"
)

// The bargaining space (DESIGN.md): for the parties, over the demands at
// least one party holds a position on (and those their conditions name),
// a package is the set of demands a settlement includes.
//
// How a party's position constrains a package:
//   - insists: the demand is in the package; rejects: it is out (hard);
//   - supports: a package without it costs the party 1; opposes: a
//     package with it costs 1; open: nothing (soft);
//   - conditions: a party accepting a demand (insists, supports or open)
//     only if a side takes a stance on another demand makes the demand's
//     inclusion require that stance's answer: "supports talks if Ukraine
//     supports the withdrawal" puts talks in a package only with the
//     withdrawal (a condition's insists or supports asks for the demand
//     in, rejects or opposes for it out; open asks for nothing);
//   - converse demands are one question: a package holds exactly one of
//     them (Ukraine's neutrality, or its NATO membership).
//
// Algorithm. Each question (a demand, or a converse pair) is a boolean
// variable; the hard constraints are unit clauses and two-literal
// implications, so feasibility is 2-SAT. Variables are split into
// connected components of the implication graph: components are
// independent, so the number of feasible packages is the product of their
// counts and the least cost the sum of their least costs. A component is
// solved by backtracking with unit propagation over its variables
// (exact); on the positions parties actually take, components are a few
// demands, and a variable no clause touches counts twice and costs its
// cheaper side. When no package is feasible, the minimal blocking sets
// are the inclusion-minimal sets of questions whose constraints alone
// admit no package: every set of up to three questions is tried (each in
// time linear in its constraints); if none blocks, one minimal set is
// found by deleting questions from the whole while it still blocks.

// PartyPosition is one party's position on a demand, as the bargaining
// space reads it.
type PartyPosition struct {
	Side       string
	Demand     string
	Stance     Stance
	Via        string      // the converse demand, when the stance was taken on it
	Conditions []Condition // the position holds only on these
	Statements []int64     // the statements behind it
}

// BargainingInput is what the bargaining space is computed from: the
// parties, their positions, and the converse pairs (both directions).
type BargainingInput struct {
	Parties   []string
	Positions []PartyPosition
	Converse  map[string]string
}

// Package is one feasible package: the demands it includes, its total cost
// and each party's.
type Package struct {
	Demands []string
	Cost    int
	Costs   map[string]int
}

// Block is a minimal blocking set: demands whose parties' positions admit
// no package together, with those positions.
type Block struct {
	Demands   []string
	Positions []PartyPosition
}

// BargainingSpace is the answer: the demands in play, whether any package
// is feasible, how many are, the least costly ones, and, when none is,
// what blocks them.
type BargainingSpace struct {
	Demands  []string // in play, sorted
	Feasible bool
	Packages int64 // feasible packages
	Best     []Package
	Blocking []Block
}

// maxBest is how many least-costly packages Bargain lists when several tie.
const maxBest = 5

// A literal is variable v (>= 0) being true (in) or false.
type lit struct {
	v  int
	in bool
}

type bargainProblem struct {
	questions [][]string     // per variable: its demand, or the pair (the demand first, its converse second)
	varOf     map[string]lit // demand -> its variable, and whether "in" means the demand is in
	units     []lit
	implies   [][2]lit            // a -> b
	costs     []map[string][2]int // per variable: party -> cost when false [0], true [1]
	byVar     [][]PartyPosition   // the positions on each variable
}

// Bargain computes the bargaining space.
func Bargain(in BargainingInput) BargainingSpace {
	p := newBargainProblem(in)
	var out BargainingSpace
	for _, q := range p.questions {
		out.Demands = append(out.Demands, q...)
	}
	sort.Strings(out.Demands)
	all := make([]int, len(p.questions))
	for i := range all {
		all[i] = i
	}
	if !p.satisfiable(all) {
		out.Blocking = p.blocking()
		return out
	}
	out.Feasible = true
	out.Packages, out.Best = p.solve()
	return out
}

func newBargainProblem(in BargainingInput) *bargainProblem {
	p := &bargainProblem{varOf: map[string]lit{}}
	parties := map[string]bool{}
	for _, s := range in.Parties {
		parties[s] = true
	}
	variable := func(d string) lit {
		if l, ok := p.varOf[d]; ok {
			return l
		}
		v := len(p.questions)
		p.questions = append(p.questions, []string{d})
		p.costs = append(p.costs, map[string][2]int{})
		p.byVar = append(p.byVar, nil)
		p.varOf[d] = lit{v, true}
		if c := in.Converse[d]; c != "" {
			p.questions[v] = append(p.questions[v], c)
			p.varOf[c] = lit{v, false}
		}
		return p.varOf[d]
	}
	// In play: every demand a party holds a position on, in a stable order.
	var positions []PartyPosition
	for _, pos := range in.Positions {
		if parties[pos.Side] {
			positions = append(positions, pos)
		}
	}
	sort.SliceStable(positions, func(i, j int) bool {
		if positions[i].Demand != positions[j].Demand {
			return positions[i].Demand < positions[j].Demand
		}
		return positions[i].Side < positions[j].Side
	})
	for _, pos := range positions {
		variable(pos.Demand)
	}
	seen := map[[2]string]bool{} // (side, variable's first demand): a converse pair is read once
	for _, pos := range positions {
		l := variable(pos.Demand)
		key := [2]string{pos.Side, p.questions[l.v][0]}
		if seen[key] {
			continue // the same side's mirrored position on the converse
		}
		seen[key] = true
		p.byVar[l.v] = append(p.byVar[l.v], pos)
		yes := l              // the demand in
		no := lit{l.v, !l.in} // the demand out
		c := p.costs[l.v][pos.Side]
		switch pos.Stance {
		case Insists:
			p.units = append(p.units, yes)
		case Rejects:
			p.units = append(p.units, no)
		case Supports:
			c[boolIndex(no.in)]++
		case Opposes:
			c[boolIndex(yes.in)]++
		}
		p.costs[l.v][pos.Side] = c
		if pos.Stance == Insists || pos.Stance == Supports || pos.Stance == Open {
			for _, cond := range pos.Conditions {
				want, ok := cond.Stance.answer()
				if !ok {
					continue
				}
				e := variable(cond.Demand)
				if !want {
					e.in = !e.in
				}
				p.implies = append(p.implies, [2]lit{yes, e})
			}
		}
	}
	return p
}

// answer is what a condition's stance asks of a package: the demand in
// (insists, supports) or out (opposes, rejects); open asks nothing.
func (s Stance) answer() (in, ok bool) {
	switch s {
	case Insists, Supports:
		return true, true
	case Opposes, Rejects:
		return false, true
	}
	return false, false
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// satisfiable reports whether the constraints that involve only the
// variables vars admit an assignment (2-SAT by propagation: a unit forces
// its variable; each remaining variable is tried both ways, propagating
// implications, which is complete for two-literal clauses).
func (p *bargainProblem) satisfiable(vars []int) bool {
	in := map[int]bool{}
	for _, v := range vars {
		in[v] = true
	}
	a := newAssignment(p, in)
	for _, u := range p.units {
		if in[u.v] && !a.set(u) {
			return false
		}
	}
	for _, v := range vars {
		if _, ok := a.val[v]; ok {
			continue
		}
		mark := len(a.trail)
		if a.set(lit{v, true}) {
			continue
		}
		a.undo(mark)
		if !a.set(lit{v, false}) {
			return false
		}
	}
	return true
}

// assignment is a partial assignment with propagation of the implications
// among the variables in scope.
type assignment struct {
	p     *bargainProblem
	scope map[int]bool
	val   map[int]bool
	trail []int
	next  map[lit][]lit // implications, both directions (a -> b and not b -> not a)
}

func newAssignment(p *bargainProblem, scope map[int]bool) *assignment {
	a := &assignment{p: p, scope: scope, val: map[int]bool{}, next: map[lit][]lit{}}
	for _, im := range p.implies {
		x, y := im[0], im[1]
		if scope[x.v] && scope[y.v] {
			a.next[x] = append(a.next[x], y)
			nx, ny := lit{x.v, !x.in}, lit{y.v, !y.in}
			a.next[ny] = append(a.next[ny], nx)
		}
	}
	return a
}

// set makes l true and propagates; false on a contradiction (the caller
// undoes to a mark).
func (a *assignment) set(l lit) bool {
	queue := []lit{l}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if v, ok := a.val[x.v]; ok {
			if v != x.in {
				return false
			}
			continue
		}
		a.val[x.v] = x.in
		a.trail = append(a.trail, x.v)
		queue = append(queue, a.next[x]...)
	}
	return true
}

func (a *assignment) undo(mark int) {
	for _, v := range a.trail[mark:] {
		delete(a.val, v)
	}
	a.trail = a.trail[:mark]
}

// blocking finds the minimal blocking sets (see the package comment).
func (p *bargainProblem) blocking() []Block {
	n := len(p.questions)
	var sets [][]int
	blocks := func(s []int) bool { return !p.satisfiable(s) }
	contains := func(s []int) bool { // s holds a blocking set already found
		for _, b := range sets {
			if isSubset(b, s) {
				return true
			}
		}
		return false
	}
	for size := 1; size <= 3 && size <= n; size++ {
		combinations(n, size, func(s []int) {
			if !contains(s) && blocks(s) {
				sets = append(sets, slices.Clone(s))
			}
		})
	}
	if len(sets) == 0 {
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		for i := 0; i < len(s); {
			without := slices.Delete(slices.Clone(s), i, i+1)
			if blocks(without) {
				s = without
			} else {
				i++
			}
		}
		sets = append(sets, s)
	}
	out := make([]Block, 0, len(sets))
	for _, s := range sets {
		var b Block
		for _, v := range s {
			b.Demands = append(b.Demands, p.questions[v]...)
			b.Positions = append(b.Positions, p.byVar[v]...)
		}
		sort.Strings(b.Demands)
		out = append(out, b)
	}
	return out
}

func isSubset(a, b []int) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// combinations calls fn with every sorted k-subset of 0..n-1.
func combinations(n, k int, fn func([]int)) {
	s := make([]int, k)
	var rec func(start, i int)
	rec = func(start, i int) {
		if i == k {
			fn(s)
			return
		}
		for v := start; v < n; v++ {
			s[i] = v
			rec(v+1, i+1)
		}
	}
	rec(0, 0)
}

// solve counts the feasible packages and finds the least costly ones (see
// the package comment), given that some package is feasible.
func (p *bargainProblem) solve() (int64, []Package) {
	n := len(p.questions)
	// Components of the implication graph.
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, im := range p.implies {
		parent[find(im[0].v)] = find(im[1].v)
	}
	comps := map[int][]int{}
	for v := 0; v < n; v++ {
		comps[find(v)] = append(comps[find(v)], v)
	}
	roots := make([]int, 0, len(comps))
	for r := range comps {
		roots = append(roots, r)
	}
	sort.Ints(roots)
	count := int64(1)
	// Each component's optimal assignments (up to maxBest), combined.
	best := []map[int]bool{{}}
	for _, r := range roots {
		vars := comps[r]
		c, opt := p.solveComponent(vars)
		count *= c
		var next []map[int]bool
		for _, b := range best {
			for _, o := range opt {
				m := make(map[int]bool, len(b)+len(o))
				for k, v := range b {
					m[k] = v
				}
				for k, v := range o {
					m[k] = v
				}
				next = append(next, m)
				if len(next) == maxBest {
					break
				}
			}
			if len(next) == maxBest {
				break
			}
		}
		best = next
	}
	pkgs := make([]Package, 0, len(best))
	for _, b := range best {
		pkgs = append(pkgs, p.pack(b))
	}
	return count, pkgs
}

// solveComponent enumerates the satisfying assignments of one component by
// backtracking with propagation: their number, and the least costly ones.
func (p *bargainProblem) solveComponent(vars []int) (int64, []map[int]bool) {
	scope := map[int]bool{}
	for _, v := range vars {
		scope[v] = true
	}
	a := newAssignment(p, scope)
	for _, u := range p.units {
		if scope[u.v] && !a.set(u) {
			return 0, nil
		}
	}
	var count int64
	minCost := -1
	var opt []map[int]bool
	var rec func(i int)
	rec = func(i int) {
		for i < len(vars) {
			if _, ok := a.val[vars[i]]; !ok {
				break
			}
			i++
		}
		if i == len(vars) {
			count++
			c := 0
			for _, v := range vars {
				c += p.varCost(v, a.val[v])
			}
			switch {
			case minCost < 0 || c < minCost:
				minCost, opt = c, nil
				fallthrough
			case c == minCost && len(opt) < maxBest:
				m := make(map[int]bool, len(vars))
				for _, v := range vars {
					m[v] = a.val[v]
				}
				opt = append(opt, m)
			}
			return
		}
		for _, val := range []bool{true, false} {
			mark := len(a.trail)
			if a.set(lit{vars[i], val}) {
				rec(i + 1)
			}
			a.undo(mark)
		}
	}
	rec(0)
	return count, opt
}

// varCost is what setting variable v to val costs all parties together.
func (p *bargainProblem) varCost(v int, val bool) int {
	c := 0
	for _, pc := range p.costs[v] {
		c += pc[boolIndex(val)]
	}
	return c
}

// pack turns an assignment into a package.
func (p *bargainProblem) pack(val map[int]bool) Package {
	pk := Package{Costs: map[string]int{}}
	for v, q := range p.questions {
		if val[v] {
			pk.Demands = append(pk.Demands, q[0])
		} else if len(q) == 2 {
			pk.Demands = append(pk.Demands, q[1])
		}
		for side, c := range p.costs[v] {
			pk.Costs[side] += c[boolIndex(val[v])]
			pk.Cost += c[boolIndex(val[v])]
		}
	}
	sort.Strings(pk.Demands)
	return pk
}
