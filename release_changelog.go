package parley

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ChangeCounts counts a resource's records added, modified and deleted
// since the previous release.
type ChangeCounts struct {
	Added    int `json:"added"`
	Modified int `json:"modified"`
	Deleted  int `json:"deleted"`
}

// Total is every change.
func (c ChangeCounts) Total() int { return c.Added + c.Modified + c.Deleted }

// GapChange is a gap that moved between two releases; nil is not
// measurable.
type GapChange struct {
	Demand string `json:"demand"`
	Title  string `json:"title"`
	Before *int   `json:"before"`
	After  *int   `json:"after"`
}

// ReleaseGap is the gap on a demand when a release was published.
type ReleaseGap struct {
	Title string `json:"title"`
	Value *int   `json:"value"` // nil: not measurable
}

// Changelog is what a release changed, counted as it was built.
type Changelog struct {
	Previous string                  `json:"previous,omitempty"`
	Rows     map[string]int          `json:"rows"`    // records per resource in the release
	Changes  map[string]ChangeCounts `json:"changes"` // since Previous, per resource
	Gaps     map[string]ReleaseGap   `json:"gaps"`    // every demand's gap, by slug
	GapMoves []GapChange             `json:"gap_moves,omitempty"`
}

// GapMoves lists the gaps that differ between before and after (a demand
// that is new or gone counts as not measurable on that side), by slug.
func GapMoves(before, after map[string]ReleaseGap) []GapChange {
	var out []GapChange
	for _, r := range sortedKeys(before, after) {
		b, a := before[r], after[r]
		if equalGap(b.Value, a.Value) {
			continue
		}
		title := a.Title
		if title == "" {
			title = b.Title
		}
		out = append(out, GapChange{Demand: r, Title: title, Before: b.Value, After: a.Value})
	}
	return out
}

func equalGap(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func sortedKeys(ms ...map[string]ReleaseGap) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Sentences words the changelog: "12 statements added, 3 corrected, 1
// withdrawn", "5 positions changed", "the gap on … 4 → 3".
func (c Changelog) Sentences() []string {
	if c.Previous == "" {
		var parts []string
		for _, r := range ReleaseResources {
			parts = append(parts, count(c.Rows[r.Name], r.Name))
		}
		return []string{"The first release: " + strings.Join(parts, ", ") + "."}
	}
	var out []string
	for _, r := range ReleaseResources {
		n := c.Changes[r.Name]
		if n.Total() == 0 {
			continue
		}
		switch r.Name {
		case "statements":
			out = append(out, joinCounts(r.Name, n, "added", "corrected", "withdrawn"))
		case "positions", "reports":
			out = append(out, count(n.Total(), r.Name)+" changed")
		default:
			out = append(out, joinCounts(r.Name, n, "added", "changed", "removed"))
		}
	}
	for _, g := range c.GapMoves {
		out = append(out, "the gap on "+g.Title+" "+gapWord(g.Before)+" → "+gapWord(g.After))
	}
	if len(out) == 0 {
		return []string{"No record changed since " + c.Previous + "."}
	}
	return out
}

// String is the changelog in one line.
func (c Changelog) String() string { return strings.Join(c.Sentences(), "; ") }

// joinCounts words counts as "12 statements added, 3 corrected": the
// resource named once, with the first count that is not zero.
func joinCounts(noun string, n ChangeCounts, added, modified, deleted string) string {
	var parts []string
	for _, x := range []struct {
		n    int
		verb string
	}{{n.Added, added}, {n.Modified, modified}, {n.Deleted, deleted}} {
		if x.n == 0 {
			continue
		}
		if len(parts) == 0 {
			parts = append(parts, count(x.n, noun)+" "+x.verb)
		} else {
			parts = append(parts, strconv.Itoa(x.n)+" "+x.verb)
		}
	}
	return strings.Join(parts, ", ")
}

// count is "1 statement", "12 statements".
func count(n int, plural string) string {
	if n == 1 {
		return "1 " + strings.TrimSuffix(plural, "s")
	}
	return fmt.Sprintf("%d %s", n, plural)
}

func gapWord(v *int) string {
	if v == nil {
		return "not measurable"
	}
	return strconv.Itoa(*v)
}
