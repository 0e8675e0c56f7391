package seed_test

import (
	"fmt"
	"parley"
	"slices"
	"strings"
	"time"

	"parley/internal/seed"
)

// The checks.

// checkStatementReports: (v2) a statement is reported by one or more
// articles (it had one "source" in v1): each report names a source that
// exists, once per statement, earliest published first (the first is the
// statement's primary source).
func checkStatementReports(f seed.File) []string {
	published := map[string]time.Time{}
	for _, s := range f.Sources {
		d, _ := parley.ParseDate(s.Published) // checkStatementDates reports a bad date
		published[s.Ref] = d.Time
	}
	var p []string
	for _, s := range f.Statements {
		if len(s.Reports) == 0 {
			p = append(p, fmt.Sprintf("statement %s: no report", s.Key))
		}
		seen := map[string]bool{}
		for i, r := range s.Reports {
			when, ok := published[r.Source]
			switch {
			case !ok:
				p = append(p, fmt.Sprintf("statement %s: report %d: source %q does not exist", s.Key, i, r.Source))
			case seen[r.Source]:
				p = append(p, fmt.Sprintf("statement %s: source %q reports it twice", s.Key, r.Source))
			case i > 0 && when.Before(published[s.Reports[i-1].Source]):
				p = append(p, fmt.Sprintf("statement %s: report %s is listed after the later %s: earliest published first",
					s.Key, r.Source, s.Reports[i-1].Source))
			}
			seen[r.Source] = true
		}
	}
	return p
}

func checkStatementActors(f seed.File) []string {
	actors := set(actorSlugs(f))
	var p []string
	for _, s := range f.Statements {
		if !actors[s.Actor] {
			p = append(p, fmt.Sprintf("statement %s: actor %q does not exist", s.Key, s.Actor))
		}
	}
	return p
}

// checkStatementSummaries: every statement says in a summary what was
// said. (v2) It may take no position and name no region (a remark that
// commits to nothing, like Amherd's); in v1 it needed one or the other.
func checkStatementSummaries(f seed.File) []string {
	var p []string
	for _, s := range f.Statements {
		if strings.TrimSpace(s.Summary) == "" {
			p = append(p, fmt.Sprintf("statement %s: no summary", s.Key))
		}
	}
	return p
}

func checkReferences(f seed.File) []string {
	demands := set(demandSlugs(f))
	regions := set(regionSlugs(f))
	actors := set(actorSlugs(f))
	var p []string
	for _, s := range f.Statements {
		for _, pos := range s.Positions {
			if !demands[pos.Demand] {
				p = append(p, fmt.Sprintf("statement %s: demand %q does not exist", s.Key, pos.Demand))
			}
		}
		for _, r := range s.Regions {
			if !regions[r] {
				p = append(p, fmt.Sprintf("statement %s: region %q does not exist", s.Key, r))
			}
		}
	}
	for _, d := range f.Demands {
		for _, r := range d.Regions {
			if !regions[r] {
				p = append(p, fmt.Sprintf("demand %s: region %q does not exist", d.Slug, r))
			}
		}
	}
	for _, a := range f.Actors {
		if a.Parent != "" && !actors[a.Parent] {
			p = append(p, fmt.Sprintf("actor %s: parent %q does not exist", a.Slug, a.Parent))
		}
	}
	return p
}

func checkAliases(f seed.File) []string {
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	names := map[string]string{}
	for _, a := range f.Actors {
		names[norm(a.Name)] = a.Slug
	}
	owner := map[string]string{}
	var p []string
	for _, a := range f.Actors {
		for _, alias := range a.Aliases {
			k := norm(alias)
			if k == "" {
				p = append(p, fmt.Sprintf("actor %s: empty alias", a.Slug))
				continue
			}
			if prev, ok := owner[k]; ok {
				p = append(p, fmt.Sprintf("alias %q belongs to both %s and %s", alias, prev, a.Slug))
			}
			owner[k] = a.Slug
			if other, ok := names[k]; ok {
				p = append(p, fmt.Sprintf("actor %s: alias %q is the name of %s", a.Slug, alias, other))
			}
		}
	}
	return p
}

