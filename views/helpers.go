package views

import (
	"encoding/json"
	"fmt"
	"net/url"
	"parley"
	"strconv"
	"strings"
)

// StanceSymbol is a mark for each step of the stance scale, so the scale
// reads without colour.
func StanceSymbol(stance parley.Stance) string {
	switch stance {
	case parley.Insists:
		return "▲▲"
	case parley.Supports:
		return "▲"
	case parley.Open:
		return "◆"
	case parley.Opposes:
		return "▼"
	case parley.Rejects:
		return "▼▼"
	}
	return "·"
}

// SourceLine names a source in one line: outlet, "via", headline.
func SourceLine(s parley.Source) string {
	out := s.Outlet
	if s.Via != "" {
		out += " (via " + s.Via + ")"
	}
	if s.Title != "" {
		out += ": “" + s.Title + "”"
	}
	if d := s.Published.String(); d != "" {
		out += ", " + d
	}
	return out
}

// SideLabel turns a side slug into words: "united-states" → "United States".
func SideLabel(side string) string {
	switch side {
	case "nato":
		return "NATO"
	case "g7":
		return "G7"
	}
	words := strings.Split(side, "-")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// CategoryLabel names a demand category.
func CategoryLabel(c parley.Category) string {
	switch c {
	case "sanctions-economy":
		return "Sanctions & economy"
	}
	return SideLabel(string(c))
}

// TrendLabel says how a gap moved over the year.
func TrendLabel(g GapRow) string {
	switch g.Trend {
	case "narrowing":
		return fmt.Sprintf("narrowing (was %d)", g.Previous)
	case "widening":
		return fmt.Sprintf("widening (was %d)", g.Previous)
	case "new":
		return "new this year"
	case "":
		return "—"
	}
	return "steady"
}

// Corroboration says how many sources report a statement.
func Corroboration(n int) string {
	if n == 1 {
		return "One source reports it."
	}
	return count(n) + " sources report it."
}

// ConditionsText writes a position's conditions in plain words: "only if
// Ukraine supports Withdrawal … and Ukraine supports Neutrality".
func ConditionsText(cs []parley.Condition) string {
	var b strings.Builder
	b.WriteString("only if ")
	for i, c := range cs {
		if i > 0 {
			b.WriteString(" and ")
		}
		title := c.DemandTitle
		if title == "" {
			title = c.Demand
		}
		b.WriteString(SideLabel(c.Side) + " " + string(c.Stance) + " “" + title + "”")
	}
	return b.String()
}

// titleOf is the title of the demand with slug, or the slug when titles
// lack it.
func titleOf(titles map[string]string, slug string) string {
	if t, ok := titles[slug]; ok {
		return t
	}
	return slug
}

// RoleLabel says what a side's role means for its positions.
func RoleLabel(r parley.SideRole) string {
	switch r {
	case parley.Party:
		return "party"
	case parley.Stakeholder:
		return "stakeholder"
	case parley.Observer:
		return "observer: not counted in positions"
	}
	return ""
}

// RolePlural names the sides of a role as a heading.
func RolePlural(r parley.SideRole) string {
	switch r {
	case parley.Party:
		return "Parties"
	case parley.Stakeholder:
		return "Stakeholders"
	case parley.Observer:
		return "Observers"
	}
	return string(r)
}

// AttributionLabel names an attribution in words.
func AttributionLabel(a parley.Attribution) string {
	switch a {
	case parley.OnRecord:
		return "on the record"
	case parley.Spokesperson:
		return "through a spokesperson"
	case parley.Anonymous:
		return "anonymous sources"
	case parley.Reported:
		return "reported"
	}
	return string(a)
}

// Marked splits text with search-match markers into plain and matched runs.
func Marked(text string) []Run {
	var runs []Run
	for text != "" {
		i := strings.Index(text, parley.MarkStart)
		if i < 0 {
			runs = append(runs, Run{Text: text})
			break
		}
		if i > 0 {
			runs = append(runs, Run{Text: text[:i]})
		}
		text = text[i+len(parley.MarkStart):]
		j := strings.Index(text, parley.MarkEnd)
		if j < 0 {
			runs = append(runs, Run{Text: text, Match: true})
			break
		}
		runs = append(runs, Run{Text: text[:j], Match: true})
		text = text[j+len(parley.MarkEnd):]
	}
	return runs
}

// Run is a stretch of text, matched by the search or not.
type Run struct {
	Text  string
	Match bool
}

func stanceOptions() []Option {
	var out []Option
	for _, s := range parley.Stances {
		out = append(out, Option{Value: string(s), Label: StanceSymbol(s) + " " + string(s)})
	}
	return out
}

func attributionOptions() []Option {
	var out []Option
	for _, a := range parley.Attributions {
		out = append(out, Option{Value: string(a), Label: AttributionLabel(a)})
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return count(n) + " " + word + "s"
}

// roughly rounds an estimate to two significant digits: 373,397 → 370,000.
func roughly(n int) int {
	p := 1
	for n/p >= 100 {
		p *= 10
	}
	return (n + p/2) / p * p
}

// count writes n with thousands separators: 691,667.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// FacetURL narrows the current filters (base) by one facet value. A year
// becomes a from/to range.
func FacetURL(base url.Values, param, value string) string {
	q := url.Values{}
	for k, v := range base {
		q[k] = v
	}
	q.Del("page")
	if param == "year" {
		q.Set("from", value+"-01-01")
		q.Set("to", value+"-12-31")
	} else {
		q.Set(param, value)
	}
	return parley.KindStatement.Index() + "?" + q.Encode()
}

// RevisionAction names what a revision did.
func RevisionAction(a string) string {
	switch a {
	case "create":
		return "created"
	case "update":
		return "edited"
	case "delete":
		return "deleted"
	case "restore":
		return "restored"
	case "seed":
		return "loaded from the seed dataset"
	case "import":
		return "imported"
	}
	return a
}

func itoa(n int) string { return strconv.Itoa(n) }

func precisionOptions() []Option {
	var out []Option
	for _, p := range parley.Precisions {
		out = append(out, Option{Value: string(p), Label: string(p)})
	}
	return out
}

func recordTypeOptions() []Option {
	var out []Option
	for _, k := range parley.Kinds {
		out = append(out, Option{Value: string(k), Label: k.Plural()})
	}
	return out
}

// HistoryURL is the history page of the record of kind k with id, whose
// revision's snapshot is data (which holds the slug of slug-addressed
// kinds).
func HistoryURL(k parley.Kind, id int64, data []byte) string {
	if !k.BySlug() {
		return k.Path(strconv.FormatInt(id, 10)) + "/history"
	}
	var rec struct {
		Slug string `json:"slug"`
	}
	_ = json.Unmarshal(data, &rec)
	return k.Path(rec.Slug) + "/history"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// count64 writes n with thousands separators.
func count64(n int64) string {
	if n <= int64(^uint(0)>>1) {
		return count(int(n))
	}
	return strconv.FormatInt(n, 10)
}

func packagesWord(n int64) string {
	if n == 1 {
		return "package"
	}
	return "packages"
}

// asOfQuery is "?as_of=…" for a date, or "".
func asOfQuery(asOf string) string {
	if asOf == "" {
		return ""
	}
	return "?as_of=" + asOf
}

// gapWords is a gap's value, or "not measurable".
func gapWords(g parley.Gap) string {
	if !g.Measurable {
		return "not measurable"
	}
	return strconv.Itoa(g.Value)
}

// CompareSummary counts what changed: "7 positions changed, 2 gaps narrowed".
func CompareSummary(d CompareData) string {
	narrowed, widened, other := 0, 0, 0
	for _, g := range d.Gaps {
		switch {
		case g.Before.Measurable && g.After.Measurable && g.After.Value < g.Before.Value:
			narrowed++
		case g.Before.Measurable && g.After.Measurable && g.After.Value > g.Before.Value:
			widened++
		default:
			other++
		}
	}
	parts := []string{plural(len(d.Positions), "position") + " changed", plural(len(d.Sides), "side position") + " changed"}
	if narrowed > 0 {
		parts = append(parts, plural(narrowed, "gap")+" narrowed")
	}
	if widened > 0 {
		parts = append(parts, plural(widened, "gap")+" widened")
	}
	if other > 0 {
		parts = append(parts, plural(other, "gap")+" became or stopped being measurable")
	}
	return strings.Join(parts, ", ") + "."
}

// ShortTitle shortens a demand's title for a matrix column: the part
// before a parenthesis, a colon or a slash, cut at a word to about 28
// characters. The full title stays beside it for hover, focus and
// screen readers.
func ShortTitle(title string) string {
	short := title
	for _, sep := range []string{" (", ": ", " / ", ", "} {
		if i := strings.Index(short, sep); i > 0 {
			short = short[:i]
		}
	}
	const max = 28
	if r := []rune(short); len(r) > max {
		cut := string(r[:max])
		if i := strings.LastIndex(cut, " "); i > max/2 {
			cut = cut[:i]
		}
		short = strings.TrimRight(cut, " ,;-–") + "…"
	} else if short != title {
		short += "…"
	}
	return short
}
