package intake

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// doc is the text with a case-folded copy of the same byte length, so
// offsets found in one hold in the other.
type doc struct {
	text, fold string
}

func newDoc(text string) doc { return doc{text: text, fold: foldSameLen(text)} }

// foldSameLen lowercases s rune by rune, keeping a rune whose lower case
// has another UTF-8 length (offsets must not move).
func foldSameLen(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		l := unicode.ToLower(r)
		if utf8.RuneLen(l) != utf8.RuneLen(r) {
			l = r
		}
		b.WriteRune(l)
	}
	return b.String()
}

// pattern is a name, alias, title or keyword to look for.
type pattern struct {
	text string // folded, unless exact
	slug string
	// exact patterns match case-sensitively: acronyms ("US", "UK") that
	// would otherwise match ordinary words ("us").
	exact bool
}

// addPatterns adds each phrase for slug, with the typographic apostrophe
// variant of any phrase that has a straight one.
func addPatterns(ps []pattern, slug string, phrases []string) []pattern {
	for _, p := range phrases {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		exact := isAcronym(p)
		variants := []string{p}
		if strings.Contains(p, "'") {
			variants = append(variants, strings.ReplaceAll(p, "'", "’"))
		}
		for _, v := range variants {
			if !exact {
				v = foldSameLen(v)
			}
			ps = append(ps, pattern{text: v, slug: slug, exact: exact})
		}
	}
	return ps
}

// isAcronym reports whether p is written in capitals (with dots or
// digits): "US", "U.S.", "G7", "NATO".
func isAcronym(p string) bool {
	letters := 0
	for _, r := range p {
		switch {
		case unicode.IsLower(r):
			return false
		case unicode.IsUpper(r):
			letters++
		case r == '.' || unicode.IsDigit(r):
		default:
			return false
		}
	}
	return letters > 0 && len(p) <= 6
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordBoundary reports whether [start, end) of s stands as whole words.
func wordBoundary(s string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:start])
		if isWordRune(r) {
			return false
		}
	}
	if end < len(s) {
		r, _ := utf8.DecodeRuneInString(s[end:])
		if isWordRune(r) {
			return false
		}
	}
	return true
}

// findPatterns finds every pattern as whole words, longest first, without
// overlaps.
func findPatterns(d doc, ps []pattern, kind string) []Finding {
	var out []Finding
	taken := func(s, e int) bool {
		for _, f := range out {
			if s < f.End && e > f.Start {
				return true
			}
		}
		return false
	}
	for _, p := range ps {
		hay := d.fold
		if p.exact {
			hay = d.text
		}
		for from := 0; from < len(hay); {
			i := strings.Index(hay[from:], p.text)
			if i < 0 {
				break
			}
			s, e := from+i, from+i+len(p.text)
			from = e
			if !wordBoundary(d.text, s, e) || taken(s, e) {
				continue
			}
			out = append(out, Finding{Kind: kind, Start: s, End: e, Text: d.text[s:e], Slug: p.slug})
		}
	}
	return out
}

// Quotation marks: each opening mark with the marks that close it.
var quoteMarks = map[rune]string{
	'“': "”",
	'„': "“”",
	'«': "»",
	'"': `"`,
}

// findQuotes finds quotations in double marks (straight, curly, « », „ “)
// and then, outside those, in single marks ('…', ‘…’) where they stand at
// word edges, so apostrophes (Ukraine's, won't) are not taken for quotes.
// A quotation never runs past the end of its line.
func findQuotes(d doc) []Finding {
	var out []Finding
	s := d.text
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		closers, ok := quoteMarks[r]
		if !ok {
			i += n
			continue
		}
		end := -1
		for j := i + n; j < len(s); {
			c, m := utf8.DecodeRuneInString(s[j:])
			if c == '\n' {
				break
			}
			if strings.ContainsRune(closers, c) {
				end = j + m
				break
			}
			j += m
		}
		if end < 0 || strings.TrimSpace(s[i+n:end-utf8.RuneLen(lastRune(s[:end]))]) == "" {
			i += n
			continue
		}
		out = append(out, quoteFinding(s, i, end))
		i = end
	}
	inside := func(pos int) bool {
		for _, q := range out {
			if pos >= q.Start && pos < q.End {
				return true
			}
		}
		return false
	}
	var single []Finding
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r != '\'' && r != '‘') || inside(i) || !singleOpens(s, i, n) {
			i += n
			continue
		}
		closer := '\''
		if r == '‘' {
			closer = '’'
		}
		end := -1
		for j := i + n; j < len(s); {
			c, m := utf8.DecodeRuneInString(s[j:])
			if c == '\n' || inside(j) {
				break
			}
			if c == closer && singleCloses(s, j, m) {
				end = j + m
				break
			}
			j += m
		}
		if end < 0 {
			i += n
			continue
		}
		single = append(single, quoteFinding(s, i, end))
		i = end
	}
	out = append(out, single...)
	return out
}

