package parley_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"parley"
)

func pos(side, demand string, stance parley.Stance, conds ...parley.Condition) parley.PartyPosition {
	return parley.PartyPosition{Side: side, Demand: demand, Stance: stance, Conditions: conds}
}

var twoParties = []string{"russia", "ukraine"}

func blockSets(s parley.BargainingSpace) []string {
	var out []string
	for _, b := range s.Blocking {
		out = append(out, strings.Join(b.Demands, "+"))
	}
	sort.Strings(out)
	return out
}

func TestBargainingFixtures(t *testing.T) {
	tests := []struct {
		name     string
		in       parley.BargainingInput
		feasible bool
		packages int64
		blocking []string
		best     []string // the least costly packages' demands
		cost     int
	}{
		{
			name: "insists against rejects blocks that demand",
			in: parley.BargainingInput{Parties: twoParties, Positions: []parley.PartyPosition{
				pos("russia", "withdrawal", parley.Insists), pos("ukraine", "withdrawal", parley.Rejects),
				pos("russia", "sanctions", parley.Supports),
			}},
			blocking: []string{"withdrawal"},
		},
		{
			name: "an open stance removes the block",
			in: parley.BargainingInput{Parties: twoParties, Positions: []parley.PartyPosition{
				pos("russia", "withdrawal", parley.Insists), pos("ukraine", "withdrawal", parley.Open),
			}},
			feasible: true, packages: 1, best: []string{"withdrawal"}, cost: 0,
		},
		{
			name: "a party silent on a demand constrains nothing",
			in: parley.BargainingInput{Parties: twoParties, Positions: []parley.PartyPosition{
				pos("russia", "withdrawal", parley.Insists), pos("ukraine", "guarantees", parley.Insists),
				pos("russia", "talks", parley.Supports),
			}},
			feasible: true, packages: 2, best: []string{"guarantees talks withdrawal"}, cost: 0,
		},
		{
			name: "a condition chains two demands",
			// Russia supports talks only if Ukraine supports the withdrawal,
			// which Ukraine rejects; Russia insists on talks: blocked by the
			// pair.
			in: parley.BargainingInput{Parties: twoParties, Positions: []parley.PartyPosition{
				pos("russia", "talks", parley.Insists, parley.Condition{Side: "ukraine", Demand: "withdrawal", Stance: parley.Supports}),
				pos("ukraine", "withdrawal", parley.Rejects),
			}},
			blocking: []string{"talks+withdrawal"},
		},
		{
			name: "a condition on a supported demand leaves a cheaper package",
			in: parley.BargainingInput{Parties: twoParties, Positions: []parley.PartyPosition{
				pos("russia", "talks", parley.Supports, parley.Condition{Side: "ukraine", Demand: "withdrawal", Stance: parley.Supports}),
				pos("ukraine", "withdrawal", parley.Rejects),
				pos("ukraine", "talks", parley.Supports),
			}},
			// withdrawal out, so talks out: both parties pay 1.
			feasible: true, packages: 1, best: []string{""}, cost: 2,
		},
		{
			name: "converse demands are one question",
			in: parley.BargainingInput{Parties: twoParties,
				Converse: map[string]string{"neutrality": "nato", "nato": "neutrality"},
				Positions: []parley.PartyPosition{
					pos("russia", "neutrality", parley.Insists), pos("russia", "nato", parley.Rejects),
					pos("ukraine", "nato", parley.Insists), pos("ukraine", "neutrality", parley.Rejects),
				}},
			blocking: []string{"nato+neutrality"},
		},
		{
			name: "a converse pair decided one way",
			in: parley.BargainingInput{Parties: twoParties,
				Converse: map[string]string{"neutrality": "nato", "nato": "neutrality"},
				Positions: []parley.PartyPosition{
					pos("russia", "neutrality", parley.Insists), pos("russia", "nato", parley.Rejects),
					pos("ukraine", "nato", parley.Opposes), pos("ukraine", "neutrality", parley.Supports),
				}},
			feasible: true, packages: 1, best: []string{"neutrality"}, cost: 0,
		},
		{
			name: "a stakeholder is not a party",
			in: parley.BargainingInput{Parties: twoParties, Positions: []parley.PartyPosition{
				pos("russia", "ceasefire", parley.Insists), pos("united-states", "ceasefire", parley.Rejects),
			}},
			feasible: true, packages: 1, best: []string{"ceasefire"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parley.Bargain(tt.in)
			if got.Feasible != tt.feasible {
				t.Fatalf("feasible = %v, want %v (blocking %v)", got.Feasible, tt.feasible, blockSets(got))
			}
			if !tt.feasible {
				if diff := strings.Join(blockSets(got), " | "); diff != strings.Join(tt.blocking, " | ") {
					t.Errorf("blocking = %s, want %s", diff, strings.Join(tt.blocking, " | "))
				}
				for _, b := range got.Blocking {
					if len(b.Positions) == 0 {
						t.Errorf("block %v shows no positions", b.Demands)
					}
				}
				return
			}
			if got.Packages != tt.packages {
				t.Errorf("packages = %d, want %d", got.Packages, tt.packages)
			}
			var best []string
			for _, p := range got.Best {
				best = append(best, strings.Join(p.Demands, " "))
				if p.Cost != tt.cost {
					t.Errorf("best package %v costs %d, want %d", p.Demands, p.Cost, tt.cost)
				}
			}
			if strings.Join(best, " | ") != strings.Join(tt.best, " | ") {
				t.Errorf("best = %q, want %q", best, tt.best)
			}
		})
	}
}

