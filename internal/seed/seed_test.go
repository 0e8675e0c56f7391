package seed_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"parley"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/seed"
	"parley/internal/store"
	"parley/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// articlesDir is where the five source articles live when the project is
// checked out beside ../shared (as in development and CI). The project never
// reads it at run time; only the checks that compare against the articles do,
// and they skip when it is absent.
const articlesDir = "../../../shared/seeds"

// articleRefs are the five articles the dataset is built from (DESIGN.md,
// "Seed data").
var articleRefs = []string{
	"000_2078559bee8cab81.txt",
	"001_8282d51c9b9495ec.txt",
	"002_899649ddc2179241.txt",
	"003_219be40f0e460795.txt",
	"004_4d5fc55baaf930ef.txt",
}

// earliest is the first date any statement of the articles can carry: the
// oldest events they describe are the 2014 annexation of Crimea.
var earliest = time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)

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

// TestSeedLoadsIdempotently ensures loading the seed creates every record
// once, and loading it again creates nothing and keeps editors' changes.
func TestSeedLoadsIdempotently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	s := store.New(pool)
	f := rawSeed(t)
	d := seedData(t)

	got, err := s.LoadSeed(ctx, d)
	if err != nil {
		t.Fatalf("first LoadSeed: %v", err)
	}
	want := store.SeedResult{Regions: len(f.Regions), Sources: len(f.Sources), Actors: len(f.Actors),
		Demands: len(f.Demands), Statements: len(f.Statements)}
	if got != want {
		t.Errorf("first LoadSeed created %+v, want %+v", got, want)
	}
	var positions, statementRegions int
	for _, st := range f.Statements {
		positions += len(st.Positions)
		statementRegions += len(st.Regions)
	}
	wantRows := map[string]int{
		"regions": len(f.Regions), "sources": len(f.Sources), "actors": len(f.Actors), "demands": len(f.Demands),
		"statements": len(f.Statements), "positions": positions, "statement_regions": statementRegions,
	}
	if diff := cmp.Diff(wantRows, rowCounts(t, pool)); diff != "" {
		t.Errorf("rows after first load (-want +got):\n%s", diff)
	}

	// An editor renames an actor; the seed must not undo it.
	const renamed = "Dmitrii Sergeyevich Peskov"
	tag, err := pool.Exec(ctx, `UPDATE actors SET name = $1, version = version + 1 WHERE slug = 'dmitry-peskov'`, renamed)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("rename dmitry-peskov: %v (%d rows)", err, tag.RowsAffected())
	}

	again, err := s.LoadSeed(ctx, seedData(t))
	if err != nil {
		t.Fatalf("second LoadSeed: %v", err)
	}
	if again != (store.SeedResult{}) {
		t.Errorf("second LoadSeed created %+v, want nothing", again)
	}
	if diff := cmp.Diff(wantRows, rowCounts(t, pool)); diff != "" {
		t.Errorf("rows after second load (-want +got):\n%s", diff)
	}
	var name string
	if err := pool.QueryRow(ctx, `SELECT name FROM actors WHERE slug = 'dmitry-peskov'`).Scan(&name); err != nil {
		t.Fatalf("read dmitry-peskov: %v", err)
	}
	if name != renamed {
		t.Errorf("dmitry-peskov name after second load = %q, want %q", name, renamed)
	}
}