func lastRune(s string) rune { r, _ := utf8.DecodeLastRuneInString(s); return r }

func quoteFinding(s string, start, end int) Finding {
	_, open := utf8.DecodeRuneInString(s[start:])
	_, cl := utf8.DecodeLastRuneInString(s[:end])
	return Finding{Kind: KindQuote, Start: start, End: end, Text: strings.TrimSpace(s[start+open : end-cl])}
}

// singleOpens: a single mark opens a quote after a non-word character and
// before a word character.
func singleOpens(s string, i, n int) bool {
	if i > 0 {
		if p := lastRune(s[:i]); isWordRune(p) {
			return false
		}
	}
	if i+n >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i+n:])
	return isWordRune(r)
}

// singleCloses: a single mark closes a quote after a non-space character
// and before a non-word character.
func singleCloses(s string, j, m int) bool {
	if p := lastRune(s[:j]); unicode.IsSpace(p) {
		return false
	}
	if j+m < len(s) {
		r, _ := utf8.DecodeRuneInString(s[j+m:])
		if isWordRune(r) {
			return false
		}
	}
	return true
}

// sentence is a stretch of text [start, end) in paragraph para.
type sentence struct {
	start, end, para int
}

// abbreviations end with a dot that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "gen": true, "lt": true, "col": true, "sen": true,
	"rep": true, "gov": true, "jan": true, "feb": true, "aug": true, "sep": true, "sept": true, "oct": true,
	"nov": true, "dec": true, "no": true, "vs": true, "e.g": true, "i.e": true, "prof": true, "jr": true, "sr": true,
}

// splitSentences cuts the text at sentence ends and line breaks, never
// inside a quotation.
func splitSentences(d doc, quotes []Finding) []sentence {
	s := d.text
	var out []sentence
	start, para := 0, 0
	emit := func(end int) {
		if strings.TrimSpace(s[start:end]) != "" {
			// Trim surrounding space from the sentence's bounds.
			a, b := start, end
			for a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r') {
				a++
			}
			for b > a && (s[b-1] == ' ' || s[b-1] == '\t' || s[b-1] == '\r') {
				b--
			}
			out = append(out, sentence{start: a, end: b, para: para})
		}
		start = end
	}
	qi := 0
	for i := 0; i < len(s); {
		for qi < len(quotes) && quotes[qi].End <= i {
			qi++
		}
		if qi < len(quotes) && quotes[qi].Start == i {
			q := quotes[qi]
			i = q.End
			// A quotation that ends its sentence: “… a given fact.” Next
			_, cl := utf8.DecodeLastRuneInString(s[:q.End])
			inner := strings.TrimRight(s[q.Start:q.End-cl], " ")
			if strings.HasSuffix(inner, ".") || strings.HasSuffix(inner, "!") || strings.HasSuffix(inner, "?") {
				if startsSentence(s, i) {
					emit(i)
				}
			}
			continue
		}
		c := s[i]
		switch {
		case c == '\n':
			emit(i)
			para++
			i++
			start = i
			continue
		case c == '.' || c == '!' || c == '?':
			j := i + 1
			for j < len(s) && (s[j] == '.' || s[j] == '!' || s[j] == '?' || s[j] == ')') {
				j++
			}
			if (c != '.' || !abbreviationBefore(s, i)) && startsSentence(s, j) {
				emit(j)
			}
			i = j
			continue
		}
		i++
	}
	emit(len(s))
	return out
}

// startsSentence reports whether after optional spaces at i comes the
// end of the text, a line break, or a capital, digit or opening quote.
func startsSentence(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	if s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' {
		return false
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	if i >= len(s) || s[i] == '\n' {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	_, quote := quoteMarks[r]
	return unicode.IsUpper(r) || unicode.IsDigit(r) || quote || r == '‘' || r == '\'' || r == '-' || r == '–' || r == '—'
}

// abbreviationBefore reports whether the dot at i ends an abbreviation:
// a single capital (U.S., U.K.) or a known short word (Mr., Gen.).
func abbreviationBefore(s string, i int) bool {
	j := i
	for j > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:j])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		j -= n
	}
	w := s[j:i]
	if last := strings.LastIndexByte(w, '.'); last >= 0 {
		w = w[last+1:]
	}
	if utf8.RuneCountInString(w) == 1 {
		r, _ := utf8.DecodeRuneInString(w)
		return unicode.IsUpper(r)
	}
	return abbreviations[strings.ToLower(strings.TrimSuffix(s[j:i], "."))]
}
