package parley

import "time"

// StatementFilter selects statements. Zero fields do not filter. Every
// field is passed to SQL as a parameter; Sort picks one of fixed orders.
type StatementFilter struct {
	Query       string // web-search syntax: words, "phrases", -exclusions, or
	Actor       string // actor slug
	Side        string // actor's side
	Demand      string // demand slug: statements taking a position on it
	Stance      Stance // statements taking this stance (on Demand, if set)
	Region      string // region slug: the region timeline (see DESIGN.md)
	Attribution Attribution
	SourceID    int64
	From, To    time.Time // inclusive dates
	AsOf        time.Time // as it stood on that day: nothing dated later
	Sort        string    // "date" (newest first, default), "oldest", "relevance"
	Limit       int       // default 50
	Offset      int
}

// Sorts are the orders StatementFilter.Sort accepts.
var Sorts = []string{"date", "oldest", "relevance"}

// StatementPage is one page of a search, with the total and facets over
// the whole result. A broad result (more than SearchSample statements) is
// Estimated: Total and Rows are then the planner's estimates and the facets
// count the newest SearchSample statements only; counting a few hundred
// thousand matches exactly would cost the page a quarter of a second.
type StatementPage struct {
	Statements []Statement
	Total      int
	Rows       int // export rows: one per (statement, position)
	Estimated  bool
	Facets     Facets
}

// SearchSample is how many matches a search counts exactly.
const SearchSample = 500

// Facet is a count of matching statements sharing one value.
type Facet struct {
	Value, Label string
	Count        int
}

// Facets break a result down by side, demand and year.
type Facets struct {
	Sides, Demands, Years []Facet
}

// Highlight markers around matched words in Statement.SummaryMarked and
// QuoteMarked: private-use characters that never occur in real text, so
// views can turn them into <mark> elements after escaping.
const (
	MarkStart = "\uE000"
	MarkEnd   = "\uE001"
)

// StanceCount counts positions of one stance in one year ("none" counts
// statements without positions).
type StanceCount struct {
	Year   int
	Stance string
	Count  int
}

// Until is the last day f admits: To, or AsOf when that is earlier (zero
// when neither is set).
func (f StatementFilter) Until() time.Time {
	if !f.AsOf.IsZero() && (f.To.IsZero() || f.AsOf.Before(f.To)) {
		return f.AsOf
	}
	return f.To
}
