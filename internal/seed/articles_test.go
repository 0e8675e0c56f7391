package seed_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"parley/internal/seed"
)

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

func checkArticlesContribute(f seed.File) []string {
	refs := set(sourceRefs(f))
	count := map[string]int{}
	for _, s := range f.Statements {
		for _, r := range s.Reports { // (v2) an article contributes by any report
			count[r.Source]++
		}
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

// checkQuotes reports quotes that do not appear in their article, compared
// after normalising whitespace and typographic quotes. (v2) Each report's
// quote must be in that report's article, and the statement's own quote in
// the article of one of its reports.
func checkQuotes(f seed.File, articles map[string]string) []string {
	in := func(ref, quote string) bool {
		text, ok := articles[ref]
		return ok && strings.Contains(normalise(text), normalise(quote))
	}
	var p []string
	for _, s := range f.Statements {
		var refs []string
		for _, r := range s.Reports {
			refs = append(refs, r.Source)
			if _, ok := articles[r.Source]; !ok {
				p = append(p, fmt.Sprintf("statement %s: no article %q to find the report's quote in", s.Key, r.Source))
				continue
			}
			if r.Quote != "" && !in(r.Source, r.Quote) {
				p = append(p, fmt.Sprintf("statement %s: report quote %q is not in %s", s.Key, r.Quote, r.Source))
			}
		}
		if s.Quote == "" {
			continue
		}
		if !slices.ContainsFunc(refs, func(ref string) bool { return in(ref, s.Quote) }) {
			p = append(p, fmt.Sprintf("statement %s: quote %q is in none of its reports' articles %q", s.Key, s.Quote, refs))
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

var typographic = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`, "\u00a0", " ")

func normalise(s string) string {
	return strings.Join(strings.Fields(typographic.Replace(s)), " ")
}