// TestBargainingMatchesBruteForce compares the solver with a direct reading
// of the rules over every package, on random instances of up to 12
// demands.
func TestBargainingMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	stances := []parley.Stance{parley.Insists, parley.Supports, parley.Open, parley.Opposes, parley.Rejects}
	for round := range 400 {
		n := 1 + r.IntN(12)
		demands := make([]string, n)
		for i := range demands {
			demands[i] = fmt.Sprintf("d%02d", i)
		}
		in := parley.BargainingInput{Parties: twoParties, Converse: map[string]string{}}
		if n >= 2 && r.IntN(2) == 0 { // a converse pair
			in.Converse[demands[0]], in.Converse[demands[1]] = demands[1], demands[0]
		}
		for _, side := range twoParties {
			for i, d := range demands {
				if r.IntN(3) == 0 {
					continue // silent
				}
				s := stances[r.IntN(5)]
				if c := in.Converse[d]; c != "" && i == 1 {
					continue // the pair is read from its first demand
				}
				p := pos(side, d, s)
				if r.IntN(4) == 0 && n > 1 {
					e := demands[r.IntN(n)]
					if e != d && e != in.Converse[d] {
						p.Conditions = []parley.Condition{{Side: twoParties[r.IntN(2)], Demand: e, Stance: stances[r.IntN(5)]}}
					}
				}
				in.Positions = append(in.Positions, p)
			}
		}
		got := parley.Bargain(in)
		want := bruteForce(in, demands)
		name := fmt.Sprintf("round %d (%d demands)", round, n)
		if got.Feasible != (want.count > 0) {
			t.Fatalf("%s: feasible = %v, brute force counts %d packages; input %+v", name, got.Feasible, want.count, in)
		}
		if !got.Feasible {
			for _, b := range got.Blocking {
				qs := questionsOf(b.Demands, in.Converse)
				if bruteForceSub(in, demands, qs) != 0 {
					t.Errorf("%s: blocking set %v admits a package", name, b.Demands)
				}
				for i := range qs {
					if bruteForceSub(in, demands, slices.Delete(slices.Clone(qs), i, i+1)) == 0 {
						t.Errorf("%s: blocking set %v is not minimal", name, b.Demands)
					}
				}
			}
			if len(got.Blocking) == 0 {
				t.Errorf("%s: infeasible without a blocking set", name)
			}
			continue
		}
		// Questions nobody speaks to are not in play: brute force counts
		// each twice (a converse pair is one question).
		free := int64(1)
		for _, q := range questionsOf(demands, in.Converse) {
			if !slices.Contains(got.Demands, q) {
				free *= 2
			}
		}
		if got.Packages*free != want.count {
			t.Errorf("%s: %d packages over the demands in play %v, brute force %d over %d", name, got.Packages, got.Demands, want.count, n)
		}
		for _, p := range got.Best {
			if p.Cost != want.minCost {
				t.Errorf("%s: best package %v costs %d, brute force's least is %d", name, p.Demands, p.Cost, want.minCost)
			}
		}
	}
}

type bruteResult struct {
	count   int64
	minCost int
}

// questionsOf is the demands, a converse pair counted once.
func questionsOf(ds []string, converse map[string]string) []string {
	var out []string
	for _, d := range ds {
		if c := converse[d]; c != "" && c < d {
			continue
		}
		out = append(out, d)
	}
	return out
}

// bruteForce reads the rules over every package of demands.
func bruteForce(in parley.BargainingInput, demands []string) bruteResult {
	res := bruteResult{minCost: -1}
	for mask := 0; mask < 1<<len(demands); mask++ {
		pkg := map[string]bool{}
		for i, d := range demands {
			pkg[d] = mask&(1<<i) != 0
		}
		ok, cost := admits(in, pkg, nil)
		if !ok {
			continue
		}
		res.count++
		if res.minCost < 0 || cost < res.minCost {
			res.minCost = cost
		}
	}
	return res
}

// bruteForceSub counts the packages the positions on only the questions qs
// admit (their conditions included when they name another of qs).
func bruteForceSub(in parley.BargainingInput, demands, qs []string) int64 {
	only := map[string]bool{}
	for _, q := range qs {
		only[q] = true
		if c := in.Converse[q]; c != "" {
			only[c] = true
		}
	}
	var n int64
	for mask := 0; mask < 1<<len(demands); mask++ {
		pkg := map[string]bool{}
		for i, d := range demands {
			pkg[d] = mask&(1<<i) != 0
		}
		if ok, _ := admits(in, pkg, only); ok {
			n++
		}
	}
	return n
}

// admits reads the bargaining rules of DESIGN.md directly: whether pkg
// satisfies every party's hard constraints (on the demands in only, when
// given), and what it costs.
func admits(in parley.BargainingInput, pkg map[string]bool, only map[string]bool) (bool, int) {
	for d, c := range in.Converse {
		if (only == nil || only[d]) && pkg[d] == pkg[c] {
			return false, 0 // one question: exactly one of the pair
		}
	}
	cost := 0
	for _, p := range in.Positions {
		if !slices.Contains(in.Parties, p.Side) || (only != nil && !only[p.Demand]) {
			continue
		}
		has := pkg[p.Demand]
		switch p.Stance {
		case parley.Insists:
			if !has {
				return false, 0
			}
		case parley.Rejects:
			if has {
				return false, 0
			}
		case parley.Supports:
			if !has {
				cost++
			}
		case parley.Opposes:
			if has {
				cost++
			}
		}
		if has && (p.Stance == parley.Insists || p.Stance == parley.Supports || p.Stance == parley.Open) {
			for _, c := range p.Conditions {
				if only != nil && !only[c.Demand] {
					continue
				}
				switch c.Stance {
				case parley.Insists, parley.Supports:
					if !pkg[c.Demand] {
						return false, 0
					}
				case parley.Opposes, parley.Rejects:
					if pkg[c.Demand] {
						return false, 0
					}
				}
			}
		}
	}
	return true, cost
}