// TestSeedAnswersAnalystQuestions ensures the loaded seed answers the
// questions the articles were read for, naming the records that answer them.
func TestSeedAnswersAnalystQuestions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	if _, err := store.New(pool).LoadSeed(ctx, seedData(t)); err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}

	t.Run("what Putin demanded on 2024-06-14", func(t *testing.T) {
		keys := queryStrings(t, pool, `
			SELECT s.seed_key FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE s.deleted_at IS NULL AND a.slug = 'vladimir-putin'
			  AND s.date = '2024-06-14' AND s.date_precision = 'day'
			  AND EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id
			              WHERE p.statement_id = s.id AND d.slug = 'withdrawal-four-regions' AND p.stance = 'insists')
			  AND EXISTS (SELECT 1 FROM positions p JOIN demands d ON d.id = p.demand_id
			              WHERE p.statement_id = s.id AND d.slug = 'ukraine-neutrality' AND p.stance = 'insists')
			  AND (SELECT array_agg(r.slug::text) FROM statement_regions sr JOIN regions r ON r.id = sr.region_id
			       WHERE sr.statement_id = s.id) @> ARRAY['donetsk', 'luhansk', 'zaporizhzhia', 'kherson']
			ORDER BY s.seed_key`)
		for _, want := range []string{"003-putin-foreign-ministry-terms", "001-putin-june-2024-conditions"} {
			if !slices.Contains(keys, want) {
				t.Errorf("Putin's 2024-06-14 demands = %q, want %q among them", keys, want)
			}
		}
		var source, occasion string
		err := pool.QueryRow(ctx, `SELECT src.ref, s.occasion FROM statements s JOIN sources src ON src.id = s.source_id
			WHERE s.seed_key = '003-putin-foreign-ministry-terms'`).Scan(&source, &occasion)
		if err != nil {
			t.Fatalf("read 003-putin-foreign-ministry-terms: %v", err)
		}
		if source != "003_219be40f0e460795.txt" || !strings.Contains(occasion, "Foreign Ministry") {
			t.Errorf("003-putin-foreign-ministry-terms source, occasion = %q, %q; want the Bloomberg article, a Foreign Ministry speech",
				source, occasion)
		}
	})

	t.Run("who ruled out a territorial swap and when", func(t *testing.T) {
		type row struct{ Key, Actor, Side, Date, Precision, Stance string }
		rows := queryRows(t, pool, `
			SELECT s.seed_key, a.slug, a.side, to_char(s.date, 'YYYY-MM-DD'), s.date_precision, p.stance
			FROM positions p JOIN demands d ON d.id = p.demand_id
			JOIN statements s ON s.id = p.statement_id JOIN actors a ON a.id = s.actor_id
			WHERE s.deleted_at IS NULL AND d.slug = 'kursk-territorial-swap'
			ORDER BY s.date, s.seed_key`, func(scan func(...any) error) (row, error) {
			var r row
			err := scan(&r.Key, &r.Actor, &r.Side, &r.Date, &r.Precision, &r.Stance)
			return r, err
		})
		wantRejection := row{"000-moscow-rejects-swap-and-freeze", "russian-government", "russia", "2025-02-01", "month", "rejects"}
		wantOffer := row{"000-zelensky-kursk-swap-offer", "volodymyr-zelensky", "ukraine", "2025-02-11", "day", "supports"}
		for _, want := range []row{wantRejection, wantOffer} {
			if !slices.Contains(rows, want) {
				t.Errorf("positions on kursk-territorial-swap = %+v, want %+v among them", rows, want)
			}
		}
		for _, r := range rows {
			if r.Stance == "rejects" && r.Side != "russia" {
				t.Errorf("swap rejected by %s (side %s), want only Russian-side rejections in the articles", r.Actor, r.Side)
			}
		}
	})

	t.Run("Hegseth on NATO membership", func(t *testing.T) {
		type row struct{ Date, Precision, Quote, Stance string }
		rows := queryRows(t, pool, `
			SELECT to_char(s.date, 'YYYY-MM-DD'), s.date_precision, s.quote, p.stance
			FROM positions p JOIN demands d ON d.id = p.demand_id
			JOIN statements s ON s.id = p.statement_id JOIN actors a ON a.id = s.actor_id
			WHERE s.deleted_at IS NULL AND a.slug = 'pete-hegseth' AND d.slug = 'ukraine-nato-membership'`,
			func(scan func(...any) error) (row, error) {
				var r row
				err := scan(&r.Date, &r.Precision, &r.Quote, &r.Stance)
				return r, err
			})
		if len(rows) != 1 {
			t.Fatalf("Hegseth's positions on ukraine-nato-membership = %+v, want exactly one", rows)
		}
		r := rows[0]
		if r.Date != "2025-02-12" || r.Precision != "day" {
			t.Errorf("Hegseth's statement dated %s (%s), want 2025-02-12 (day)", r.Date, r.Precision)
		}
		if !strings.Contains(r.Quote, "not a realistic outcome") {
			t.Errorf("Hegseth's quote = %q, want it to contain %q", r.Quote, "not a realistic outcome")
		}
		if parley.Stance(r.Stance).Score() >= 0 {
			t.Errorf("Hegseth's stance on NATO membership = %q, want opposes or rejects", r.Stance)
		}
	})

	t.Run("who rejects foreign peacekeepers", func(t *testing.T) {
		stances := queryStrings(t, pool, `
			SELECT DISTINCT a.slug || ':' || p.stance
			FROM positions p JOIN demands d ON d.id = p.demand_id
			JOIN statements s ON s.id = p.statement_id JOIN actors a ON a.id = s.actor_id
			WHERE s.deleted_at IS NULL AND d.slug = 'no-foreign-peacekeepers'
			ORDER BY 1`)
		// The demand is "no foreign peacekeepers": ruling peacekeepers out is insisting on it.
		for _, want := range []string{"maria-zakharova:insists", "vladimir-putin:insists", "france:opposes", "united-kingdom:opposes"} {
			if !slices.Contains(stances, want) {
				t.Errorf("stances on no-foreign-peacekeepers = %q, want %q among them", stances, want)
			}
		}
	})

	t.Run("anonymous statements belong to anonymous actors", func(t *testing.T) {
		if bad := queryStrings(t, pool, `
			SELECT s.seed_key || ' by ' || a.slug || ' (' || a.kind || ')'
			FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE s.attribution = 'anonymous' AND a.kind <> 'anonymous' ORDER BY 1`); len(bad) != 0 {
			t.Errorf("statements attributed anonymous to a non-anonymous actor: %q", bad)
		}
		if bad := queryStrings(t, pool, `
			SELECT s.seed_key || ' by ' || a.slug
			FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE s.attribution = 'anonymous' AND a.kind = 'person' ORDER BY 1`); len(bad) != 0 {
			t.Errorf("statements attributed anonymous to a named person: %q", bad)
		}
		if bad := queryStrings(t, pool, `
			SELECT s.seed_key || ' by ' || a.slug || ' (' || s.attribution || ')'
			FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE a.kind = 'anonymous' AND s.attribution IN ('on_record', 'spokesperson') ORDER BY 1`); len(bad) != 0 {
			t.Errorf("statements by anonymous actors attributed on the record: %q", bad)
		}
		// The unnamed sources the README singles out speak only anonymously.
		got := queryStrings(t, pool, `
			SELECT DISTINCT a.slug || ':' || a.kind || ':' || s.attribution
			FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE a.slug IN ('anonymous-russian-officials', 'anonymous-kremlin-sources')
			ORDER BY 1`)
		want := []string{"anonymous-kremlin-sources:anonymous:anonymous", "anonymous-russian-officials:anonymous:anonymous"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("anonymous sources' statements (actor:kind:attribution) (-want +got):\n%s", diff)
		}
		var actor, attribution string
		err := pool.QueryRow(ctx, `SELECT a.slug, s.attribution FROM statements s JOIN actors a ON a.id = s.actor_id
			WHERE s.quote LIKE 'Putin can fight no matter what it takes%'`).Scan(&actor, &attribution)
		if err != nil {
			t.Fatalf("find the high-ranking source's quote: %v", err)
		}
		if actor != "anonymous-kremlin-sources" || attribution != "anonymous" {
			t.Errorf("\"Putin can fight…\" by %s (%s), want anonymous-kremlin-sources (anonymous), not Putin", actor, attribution)
		}
	})

	t.Run("actors are findable by the articles' other spellings", func(t *testing.T) {
		// Spellings taken from the articles: 000 writes "Dmitri Peskow",
		// "Zelenskyy" and "Kiev"; 004 writes "Zelenskyy".
		for alias, want := range map[string]string{
			"Peskow":        "dmitry-peskov",
			"Dmitri Peskow": "dmitry-peskov",
			"Zelenskyy":     "volodymyr-zelensky",
			"Kiev":          "ukrainian-government",
		} {
			got := queryStrings(t, pool, `SELECT slug FROM actors WHERE $1 = ANY (aliases) ORDER BY slug`, alias)
			if diff := cmp.Diff([]string{want}, got); diff != "" {
				t.Errorf("actors with alias %q (-want +got):\n%s", alias, diff)
			}
		}
	})
}