func checkSlugs(f seed.File) []string {
	var p []string
	kinds := []struct {
		kind  string
		slugs []string
	}{
		{"region", regionSlugs(f)},
		{"actor", actorSlugs(f)},
		{"demand", demandSlugs(f)},
	}
	for _, k := range kinds {
		seen := map[string]bool{}
		for _, s := range k.slugs {
			if !parley.ValidSlug(s) {
				p = append(p, fmt.Sprintf("%s slug %q is not valid", k.kind, s))
			}
			if seen[s] {
				p = append(p, fmt.Sprintf("%s slug %q is used twice", k.kind, s))
			}
			seen[s] = true
		}
	}
	seen := map[string]bool{}
	for _, s := range f.Sources {
		if seen[s.Ref] {
			p = append(p, fmt.Sprintf("source ref %q is used twice", s.Ref))
		}
		seen[s.Ref] = true
	}
	return p
}

func checkStatementKeys(f seed.File) []string {
	seen := map[string]bool{}
	var p []string
	for i, s := range f.Statements {
		if strings.TrimSpace(s.Key) == "" {
			p = append(p, fmt.Sprintf("statement #%d has no key", i))
		}
		if seen[s.Key] {
			p = append(p, fmt.Sprintf("statement key %q is used twice", s.Key))
		}
		seen[s.Key] = true
	}
	return p
}

// earliest is the first date any statement of the articles can carry: the
// oldest events they describe are the 2014 annexation of Crimea.
var earliest = time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)

func checkStatementDates(f seed.File) []string {
	var p []string
	latest := map[string]time.Time{} // source ref → last day its publication date allows
	for _, s := range f.Sources {
		d, err := parley.ParseDate(s.Published)
		if err != nil {
			p = append(p, fmt.Sprintf("source %s: published: %v", s.Ref, err))
			continue
		}
		latest[s.Ref] = periodEnd(d)
	}
	for _, s := range f.Statements {
		d, err := parley.ParseDate(s.Date)
		if err != nil {
			p = append(p, fmt.Sprintf("statement %s: %v", s.Key, err))
			continue
		}
		if d.Time.Before(earliest) {
			p = append(p, fmt.Sprintf("statement %s: date %s is before %s", s.Key, s.Date, earliest.Format(time.DateOnly)))
		}
		// (v2) No article can report it before it was said: every report counts.
		for _, r := range s.Reports {
			if end, ok := latest[r.Source]; ok && d.Time.After(end) {
				p = append(p, fmt.Sprintf("statement %s: date %s is after its article %s was published (by %s)",
					s.Key, s.Date, r.Source, end.Format(time.DateOnly)))
			}
		}
	}
	return p
}

// periodEnd is the last day a date of its precision allows.
func periodEnd(d parley.Date) time.Time {
	switch d.Precision {
	case "month":
		return d.Time.AddDate(0, 1, -1)
	case "year":
		return d.Time.AddDate(1, 0, -1)
	}
	return d.Time
}

func checkRequiredDemands(f seed.File) []string {
	demands := set(demandSlugs(f))
	var p []string
	for _, want := range []string{
		"ukraine-neutrality", "ukraine-nato-membership", "withdrawal-four-regions", "recognition-annexed-regions",
		"lift-sanctions", "ukraine-demilitarisation", "ukraine-non-nuclear-status", "no-foreign-peacekeepers",
		"full-russian-withdrawal", "security-guarantees", "ceasefire-line-of-contact", "us-30-day-ceasefire",
		"kursk-territorial-swap", "return-diplomatic-property", "frozen-russian-assets",
	} {
		if !demands[want] {
			p = append(p, fmt.Sprintf("demand %q is missing", want))
		}
	}
	return p
}

