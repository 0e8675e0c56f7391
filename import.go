package parley

import (
	"errors"
	"strings"
	"unicode"
)

// ImportStatement is one statement of an import file. Actor is the actor's
// name (or an alias); ActorSide is used when the actor must be created.
type ImportStatement struct {
	Line      int // first line of the file holding it
	Actor     string
	ActorSide string
	Statement StatementInput // Actor is filled in by Import
	Source    *SourceInput
}

// ImportProblem is something that stops an import, by file line and column.
type ImportProblem struct {
	Line    int
	Column  string
	Message string
}

// ImportReport says what an import creates (or, previewed, would create).
type ImportReport struct {
	Statements                                              int
	Skipped                                                 []int // lines of statements already present (same actor, date and summary)
	NewActors, NewDemands, NewRegions, NewSources, NewSides []string
	Problems                                                []ImportProblem
}

// ErrImportProblems means the import was refused; the report lists why.
var ErrImportProblems = errors.New("parley: import has problems")

// Slugify derives a slug from a name: lowercase ASCII letters and digits
// joined by hyphens ("Vladimir Putin" → "vladimir-putin"); fallback when
// nothing is left (a name in Cyrillic, say).
func Slugify(name, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	if s == "" || s == "new" {
		return fallback
	}
	return s
}
