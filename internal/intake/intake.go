// Package intake reads a pasted news article against Parley's catalogue
// of actors, demands and regions and proposes draft statements: who is
// quoted or reported, when (resolved against the published date with the
// precision the text supports), how it is attributed, and which regions and
// demands it concerns. It is pure (no database, no clock) and fast, so a
// page can run it on every request; nothing it finds is saved by it.
package intake

import (
	"parley"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Article is what the editor pasted: the text and its published date (with
// the precision the editor knows it to).
type Article struct {
	Text      string
	Published parley.Date
}

// Catalog is what the analysis recognises: the live actors, demands and
// regions.
type Catalog struct {
	Actors  []parley.Actor
	Demands []parley.Demand
	Regions []parley.Region
}

// Kinds of Finding.
const (
	KindActor   = "actor"
	KindUnknown = "unknown" // a name that is no actor's: the editor may add it
	KindQuote   = "quote"
	KindDate    = "date"
	KindRegion  = "region"
	KindDemand  = "demand"
)

// Finding is one thing found in the text, at byte offsets [Start, End).
type Finding struct {
	Kind       string
	Start, End int
	Text       string
	// Slug is the actor's, region's or demand's; for a quote, the speaker's
	// (empty when nobody could be named).
	Slug string
	// Date is a date expression's resolution; zero when the text and the
	// published date do not establish one.
	Date parley.Date
	// Note says how it was recognised ("by title", "anonymous source",
	// "month of last week").
	Note string
}

// Guess is a stance read from an unambiguous verb ("rejected" → rejects):
// a guess, for the editor to confirm.
type Guess struct {
	Demand string
	Stance parley.Stance
}

// Draft is one proposed statement.
type Draft struct {
	Actor       string // slug, or "" when the speaker is no known actor
	ActorText   string // the words that name the speaker
	Attribution parley.Attribution
	Date        parley.Date // zero when undetermined
	// DateText is the expression the date comes from; empty when the date
	// is the article's own (the sentence names none).
	DateText string
	Quote    string
	Sentence string
	Regions  []string // slugs
	Demands  []string // slugs
	Guesses  []Guess
	// Start and End are the sentence's byte offsets in the text.
	Start, End int
}

// Result is the whole analysis.
type Result struct {
	Findings []Finding // in text order
	Unknown  []string  // names that are no actor's, each once
	Drafts   []Draft
}

// Analyzer holds a catalogue prepared for matching; it is safe for
// concurrent use.
type Analyzer struct {
	actors  map[string]parley.Actor
	anon    []parley.Actor // kind anonymous
	names   []pattern      // actors' names and aliases, longest first
	regions []pattern
	demands []pattern
}

// New prepares c for analysing articles.
func New(c Catalog) *Analyzer {
	a := &Analyzer{actors: map[string]parley.Actor{}}
	for _, x := range c.Actors {
		a.actors[x.Slug] = x
		if x.Kind == "anonymous" {
			a.anon = append(a.anon, x)
		}
		a.names = addPatterns(a.names, x.Slug, append([]string{x.Name}, x.Aliases...))
	}
	for _, r := range c.Regions {
		a.regions = addPatterns(a.regions, r.Slug, []string{r.Name})
	}
	for _, d := range c.Demands {
		a.demands = addPatterns(a.demands, d.Slug, append([]string{d.Title}, d.Keywords...))
	}
	for _, ps := range [][]pattern{a.names, a.regions, a.demands} {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].text) > len(ps[j].text) })
	}
	return a
}

// Analyze finds actors, quotations, dates, regions and demands in art and
// proposes drafts. The text must be valid UTF-8 (the caller checks).
func (a *Analyzer) Analyze(art Article) Result {
	d := newDoc(art.Text)
	var res Result
	quotes := findQuotes(d)
	// Sentences first: the regular expressions run sentence by sentence,
	// which keeps Go's matcher on its fast path for short inputs.
	sentences := splitSentences(d, quotes)
	actors := a.findActors(d, sentences)
	regions := findPatterns(d, a.regions, KindRegion)
	demands := findPatterns(d, a.demands, KindDemand)
	dates := findDates(d, art.Published, sentences)
	unknown := findUnknown(d, sentences, append(append(append([]Finding{}, actors...), regions...), dates...))
	res.Drafts = a.drafts(d, art.Published, sentences, quotes, actors, regions, demands, dates)
	// A quote's speaker is its draft's actor.
	for i := range quotes {
		for _, dr := range res.Drafts {
			if quotes[i].Start >= dr.Start && quotes[i].End <= dr.End {
				quotes[i].Slug = dr.Actor
			}
		}
	}
	for _, group := range [][]Finding{quotes, actors, regions, demands, dates, unknown} {
		res.Findings = append(res.Findings, group...)
	}
	sort.SliceStable(res.Findings, func(i, j int) bool { return res.Findings[i].Start < res.Findings[j].Start })
	for _, u := range unknown {
		if !slices.Contains(res.Unknown, u.Text) {
			res.Unknown = append(res.Unknown, u.Text)
		}
	}
	return res
}

// Segment is a piece of the text for display: plain, or a finding (Kind
// set), inside a quotation or not.
type Segment struct {
	Text    string
	Kind    string
	Slug    string
	Note    string
	InQuote bool
	Break   bool // a line break before this segment
}

// Segments cuts text into pieces for showing it with findings marked:
// actors, regions, demands, dates and unknown names as marks, quotations
// as the stretches they cover. Overlapping marks keep the earlier.
func Segments(text string, fs []Finding) []Segment {
	var marks, quotes []Finding
	for _, f := range fs {
		if f.Kind == KindQuote {
			quotes = append(quotes, f)
		} else {
			marks = append(marks, f)
		}
	}
	inQuote := func(pos int) bool {
		for _, q := range quotes {
			if pos >= q.Start && pos < q.End {
				return true
			}
		}
		return false
	}
	var out []Segment
	plain := func(from, to int) {
		// Split at line breaks and at quotation edges.
		for from < to {
			end := to
			if nl := strings.IndexByte(text[from:to], '\n'); nl >= 0 {
				end = from + nl
			}
			for _, q := range quotes {
				for _, edge := range []int{q.Start, q.End} {
					if edge > from && edge < end {
						end = edge
					}
				}
			}
			if end > from {
				out = append(out, Segment{Text: text[from:end], InQuote: inQuote(from)})
			}
			for end < to && text[end] == '\n' {
				end++
				out = append(out, Segment{Break: true})
			}
			from = end
		}
	}
	pos := 0
	for _, m := range marks {
		if m.Start < pos {
			continue
		}
		plain(pos, m.Start)
		out = append(out, Segment{Text: text[m.Start:m.End], Kind: m.Kind, Slug: m.Slug, Note: m.Note, InQuote: inQuote(m.Start)})
		pos = m.End
	}
	plain(pos, len(text))
	return out
}

// eachMatch calls fn with the submatch offsets (into the whole text) of
// re's matches in each sentence of s.
func eachMatch(re *regexp.Regexp, s string, sentences []sentence, fn func(m []int)) {
	for _, st := range sentences {
		for _, m := range re.FindAllStringSubmatchIndex(s[st.start:st.end], -1) {
			for i := range m {
				if m[i] >= 0 {
					m[i] += st.start
				}
			}
			fn(m)
		}
	}
}