func checkDemandRegions(f seed.File) []string {
	regionsOf := map[string][]string{}
	for _, d := range f.Demands {
		regionsOf[d.Slug] = d.Regions
	}
	var p []string
	exactly := func(demand string, want ...string) {
		got := slices.Sorted(slices.Values(regionsOf[demand]))
		slices.Sort(want)
		if !slices.Equal(got, want) {
			p = append(p, fmt.Sprintf("demand %s concerns %q, want %q", demand, got, want))
		}
	}
	exactly("withdrawal-four-regions", "donetsk", "luhansk", "zaporizhzhia", "kherson")
	exactly("recognition-annexed-regions", "donetsk", "luhansk", "zaporizhzhia", "kherson", "crimea", "sevastopol")
	if !slices.Contains(regionsOf["kursk-territorial-swap"], "kursk") {
		p = append(p, fmt.Sprintf("demand kursk-territorial-swap concerns %q, want kursk among them", regionsOf["kursk-territorial-swap"]))
	}
	return p
}

func checkRegions(f seed.File) []string {
	country := map[string]string{}
	for _, r := range f.Regions {
		country[r.Slug] = r.Country
	}
	var p []string
	for slug, want := range map[string]string{
		"donetsk": "Ukraine", "luhansk": "Ukraine", "zaporizhzhia": "Ukraine", "kherson": "Ukraine",
		"crimea": "Ukraine", "sevastopol": "Ukraine", "kharkiv": "Ukraine", "mykolaiv": "Ukraine", "kursk": "Russia",
	} {
		got, ok := country[slug]
		switch {
		case !ok:
			p = append(p, fmt.Sprintf("region %q is missing", slug))
		case got != want:
			p = append(p, fmt.Sprintf("region %s: country %q, want %q", slug, got, want))
		}
	}
	slices.Sort(p)
	return p
}

func checkVocabularies(f seed.File) []string {
	var p []string
	for _, s := range f.Statements {
		if !slices.Contains(parley.Attributions, s.Attribution) {
			p = append(p, fmt.Sprintf("statement %s: attribution %q", s.Key, s.Attribution))
		}
		for _, pos := range s.Positions {
			if !slices.Contains(parley.Stances, pos.Stance) {
				p = append(p, fmt.Sprintf("statement %s: stance %q on %s", s.Key, pos.Stance, pos.Demand))
			}
			for _, c := range pos.Conditions {
				if !slices.Contains(parley.Stances, c.Stance) {
					p = append(p, fmt.Sprintf("statement %s: condition on %s: stance %q", s.Key, pos.Demand, c.Stance))
				}
			}
		}
	}
	for _, s := range f.Sides {
		if !s.Role.Valid() {
			p = append(p, fmt.Sprintf("side %s: role %q", s.Slug, s.Role))
		}
	}
	for _, a := range f.Actors {
		if !slices.Contains(parley.ActorKinds, a.Kind) {
			p = append(p, fmt.Sprintf("actor %s: kind %q", a.Slug, a.Kind))
		}
	}
	for _, d := range f.Demands {
		if !slices.Contains(parley.Categories, d.Category) {
			p = append(p, fmt.Sprintf("demand %s: category %q", d.Slug, d.Category))
		}
	}
	for _, r := range f.Regions {
		if !slices.Contains(parley.RegionKinds, r.Kind) {
			p = append(p, fmt.Sprintf("region %s: kind %q", r.Slug, r.Kind))
		}
	}
	return p
}

// checkSides: (v2) sides are records of their own. Every actor and demand
// belongs to a listed side, slugs are valid and unique, and the parties at
// the table are exactly Russia and Ukraine, with the independent analysts
// an observer (DESIGN.md, "Domain").
func checkSides(f seed.File) []string {
	roles := map[string]parley.SideRole{}
	var p []string
	for _, s := range f.Sides {
		if !parley.ValidSlug(s.Slug) {
			p = append(p, fmt.Sprintf("side slug %q is not valid", s.Slug))
		}
		if _, dup := roles[s.Slug]; dup {
			p = append(p, fmt.Sprintf("side slug %q is used twice", s.Slug))
		}
		if strings.TrimSpace(s.Name) == "" {
			p = append(p, fmt.Sprintf("side %s has no name", s.Slug))
		}
		roles[s.Slug] = s.Role
	}
	for _, a := range f.Actors {
		if _, ok := roles[a.Side]; !ok {
			p = append(p, fmt.Sprintf("actor %s: side %q does not exist", a.Slug, a.Side))
		}
	}
	for _, d := range f.Demands {
		if _, ok := roles[d.Side]; !ok {
			p = append(p, fmt.Sprintf("demand %s: side %q does not exist", d.Slug, d.Side))
		}
	}
	var parties []string
	for slug, role := range roles {
		if role == parley.Party {
			parties = append(parties, slug)
		}
	}
	slices.Sort(parties)
	if !slices.Equal(parties, []string{"russia", "ukraine"}) {
		p = append(p, fmt.Sprintf("the parties are %q, want russia and ukraine", parties))
	}
	if roles["independent"] != parley.Observer {
		p = append(p, fmt.Sprintf("side independent has role %q, want observer", roles["independent"]))
	}
	return p
}

