package seed_test

import (
	"parley"
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
			// (v2) Reports replace v1's single source.
			name:  "every statement has reports, each from a source that exists, earliest published first",
			check: checkStatementReports,
			breaks: []mutation{
				{"unknown source", func(t *testing.T, f *seed.File) {
					stmt(t, f, "003-putin-foreign-ministry-terms").Reports[0].Source = "999_missing.txt"
				}},
				{"unknown source in a later report", func(t *testing.T, f *seed.File) {
					stmt(t, f, "003-putin-foreign-ministry-terms").Reports[2].Source = "999_missing.txt"
				}},
				{"no report", func(t *testing.T, f *seed.File) { stmt(t, f, "003-putin-foreign-ministry-terms").Reports = nil }},
				{"one source reporting it twice", func(t *testing.T, f *seed.File) {
					s := stmt(t, f, "001-hegseth-nato-not-realistic")
					s.Reports = append(s.Reports, s.Reports[0])
				}},
				{"a later article first", func(t *testing.T, f *seed.File) {
					r := stmt(t, f, "003-putin-foreign-ministry-terms").Reports
					r[0], r[2] = r[2], r[0]
				}},
			},
			fine: []mutation{
				{"one report of several", func(t *testing.T, f *seed.File) {
					s := stmt(t, f, "003-putin-foreign-ministry-terms")
					s.Reports = s.Reports[1:]
				}},
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
			// (v2) A statement may now take no position and name no region
			// (Amherd's remark, Stanovaya's comment): in v1 it needed one of
			// them. What every statement still needs is a summary.
			name:  "every statement has a summary, with or without positions and regions",
			check: checkStatementSummaries,
			breaks: []mutation{
				{"no summary", func(t *testing.T, f *seed.File) { stmt(t, f, "000-moscow-rejects-swap-and-freeze").Summary = " " }},
			},
			fine: []mutation{
				{"neither positions nor regions", func(t *testing.T, f *seed.File) {
					s := stmt(t, f, "000-moscow-rejects-swap-and-freeze")
					s.Positions, s.Regions = nil, nil
				}},
				{"regions only", func(t *testing.T, f *seed.File) { stmt(t, f, "000-moscow-rejects-swap-and-freeze").Positions = nil }},
				{"positions only", func(t *testing.T, f *seed.File) { stmt(t, f, "000-moscow-rejects-swap-and-freeze").Regions = nil }},
			},
		},
		{
			name:  "(v2) sides: every actor's and demand's side exists; russia and ukraine are the parties, independent an observer",
			check: checkSides,
			breaks: []mutation{
				{"actor on an unknown side", func(t *testing.T, f *seed.File) { f.Actors[actorIndex(t, f, "pete-hegseth")].Side = "usa" }},
				{"demand of an unknown side", func(t *testing.T, f *seed.File) {
					f.Demands[demandIndex(t, f, "security-guarantees")].Side = "kyiv"
				}},
				{"duplicate side", func(t *testing.T, f *seed.File) { f.Sides = append(f.Sides, f.Sides[0]) }},
				{"a stakeholder made a party", func(t *testing.T, f *seed.File) { f.Sides[sideIndex(t, f, "united-states")].Role = parley.Party }},
				{"ukraine not a party", func(t *testing.T, f *seed.File) { f.Sides[sideIndex(t, f, "ukraine")].Role = parley.Stakeholder }},
				{"independent counting", func(t *testing.T, f *seed.File) { f.Sides[sideIndex(t, f, "independent")].Role = parley.Stakeholder }},
			},
			fine: []mutation{
				{"a new stakeholder side", func(t *testing.T, f *seed.File) {
					s := f.Sides[sideIndex(t, f, "europe")]
					s.Slug, s.Name = "china", "China"
					f.Sides = append(f.Sides, s)
				}},
			},
		},
		{
			name:  "(v2) converse demands exist and name each other",
			check: checkConverses,
			breaks: []mutation{
				{"unknown converse", func(t *testing.T, f *seed.File) {
					f.Demands[demandIndex(t, f, "ukraine-neutrality")].Converse = "ukraine-nato-accession"
				}},
				{"one-way link", func(t *testing.T, f *seed.File) {
					f.Demands[demandIndex(t, f, "ukraine-nato-membership")].Converse = ""
				}},
				{"own converse", func(t *testing.T, f *seed.File) {
					f.Demands[demandIndex(t, f, "lift-sanctions")].Converse = "lift-sanctions"
				}},
				{"neutrality unlinked", func(t *testing.T, f *seed.File) {
					f.Demands[demandIndex(t, f, "ukraine-neutrality")].Converse = ""
					f.Demands[demandIndex(t, f, "ukraine-nato-membership")].Converse = ""
				}},
			},
		},
		{
			name:  "(v2) conditions name a known side and a demand other than their position's",
			check: checkConditions,
			breaks: []mutation{
				{"unknown side", func(t *testing.T, f *seed.File) { (*putinTalks(t, f))[0].Side = "kyiv" }},
				{"unknown demand", func(t *testing.T, f *seed.File) { (*putinTalks(t, f))[1].Demand = "nato-renunciation" }},
				{"the position's own demand", func(t *testing.T, f *seed.File) {
					(*putinTalks(t, f))[0].Demand = "direct-russia-ukraine-talks"
				}},
				{"the same condition twice", func(t *testing.T, f *seed.File) {
					c := putinTalks(t, f)
					*c = append(*c, (*c)[0])
				}},
			},
			fine: []mutation{
				{"a condition on a stakeholder", func(t *testing.T, f *seed.File) {
					c := putinTalks(t, f)
					*c = append(*c, parley.Condition{Side: "united-states", Demand: "lift-sanctions", Stance: parley.Supports})
				}},
			},
		},
		{
			name:  "(v2) absorbed keys are no live statement's, each absorbed once",
			check: checkAbsorbs,
			breaks: []mutation{
				{"absorbs a live statement", func(t *testing.T, f *seed.File) {
					s := stmt(t, f, "003-putin-foreign-ministry-terms")
					s.Absorbs = append(s.Absorbs, "003-putin-sanctions-condition")
				}},
				{"absorbed by two", func(t *testing.T, f *seed.File) {
					s := stmt(t, f, "000-putin-nato-reason-for-war")
					s.Absorbs = append(s.Absorbs, "001-putin-june-2024-conditions")
				}},
				{"empty key", func(t *testing.T, f *seed.File) {
					s := stmt(t, f, "000-putin-nato-reason-for-war")
					s.Absorbs = append(s.Absorbs, "")
				}},
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
				{"after a later report's month-precision publication", func(t *testing.T, f *seed.File) {
					// (v2) Its first report (000) allows all of 2025; its second (001) only to March.
					stmt(t, f, "000-zelensky-no-recognition-diplomatic-return").Date = "2025-06"
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
					// (v2) Every statement it reports, as first report or not.
					f.Statements = slices.DeleteFunc(f.Statements, func(s seed.Statement) bool {
						for _, r := range s.Reports {
							if r.Source == "002_899649ddc2179241.txt" {
								return true
							}
						}
						return false
					})
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
				stmt(t, f, "001-hegseth-nato-not-realistic").Reports[0].Source = "999_missing.txt"
			}},
			// (v2) Each report's quote is checked against its own article.
			{"a report's quote changed", func(t *testing.T, f *seed.File) {
				stmt(t, f, "003-putin-foreign-ministry-terms").Reports[0].Quote = "our side will immediately cease fire"
			}},
			{"a report's quote from another report's article", func(t *testing.T, f *seed.File) {
				// in 001, not in the Bloomberg article of the first report
				stmt(t, f, "003-putin-foreign-ministry-terms").Reports[0].Quote = "abandoned plans to join NATO"
			}},
			{"a statement's quote in none of its reports' articles", func(t *testing.T, f *seed.File) {
				// only in 004, which does not report the speech
				stmt(t, f, "003-putin-foreign-ministry-terms").Quote = "harsh truth"
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
		// (v2) The statement's quote may come from any of its reports'
		// articles, not only the first; a report's quote from its own.
		f = rawSeed(t)
		s := stmt(t, &f, "003-putin-foreign-ministry-terms")
		s.Quote = "abandoned plans to join NATO"
		s.Reports[2].Quote = "would cease hostilities immediately"
		if s.Reports[2].Source != "001_8282d51c9b9495ec.txt" {
			t.Fatalf("seed: third report of %s is %s, the test expects 001", s.Key, s.Reports[2].Source)
		}
		if got := checkQuotes(f, articles); len(got) != 0 {
			t.Errorf("quote from the third report's article: check reported %q, want no problem", got)
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

// putinTalks is the conditions of Putin's position on direct talks of 14
// June 2024.
func putinTalks(t *testing.T, f *seed.File) *[]parley.Condition {
	t.Helper()
	s := stmt(t, f, "003-putin-foreign-ministry-terms")
	for i := range s.Positions {
		if s.Positions[i].Demand == "direct-russia-ukraine-talks" {
			if len(s.Positions[i].Conditions) < 2 {
				t.Fatalf("seed: Putin's talks position has conditions %v, the test expects two", s.Positions[i].Conditions)
			}
			return &s.Positions[i].Conditions
		}
	}
	t.Fatal("seed: Putin's 2024-06-14 statement takes no position on direct-russia-ukraine-talks")
	return nil
}

func sideIndex(t *testing.T, f *seed.File, slug string) int {
	t.Helper()
	var slugs []string
	for _, s := range f.Sides {
		slugs = append(slugs, s.Slug)
	}
	return index(t, "side", slug, slugs)
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
