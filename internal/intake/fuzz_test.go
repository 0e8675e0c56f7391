package intake_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"parley/internal/intake"
)

// FuzzAnalyze: any text (the handler passes valid UTF-8 only) is analysed
// without a panic, every finding and draft lies within the text, and the
// segments give the text back.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"", "“", "„unclosed", "'", "‘x’", "Putin said 'x", "«a» «", `"a" "b`, "İstanbul: Peskov said on Friday „ok“.",
		"U.S. said. He said. They said “x.” said Putin", "On February 30, Lavrov said.", "Sources said.\n\n“x”",
		"In December last year, two Russian officials familiar with it said: ‘no’.", "ǅ ß ẞ Σ said Putin",
	} {
		f.Add(s)
	}
	an := intake.New(testCatalog)
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		res := an.Analyze(intake.Article{Text: text, Published: mustParley("2024-06-14")})
		for _, x := range res.Findings {
			if x.Start < 0 || x.End > len(text) || x.Start > x.End {
				t.Fatalf("finding %+v outside the text (%d bytes)", x, len(text))
			}
		}
		for _, d := range res.Drafts {
			if d.Start < 0 || d.End > len(text) || !strings.Contains(text, d.Sentence) {
				t.Fatalf("draft %+v not in the text", d)
			}
		}
		var b strings.Builder
		for _, s := range intake.Segments(text, res.Findings) {
			if s.Break {
				b.WriteString("\n")
			}
			b.WriteString(s.Text)
		}
		if b.String() != text {
			t.Fatalf("segments give %q, want %q", b.String(), text)
		}
	})
}
