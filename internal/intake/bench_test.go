package intake_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"parley"
	"parley/internal/intake"
)

// benchText is an article of n characters: the seed articles over and
// over (a made-up one when they are not beside the project).
func benchText(n int) string {
	var parts []string
	if _, err := os.Stat(articlesDir); !errors.Is(err, fs.ErrNotExist) {
		entries, _ := os.ReadDir(articlesDir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".txt") {
				if b, err := os.ReadFile(filepath.Join(articlesDir, e.Name())); err == nil {
					parts = append(parts, string(b))
				}
			}
		}
	}
	if len(parts) == 0 {
		parts = []string{"Kremlin spokesman Dmitri Peskow said on Tuesday that “a freeze will not work”. " +
			"Five sources familiar with the Kremlin's thinking said Putin is ready for a ceasefire in Donetsk. " +
			"In June, Zelenskyy rejected any talks. Last week Lavrov said the West must accept the 'facts on the ground'.\n"}
	}
	var b strings.Builder
	for b.Len() < 4*n {
		for _, p := range parts {
			b.WriteString(p)
			b.WriteString("\n")
		}
	}
	runes := []rune(b.String())
	return string(runes[:n])
}

// BenchmarkAnalyze20k analyses a 20,000-character article with the seed
// catalogue (the page's budget is 100 ms).
func BenchmarkAnalyze20k(b *testing.B) {
	text := benchText(20000)
	if utf8.RuneCountInString(text) != 20000 {
		b.Fatal("the article is not 20,000 characters")
	}
	an := intake.New(seedCatalog(b))
	art := intake.Article{Text: text, Published: parley.Date{Time: mustDate("2024-06-14"), Precision: parley.Day}}
	b.ResetTimer()
	for b.Loop() {
		an.Analyze(art)
	}
}

// BenchmarkNewAndAnalyze20k includes preparing the catalogue, as each
// request does.
func BenchmarkNewAndAnalyze20k(b *testing.B) {
	text := benchText(20000)
	c := seedCatalog(b)
	art := intake.Article{Text: text, Published: parley.Date{Time: mustDate("2024-06-14"), Precision: parley.Day}}
	for b.Loop() {
		intake.New(c).Analyze(art)
	}
}