// checkConverses: (v2) a demand's converse is another demand that exists
// and names it back (the link is symmetric), and Ukraine's neutrality and
// its NATO membership are each other's.
func checkConverses(f seed.File) []string {
	converse := map[string]string{}
	for _, d := range f.Demands {
		converse[d.Slug] = d.Converse
	}
	var p []string
	for _, d := range f.Demands {
		if d.Converse == "" {
			continue
		}
		back, ok := converse[d.Converse]
		switch {
		case d.Converse == d.Slug:
			p = append(p, fmt.Sprintf("demand %s is its own converse", d.Slug))
		case !ok:
			p = append(p, fmt.Sprintf("demand %s: converse %q does not exist", d.Slug, d.Converse))
		case back != d.Slug:
			p = append(p, fmt.Sprintf("demand %s: converse %s names %q back, want %s", d.Slug, d.Converse, back, d.Slug))
		}
	}
	if converse["ukraine-neutrality"] != "ukraine-nato-membership" {
		p = append(p, fmt.Sprintf("ukraine-neutrality's converse = %q, want ukraine-nato-membership", converse["ukraine-neutrality"]))
	}
	return p
}

// checkConditions: (v2) a position's condition names a side and a demand
// that exist, the demand other than the position's own, each (side,
// demand) once.
func checkConditions(f seed.File) []string {
	sides := map[string]bool{}
	for _, s := range f.Sides {
		sides[s.Slug] = true
	}
	demands := set(demandSlugs(f))
	var p []string
	for _, s := range f.Statements {
		for _, pos := range s.Positions {
			seen := map[[2]string]bool{}
			for _, c := range pos.Conditions {
				switch {
				case !sides[c.Side]:
					p = append(p, fmt.Sprintf("statement %s: condition on %s: side %q does not exist", s.Key, pos.Demand, c.Side))
				case !demands[c.Demand]:
					p = append(p, fmt.Sprintf("statement %s: condition on %s: demand %q does not exist", s.Key, pos.Demand, c.Demand))
				case c.Demand == pos.Demand:
					p = append(p, fmt.Sprintf("statement %s: condition on %s names its own demand", s.Key, pos.Demand))
				case seen[[2]string{c.Side, c.Demand}]:
					p = append(p, fmt.Sprintf("statement %s: condition on %s: %s on %s twice", s.Key, pos.Demand, c.Side, c.Demand))
				}
				seen[[2]string{c.Side, c.Demand}] = true
			}
		}
	}
	return p
}

// checkAbsorbs: (v2) the keys a statement absorbs are those of an earlier
// version's statements merged into it: no live statement has one, and no
// key is absorbed twice.
func checkAbsorbs(f seed.File) []string {
	live := map[string]bool{}
	for _, s := range f.Statements {
		live[s.Key] = true
	}
	by := map[string]string{}
	var p []string
	for _, s := range f.Statements {
		for _, old := range s.Absorbs {
			switch {
			case strings.TrimSpace(old) == "":
				p = append(p, fmt.Sprintf("statement %s absorbs an empty key", s.Key))
			case live[old]:
				p = append(p, fmt.Sprintf("statement %s absorbs %s, which is still a statement of the dataset", s.Key, old))
			case by[old] != "":
				p = append(p, fmt.Sprintf("%s is absorbed by both %s and %s", old, by[old], s.Key))
			}
			by[old] = s.Key
		}
	}
	return p
}
