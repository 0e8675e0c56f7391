package intake_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"parley"
	"parley/internal/intake"
	"parley/internal/seed"
)

// articlesDir is where the five seed articles live beside the project (as
// the seed package's tests read them); the tests skip when it is absent.
const articlesDir = "../../../shared/seeds"

// seedArticle is one seed article with its published date (the seed
// sources', which follow the articles' README).
type seedArticle struct {
	ref       string
	text      string
	published parley.Date
}

func seedArticles(t testing.TB) ([]seedArticle, seed.File) {
	t.Helper()
	if _, err := os.Stat(articlesDir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("articles not found at %s", articlesDir)
	}
	f, err := seed.Raw()
	if err != nil {
		t.Fatal(err)
	}
	var out []seedArticle
	for _, src := range f.Sources {
		b, err := os.ReadFile(filepath.Join(articlesDir, src.Ref))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := parley.ParseDate(src.Published)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, seedArticle{ref: src.Ref, text: string(b), published: pub})
	}
	return out, f
}

// seedCatalog is the seed's actors, demands and regions as the store
// would list them.
func seedCatalog(t testing.TB) intake.Catalog {
	t.Helper()
	d, err := seed.Data()
	if err != nil {
		t.Fatal(err)
	}
	var c intake.Catalog
	for _, a := range d.Actors {
		c.Actors = append(c.Actors, parley.Actor{Slug: a.Slug, Name: a.Name, Aliases: a.Aliases, Kind: a.Kind, Side: a.Side, Role: a.Role, ParentSlug: a.Parent})
	}
	for _, x := range d.Demands {
		c.Demands = append(c.Demands, parley.Demand{Slug: x.Slug, Title: x.Title, Side: x.Side, Category: x.Category, Regions: x.Regions, Keywords: x.Keywords})
	}
	for _, r := range d.Regions {
		c.Regions = append(c.Regions, parley.Region{Slug: r.Slug, Name: r.Name, Country: r.Country, Kind: r.Kind})
	}
	return c
}

