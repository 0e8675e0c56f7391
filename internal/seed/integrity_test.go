package seed_test

import (
	"slices"
	"strings"
	"testing"

	"parley/internal/seed"
)

// A dataCheck inspects the dataset and returns one line per problem found.
type dataCheck func(f seed.File) []string

// mutation breaks (or, for fine, changes harmlessly) a copy of the dataset.
type mutation struct {
	name  string
	apply func(t *testing.T, f *seed.File)
}

type integrityCase struct {
	name  string
	check dataCheck
	// breaks each make check report at least one problem, proving it can fail.
	breaks []mutation
	// fine each leave check silent: edges the check must accept.
	fine []mutation
}

func integrityCases() []integrityCase {
	return []integrityCase{
		{
			name:  "every statement names a source that exists",
			check: checkStatementSources,
			breaks: []mutation{
				{"unknown source", func(t *testing.T, f *seed.File) {
					stmt(t, f, "003-putin-foreign-ministry-terms").Source = "999_missing.txt"
				}},
				{"no source", func(t *testing.T, f *seed.File) { stmt(t, f, "003-putin-foreign-ministry-terms").Source = "" }},
			},
		},
		{
			name:  "every statement names an actor that exists",
			check: checkStatementActors,
			breaks: []mutation{
				{"unknown actor", func(t *testing.T, f *seed.File) { stmt(t, f, "001-hegseth-nato-not-realistic").Actor = "peter-hegseth" }},
			},
		},
		{
			name:  "every statement has a position or a region",
			check: checkStatementHasSubstance,
			breaks: []mutation{
				{"neither", func(t *testing.T, f *seed.File) {
					s := stmt(t, f, "000-moscow-rejects-swap-and-freeze")
					s.Positions, s.Regions = nil, nil
				}},
			},
			fine: []mutation{
				{"regions only", func(t *testing.T, f *seed.File) { stmt(t, f, "000-moscow-rejects-swap-and-freeze").Positions = nil }},
				{"positions only", func(t *testing.T, f *seed.File) { stmt(t, f, "000-moscow-rejects-swap-and-freeze").Regions = nil }},
			},
		},
		{
			name:  "every referenced demand, region and parent exists",
			check: checkReferences,
			breaks: []mutation{
				{"position on unknown demand", func(t *testing.T, f *seed.File) {
					stmt(t, f, "001-hegseth-nato-not-realistic").Positions[0].Demand = "nato-membership"
				}},
				{"statement in unknown region", func(t *testing.T, f *seed.File) {
					s := stmt(t, f, "000-zelensky-kursk-swap-offer")
					s.Regions = append(s.Regions, "belgorod")
				}},
				{"demand in unknown region", func(t *testing.T, f *seed.File) {
					i := demandIndex(t, f, "kursk-territorial-swap")
					f.Demands[i].Regions = append(f.Demands[i].Regions, "belgorod")
				}},
				{"unknown parent", func(t *testing.T, f *seed.File) {
					f.Actors[actorIndex(t, f, "dmitry-peskov")].Parent = "kremlin"
				}},
			},
		},
		{
			name:  "aliases are unique across actors and differ from every name",
			check: checkAliases,
			breaks: []mutation{
				{"alias shared by two actors", func(t *testing.T, f *seed.File) {
					i := actorIndex(t, f, "vladimir-putin")
					f.Actors[i].Aliases = append(f.Actors[i].Aliases, "kremlin")
				}},
				{"alias repeated within an actor", func(t *testing.T, f *seed.File) {
					i := actorIndex(t, f, "dmitry-peskov")
					f.Actors[i].Aliases = append(f.Actors[i].Aliases, "Peskov")
				}},
				{"alias equal to another actor's name", func(t *testing.T, f *seed.File) {
					i := actorIndex(t, f, "dmitry-peskov")
					f.Actors[i].Aliases = append(f.Actors[i].Aliases, "Vladimir Putin")
				}},
				{"alias equal to own name", func(t *testing.T, f *seed.File) {
					i := actorIndex(t, f, "nato")
					f.Actors[i].Aliases = append(f.Actors[i].Aliases, " NATO ")
				}},
			},
		},
		{
			name:  "slugs are valid and unique per kind",
			check: checkSlugs,
			breaks: []mutation{
				{"invalid actor slug", func(t *testing.T, f *seed.File) { f.Actors[actorIndex(t, f, "vladimir-putin")].Slug = "Vladimir_Putin" }},
				{"invalid demand slug", func(t *testing.T, f *seed.File) {
					f.Demands[demandIndex(t, f, "lift-sanctions")].Slug = "lift--sanctions"
				}},
				{"invalid region slug", func(t *testing.T, f *seed.File) { f.Regions[0].Slug = "" }},
				{"duplicate region", func(t *testing.T, f *seed.File) { f.Regions = append(f.Regions, f.Regions[2]) }},
				{"duplicate actor", func(t *testing.T, f *seed.File) { f.Actors = append(f.Actors, f.Actors[3]) }},
				{"duplicate demand", func(t *testing.T, f *seed.File) { f.Demands = append(f.Demands, f.Demands[0]) }},
				{"duplicate source ref", func(t *testing.T, f *seed.File) { f.Sources = append(f.Sources, f.Sources[1]) }},
			},
			fine: []mutation{
				{"same slug for a region and a demand", func(t *testing.T, f *seed.File) {
					f.Demands[demandIndex(t, f, "lift-sanctions")].Slug = "kursk"
				}},
			},
		},
		{
			name:  "statement keys are unique",
			check: checkStatementKeys,
			breaks: []mutation{
				{"duplicate key", func(t *testing.T, f *seed.File) { f.Statements[1].Key = f.Statements[0].Key }},
				{"empty key", func(t *testing.T, f *seed.File) { f.Statements[0].Key = "" }},
			},
		},
		{
			name:  "statement dates parse and lie within their article's time frame",
			check: checkStatementDates,
			breaks: []mutation{
				{"unparseable", func(t *testing.T, f *seed.File) { stmt(t, f, "001-hegseth-nato-not-realistic").Date = "2025-02-30" }},
				{"day after a day-precision publication", func(t *testing.T, f *seed.File) {
					stmt(t, f, "003-putin-foreign-ministry-terms").Date = "2024-06-15"
				}},
				{"month after a month-precision publication", func(t *testing.T, f *seed.File) {
					stmt(t, f, "002-lavrov-futile-talks-with-zelensky").Date = "2024-06"
				}},
				{"year after a year-precision publication", func(t *testing.T, f *seed.File) {
					stmt(t, f, "000-putin-talks-daily-victories").Date = "2026-01-01"
				}},
				{"before 2014", func(t *testing.T, f *seed.File) { stmt(t, f, "000-ukraine-non-recognition-crimea").Date = "2013-12" }},
				{"source without a published date", func(t *testing.T, f *seed.File) { f.Sources[0].Published = "" }},
			},
			fine: []mutation{
				{"on a day-precision publication day", func(t *testing.T, f *seed.File) {
					stmt(t, f, "004-peskov-freezing-will-not-work").Date = "2024-11-20"
				}},
				{"last day of a month-precision publication", func(t *testing.T, f *seed.File) {
					stmt(t, f, "002-lavrov-futile-talks-with-zelensky").Date = "2024-05-31"
				}},
				{"last day of a year-precision publication", func(t *testing.T, f *seed.File) {
					stmt(t, f, "000-putin-talks-daily-victories").Date = "2025-12-31"
				}},
				{"first day of 2014", func(t *testing.T, f *seed.File) { stmt(t, f, "000-ukraine-non-recognition-crimea").Date = "2014-01-01" }},
			},
		},
		{
			name:  "every article is a source and contributes a statement",
			check: checkArticlesContribute,
			breaks: []mutation{
				{"an article without statements", func(t *testing.T, f *seed.File) {
					f.Statements = slices.DeleteFunc(f.Statements, func(s seed.Statement) bool { return s.Source == "002_899649ddc2179241.txt" })
				}},
				{"an article missing from the sources", func(t *testing.T, f *seed.File) { f.Sources = f.Sources[1:] }},
			},
		},
		{
			name:  "the demands DESIGN.md requires exist",
			check: checkRequiredDemands,
			breaks: []mutation{
				{"no neutrality demand", func(t *testing.T, f *seed.File) {
					f.Demands[demandIndex(t, f, "ukraine-neutrality")].Slug = "ukraine-non-aligned-status"
				}},
				{"no frozen assets demand", func(t *testing.T, f *seed.File) {
					i := demandIndex(t, f, "frozen-russian-assets")
					f.Demands = slices.Delete(f.Demands, i, i+1)
				}},
			},
		},
		{
			name:  "territorial demands concern the regions DESIGN.md names",
			check: checkDemandRegions,
			breaks: []mutation{
				{"withdrawal without kherson", func(t *testing.T, f *seed.File) {
					i := demandIndex(t, f, "withdrawal-four-regions")
					f.Demands[i].Regions = slices.DeleteFunc(slices.Clone(f.Demands[i].Regions), func(r string) bool { return r == "kherson" })
				}},
				{"withdrawal with crimea", func(t *testing.T, f *seed.File) {
					i := demandIndex(t, f, "withdrawal-four-regions")
					f.Demands[i].Regions = append(slices.Clone(f.Demands[i].Regions), "crimea")
				}},
				{"recognition without sevastopol", func(t *testing.T, f *seed.File) {
					i := demandIndex(t, f, "recognition-annexed-regions")
					f.Demands[i].Regions = slices.DeleteFunc(slices.Clone(f.Demands[i].Regions), func(r string) bool { return r == "sevastopol" })
				}},
				{"swap without kursk", func(t *testing.T, f *seed.File) { f.Demands[demandIndex(t, f, "kursk-territorial-swap")].Regions = nil }},
			},
		},
		{
			name:  "the nine regions exist with the slugs and countries DESIGN.md names",
			check: checkRegions,
			breaks: []mutation{
				{"misspelt slug", func(t *testing.T, f *seed.File) { f.Regions[regionIndex(t, f, "zaporizhzhia")].Slug = "zaporizhia" }},
				{"kursk in Ukraine", func(t *testing.T, f *seed.File) { f.Regions[regionIndex(t, f, "kursk")].Country = "Ukraine" }},
				{"crimea in Russia", func(t *testing.T, f *seed.File) { f.Regions[regionIndex(t, f, "crimea")].Country = "Russia" }},
			},
		},
		{
			name:  "stances, attributions and kinds come from the domain's vocabularies",
			check: checkVocabularies,
			breaks: []mutation{
				{"unknown stance", func(t *testing.T, f *seed.File) {
					stmt(t, f, "001-hegseth-nato-not-realistic").Positions[0].Stance = "doubts"
				}},
				{"unknown attribution", func(t *testing.T, f *seed.File) {
					stmt(t, f, "001-hegseth-nato-not-realistic").Attribution = "on-record"
				}},
				{"unknown actor kind", func(t *testing.T, f *seed.File) { f.Actors[actorIndex(t, f, "nato")].Kind = "bloc" }},
				{"unknown category", func(t *testing.T, f *seed.File) { f.Demands[0].Category = "military" }},
				{"unknown region kind", func(t *testing.T, f *seed.File) { f.Regions[0].Kind = "province" }},
			},
		},
	}
}