// The checks.

func checkStatementSources(f seed.File) []string {
	refs := set(sourceRefs(f))
	var p []string
	for _, s := range f.Statements {
		if !refs[s.Source] {
			p = append(p, fmt.Sprintf("statement %s: source %q does not exist", s.Key, s.Source))
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

func checkStatementHasSubstance(f seed.File) []string {
	var p []string
	for _, s := range f.Statements {
		if len(s.Positions) == 0 && len(s.Regions) == 0 {
			p = append(p, fmt.Sprintf("statement %s: no position and no region", s.Key))
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
		if end, ok := latest[s.Source]; ok && d.Time.After(end) {
			p = append(p, fmt.Sprintf("statement %s: date %s is after its article %s was published (by %s)",
				s.Key, s.Date, s.Source, end.Format(time.DateOnly)))
		}
	}
	return p
}

func checkArticlesContribute(f seed.File) []string {
	refs := set(sourceRefs(f))
	count := map[string]int{}
	for _, s := range f.Statements {
		count[s.Source]++
	}
	var p []string
	for _, ref := range articleRefs {
		if !refs[ref] {
			p = append(p, fmt.Sprintf("article %s is not a source", ref))
		}
		if count[ref] == 0 {
			p = append(p, fmt.Sprintf("article %s contributes no statement", ref))
		}
	}
	return p
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

// checkQuotes reports quotes that do not appear in their article, compared
// after normalising whitespace and typographic quotes.
func checkQuotes(f seed.File, articles map[string]string) []string {
	var p []string
	for _, s := range f.Statements {
		if s.Quote == "" {
			continue
		}
		text, ok := articles[s.Source]
		if !ok {
			p = append(p, fmt.Sprintf("statement %s: no article %q to find the quote in", s.Key, s.Source))
			continue
		}
		if !strings.Contains(normalise(text), normalise(s.Quote)) {
			p = append(p, fmt.Sprintf("statement %s: quote %q is not in %s", s.Key, s.Quote, s.Source))
		}
	}
	return p
}

// checkSpellings reports variant spellings (README of the articles: Peskov /
// Peskow, Zelensky / Zelenskyy, Kyiv / Kiev, Dmitry / Dmitri) that occur in
// an article but are no actor's name or alias, so search would miss them.
func checkSpellings(f seed.File, articles map[string]string) []string {
	var all strings.Builder
	for _, text := range articles {
		all.WriteString(normalise(text))
		all.WriteString(" ")
	}
	known := func(spelling string) bool {
		for _, a := range f.Actors {
			if strings.Contains(a.Name, spelling) {
				return true
			}
			for _, alias := range a.Aliases {
				if strings.Contains(alias, spelling) {
					return true
				}
			}
		}
		return false
	}
	var p []string
	for _, spelling := range []string{"Peskov", "Peskow", "Zelensky", "Zelenskyy", "Kyiv", "Kiev", "Dmitry", "Dmitri"} {
		if strings.Contains(all.String(), spelling) && !known(spelling) {
			p = append(p, fmt.Sprintf("the articles spell %q but no actor's name or alias has it", spelling))
		}
	}
	return p
}

// Helpers.

func rawSeed(t *testing.T) seed.File {
	t.Helper()
	f, err := seed.Raw()
	if err != nil {
		t.Fatalf("seed.Raw: %v", err)
	}
	return f
}

func seedData(t *testing.T) store.SeedData {
	t.Helper()
	d, err := seed.Data()
	if err != nil {
		t.Fatalf("seed.Data: %v", err)
	}
	return d
}

// readArticles reads the five articles, skipping t when they are not beside
// the project.
func readArticles(t *testing.T) map[string]string {
	t.Helper()
	if _, err := os.Stat(articlesDir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("articles not found at %s", articlesDir)
	}
	articles := map[string]string{}
	for _, ref := range articleRefs {
		b, err := os.ReadFile(filepath.Join(articlesDir, ref))
		if err != nil {
			t.Fatalf("read article: %v", err)
		}
		articles[ref] = string(b)
	}
	return articles
}

var typographic = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`, "\u00a0", " ")

func normalise(s string) string {
	return strings.Join(strings.Fields(typographic.Replace(s)), " ")
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

func regionSlugs(f seed.File) []string {
	var out []string
	for _, r := range f.Regions {
		out = append(out, r.Slug)
	}
	return out
}

func actorSlugs(f seed.File) []string {
	var out []string
	for _, a := range f.Actors {
		out = append(out, a.Slug)
	}
	return out
}

func demandSlugs(f seed.File) []string {
	var out []string
	for _, d := range f.Demands {
		out = append(out, d.Slug)
	}
	return out
}

func sourceRefs(f seed.File) []string {
	var out []string
	for _, s := range f.Sources {
		out = append(out, s.Ref)
	}
	return out
}

func set(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func rowCounts(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, table := range []string{"regions", "sources", "actors", "demands", "statements", "positions", "statement_regions"} {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		got[table] = n
	}
	return got
}

func queryStrings(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	return queryRows(t, pool, sql, func(scan func(...any) error) (string, error) {
		var s string
		err := scan(&s)
		return s, err
	}, args...)
}

func queryRows[T any](t *testing.T, pool *pgxpool.Pool, sql string, scanRow func(scan func(...any) error) (T, error), args ...any) []T {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("query: %v\n%s", err, sql)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scanRow(rows.Scan)
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("query: %v\n%s", err, sql)
	}
	return out
}