var typographic = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`, "\u00a0", " ")

func normalise(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(typographic.Replace(s)), " "))
}

func TestDumpSeed(t *testing.T) {
	if os.Getenv("INTAKE_DUMP") == "" {
		t.Skip()
	}
	arts, _ := seedArticles(t)
	an := intake.New(seedCatalog(t))
	for _, art := range arts {
		res := an.Analyze(intake.Article{Text: art.text, Published: art.published})
		fmt.Println("=====", art.ref, art.published.Input())
		for _, d := range res.Drafts {
			fmt.Printf("- %s [%s] %s %s (%q) q=%q\n    %s\n    regions=%v demands=%v guesses=%v\n", d.Actor, d.ActorText, d.Attribution, d.Date.Input(), d.DateText, d.Quote, d.Sentence, d.Regions, d.Demands, d.Guesses)
		}
		fmt.Println("unknown:", res.Unknown)
		for _, f := range res.Findings {
			if f.Kind == intake.KindDate {
				fmt.Printf("  date %q → %s %s\n", f.Text, f.Date.Input(), f.Note)
			}
		}
	}
}

// seedRecall runs the five articles through intake and counts the seed
// statements some draft of an article that reports them reproduces: the
// same actor, date and precision, and (where that report has a quote) a
// draft quote containing it.
func seedRecall(t testing.TB) (matched, total int, missed []string) {
	arts, f := seedArticles(t)
	an := intake.New(seedCatalog(t))
	drafts := map[string][]intake.Draft{}
	for _, art := range arts {
		drafts[art.ref] = an.Analyze(intake.Article{Text: art.text, Published: art.published}).Drafts
	}
	for _, st := range f.Statements {
		date, err := parley.ParseDate(st.Date)
		if err != nil {
			t.Fatal(err)
		}
		total++
		found := false
		for _, rp := range st.Reports {
			for _, d := range drafts[rp.Source] {
				if d.Actor == st.Actor && d.Date == date && (rp.Quote == "" || strings.Contains(normalise(d.Quote), normalise(rp.Quote))) {
					found = true
				}
			}
		}
		if found {
			matched++
		} else {
			missed = append(missed, st.Key)
		}
	}
	return matched, total, missed
}

func TestSeedRecall(t *testing.T) {
	matched, total, missed := seedRecall(t)
	t.Logf("recall on the seed articles: %d of %d statements (%.0f%%)", matched, total, 100*float64(matched)/float64(total))
	for _, k := range missed {
		t.Logf("missed: %s", k)
	}
	// The figure the README gives: a change that lowers it must say why.
	if matched < 33 {
		t.Errorf("recall fell to %d of %d, below the 33 the README reports", matched, total)
	}
}

// TestSeedNeverFails holds the rules that must never fail on the seed
// articles: no anonymous report drafted for a named actor, no day in an
// article dated only to the month or year unless the text gives one, and
// every quote of the seed dataset found with its speaker.
func TestSeedNeverFails(t *testing.T) {
	arts, f := seedArticles(t)
	c := seedCatalog(t)
	kinds := map[string]parley.ActorKind{}
	for _, a := range c.Actors {
		kinds[a.Slug] = a.Kind
	}
	an := intake.New(c)
	drafts := map[string][]intake.Draft{}
	for _, art := range arts {
		res := an.Analyze(intake.Article{Text: art.text, Published: art.published})
		drafts[art.ref] = res.Drafts
		for _, d := range res.Drafts {
			if d.Attribution == parley.Anonymous && d.Actor != "" && kinds[d.Actor] != "anonymous" {
				t.Errorf("%s: anonymous report drafted for %s: %q", art.ref, d.Actor, d.Sentence)
			}
			if art.published.Precision != parley.Day && d.Date.Precision == parley.Day && !fullDateRE.MatchString(d.DateText) {
				t.Errorf("%s (dated %s): a day (%s from %q) the text does not give: %q", art.ref, art.published.Input(), d.Date.Input(), d.DateText, d.Sentence)
			}
		}
		for _, fd := range res.Findings {
			if fd.Kind == intake.KindDate && art.published.Precision != parley.Day && fd.Date.Precision == parley.Day && !fullDateRE.MatchString(fd.Text) {
				t.Errorf("%s: date expression %q resolved to the day %s", art.ref, fd.Text, fd.Date.Input())
			}
		}
	}
	// The seed's second-hand reports, by the words that begin them: each
	// is drafted for an anonymous actor, never for the person it names.
	for ref, openings := range anonymousOpenings {
		for _, o := range openings {
			found := false
			for _, d := range drafts[ref] {
				if !strings.Contains(d.Sentence, o) {
					continue
				}
				found = true
				if kinds[d.Actor] != "anonymous" || d.Attribution != parley.Anonymous {
					t.Errorf("%s: %q drafted for %q (%s), want an anonymous actor", ref, o, d.Actor, d.Attribution)
				}
			}
			if !found {
				t.Errorf("%s: no draft of the anonymous report %q", ref, o)
			}
		}
	}
	quotes := 0
	for _, st := range f.Statements {
		for _, rp := range st.Reports {
			if rp.Quote == "" {
				continue
			}
			quotes++
			found := false
			for _, d := range drafts[rp.Source] {
				if d.Actor == st.Actor && strings.Contains(normalise(d.Quote), normalise(rp.Quote)) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: the quote %q of %s (%s) is not found with its speaker", rp.Source, rp.Quote, st.Key, st.Actor)
			}
		}
	}
	if quotes < 15 {
		t.Errorf("only %d seed quotes checked: the seed dataset changed?", quotes)
	}
}

// fullDateRE: the text names the month and the day.
var fullDateRE = regexp.MustCompile(`(January|February|March|April|May|June|July|August|September|October|November|December) \d|\d (January|February|March|April|May|June|July|August|September|October|November|December)|\d{4}-\d{2}-\d{2}`)

// anonymousOpenings are the second-hand reports of the seed articles.
var anonymousOpenings = map[string][]string{
	"002_899649ddc2179241.txt": {"Sources indicate that Putin", "One high-ranking Russian source"},
	"004_4d5fc55baaf930ef.txt": {"Russian officials have said that", "five current and former Russian officials said",
		"According to three of the sources", "two Russian officials have said", "Two sources said", "Both sources stated",
		"One source said", "All those Russian officials claimed", "One official, a senior source", "two Russian sources cited"},
}