// TestDatasetIntegrity ensures seed.json is internally consistent and
// holds what DESIGN.md requires of the seed data.
func TestDatasetIntegrity(t *testing.T) {
	f := rawSeed(t)
	for _, tc := range integrityCases() {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range tc.check(f) {
				t.Error(p)
			}
		})
	}
	t.Run("every quote appears verbatim in its article", func(t *testing.T) {
		articles := readArticles(t)
		for _, p := range checkQuotes(f, articles) {
			t.Error(p)
		}
	})
	t.Run("variant spellings in the articles are aliases", func(t *testing.T) {
		articles := readArticles(t)
		for _, p := range checkSpellings(f, articles) {
			t.Error(p)
		}
	})
}

// TestDatasetChecksCatchBrokenData ensures every check of
// TestDatasetIntegrity reports a broken dataset, and accepts the edge cases
// it should.
func TestDatasetChecksCatchBrokenData(t *testing.T) {
	for _, tc := range integrityCases() {
		t.Run(tc.name, func(t *testing.T) {
			for _, m := range tc.breaks {
				f := rawSeed(t)
				m.apply(t, &f)
				if got := tc.check(f); len(got) == 0 {
					t.Errorf("%s: check reported no problem, want at least one", m.name)
				}
			}
			for _, m := range tc.fine {
				f := rawSeed(t)
				m.apply(t, &f)
				if got := tc.check(f); len(got) != 0 {
					t.Errorf("%s: check reported %q, want no problem", m.name, got)
				}
			}
		})
	}
	t.Run("quotes", func(t *testing.T) {
		articles := readArticles(t)
		for _, m := range []mutation{
			{"a word changed", func(t *testing.T, f *seed.File) {
				stmt(t, f, "001-hegseth-nato-not-realistic").Quote = "not a realistic option"
			}},
			{"a quote from another article", func(t *testing.T, f *seed.File) {
				stmt(t, f, "001-hegseth-nato-not-realistic").Quote = "strong trump card"
			}},
			{"a source with no article", func(t *testing.T, f *seed.File) {
				stmt(t, f, "001-hegseth-nato-not-realistic").Source = "999_missing.txt"
			}},
		} {
			f := rawSeed(t)
			m.apply(t, &f)
			if got := checkQuotes(f, articles); len(got) == 0 {
				t.Errorf("%s: check reported no problem, want at least one", m.name)
			}
		}
		f := rawSeed(t)
		// Straight quotes in the dataset match the article's curly ones, and
		// line breaks match spaces.
		stmt(t, &f, "003-putin-front-line-warning").Quote = "It's clear the situation on the front line\nwill continue to change and not in the Kyiv regime's favor."
		if got := checkQuotes(f, articles); len(got) != 0 {
			t.Errorf("normalised quote: check reported %q, want no problem", got)
		}
	})
	t.Run("spellings", func(t *testing.T) {
		articles := readArticles(t)
		f := rawSeed(t)
		i := actorIndex(t, &f, "dmitry-peskov")
		f.Actors[i].Aliases = slices.DeleteFunc(slices.Clone(f.Actors[i].Aliases), func(a string) bool { return strings.Contains(a, "Peskow") })
		if got := checkSpellings(f, articles); len(got) == 0 {
			t.Error("Peskow removed from the aliases: check reported no problem, want at least one")
		}
	})
}

func stmt(t *testing.T, f *seed.File, key string) *seed.Statement {
	t.Helper()
	for i := range f.Statements {
		if f.Statements[i].Key == key {
			return &f.Statements[i]
		}
	}
	t.Fatalf("no statement %q in the dataset", key)
	return nil
}

func actorIndex(t *testing.T, f *seed.File, slug string) int {
	t.Helper()
	return index(t, "actor", slug, actorSlugs(*f))
}

func demandIndex(t *testing.T, f *seed.File, slug string) int {
	t.Helper()
	return index(t, "demand", slug, demandSlugs(*f))
}

func regionIndex(t *testing.T, f *seed.File, slug string) int {
	t.Helper()
	return index(t, "region", slug, regionSlugs(*f))
}

func index(t *testing.T, kind, slug string, slugs []string) int {
	t.Helper()
	i := slices.Index(slugs, slug)
	if i < 0 {
		t.Fatalf("no %s %q in the dataset", kind, slug)
	}
	return i
}
