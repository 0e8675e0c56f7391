package parley

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Statement is what an actor said or was reported to have said, with the
// positions it takes.
type Statement struct {
	ID          int64       `json:"id"`
	ActorSlug   string      `json:"actor"`
	ActorName   string      `json:"actor_name"`
	ActorSide   string      `json:"actor_side"`
	Date        Date        `json:"date"`
	Quote       string      `json:"quote"`
	Summary     string      `json:"summary"`
	Occasion    string      `json:"occasion"`
	Attribution Attribution `json:"attribution"`
	// Source is the primary report's source: the earliest published.
	Source *Source `json:"source,omitempty"`
	// Reports are every source that reports the statement, earliest
	// published first, each with the quote as that source gives it.
	Reports   []Report    `json:"reports,omitempty"`
	Regions   []RegionRef `json:"regions"`
	Positions []Position  `json:"positions"`
	Version   int         `json:"version"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	// SummaryMarked and QuoteMarked hold the text with search matches
	// between MarkStart and MarkEnd (search results only).
	SummaryMarked string `json:"-"`
	QuoteMarked   string `json:"-"`
	// Resubmitted is set by CreateStatement when the idempotency key had
	// already created this statement.
	Resubmitted bool `json:"-"`
}

// RegionRef names a region a statement mentions.
type RegionRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Report is one source's report of a statement.
type Report struct {
	Source Source `json:"source"`
	Quote  string `json:"quote"` // as this source gives it; may be empty
}

// ReportInput is one report of a StatementInput.
type ReportInput struct {
	SourceID int64
	Quote    string
}

// Position is a statement's stance on one demand, holding only under its
// conditions, if it has any.
type Position struct {
	Demand      string      `json:"demand"` // slug
	DemandTitle string      `json:"demand_title"`
	Stance      Stance      `json:"stance"`
	Conditions  []Condition `json:"conditions,omitempty"`
}

// Condition says a position holds only if Side takes Stance on Demand:
// Putin supports a ceasefire if Ukraine supports the withdrawal of its
// troops from the four regions.
type Condition struct {
	Side        string `json:"side"`
	Demand      string `json:"demand"` // slug
	DemandTitle string `json:"demand_title,omitempty"`
	Stance      Stance `json:"stance"`
}

// String writes the condition as the CSV does: side:demand:stance.
func (c Condition) String() string { return c.Side + ":" + c.Demand + ":" + string(c.Stance) }

// ParseCondition reads side:demand:stance.
func ParseCondition(s string) (Condition, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) != 3 {
		return Condition{}, fmt.Errorf("%q is not a condition: write side:demand:stance, e.g. ukraine:withdrawal-four-regions:supports", s)
	}
	c := Condition{Side: parts[0], Demand: parts[1], Stance: Stance(parts[2])}
	switch {
	case !ValidSlug(c.Side):
		return c, fmt.Errorf("condition %q: %q is not a side slug", s, c.Side)
	case !ValidSlug(c.Demand):
		return c, fmt.Errorf("condition %q: %q is not a demand slug", s, c.Demand)
	case !c.Stance.Valid():
		return c, fmt.Errorf("condition %q: the stance must be one of %s", s, list(Stances))
	}
	return c, nil
}

// PositionInput is one (demand slug, stance) pair of a StatementInput,
// with its conditions.
type PositionInput struct {
	Demand     string
	Stance     Stance
	Conditions []Condition
}

// StatementInput is what an editor, an import or the seed supplies for a
// statement. Actor, Regions and Positions refer to records by slug.
type StatementInput struct {
	Actor       string
	Date        Date
	Quote       string
	Summary     string
	Occasion    string
	Attribution Attribution
	SourceID    int64 // 0: no source; the primary report, when Reports is empty
	// Reports are the sources that report the statement, each with its
	// quote. With SourceID also set, SourceID is one more report.
	Reports   []ReportInput
	Regions   []string
	Positions []PositionInput
	SeedKey   string // seed dataset key, or empty
	// IdempotencyKey (a UUID from the form) makes a resubmitted form return
	// the statement the first submission created instead of a second one.
	IdempotencyKey string
	// NewSource, when set, is created with the statement (SourceID unused).
	NewSource *SourceInput
	// SourceQuote is the quote as SourceID's (or NewSource's) source gives
	// it, when that differs from Quote.
	SourceQuote string
	// (v2) ReportOf, when set (only in a batch of drafts saved together),
	// makes the input add its source (SourceID or NewSource, with
	// SourceQuote or else Quote) as one more report of that statement
	// instead of creating a statement: the same utterance, found again in
	// another article.
	ReportOf int64
}

// InputOf is the input that stores st as it is: its reports, regions,
// positions and conditions by reference. Restoring a revision and adding a
// report to a statement start from it.
func InputOf(st Statement) StatementInput {
	in := StatementInput{Actor: st.ActorSlug, Date: st.Date, Quote: st.Quote, Summary: st.Summary,
		Occasion: st.Occasion, Attribution: st.Attribution}
	for _, rp := range st.Reports {
		in.Reports = append(in.Reports, ReportInput{SourceID: rp.Source.ID, Quote: rp.Quote})
	}
	if len(st.Reports) == 0 && st.Source != nil { // a revision from before reports
		in.SourceID = st.Source.ID
	}
	for _, r := range st.Regions {
		in.Regions = append(in.Regions, r.Slug)
	}
	for _, p := range st.Positions {
		in.Positions = append(in.Positions, PositionInput{Demand: p.Demand, Stance: p.Stance, Conditions: p.Conditions})
	}
	return in
}

// Validate checks the input against the domain's rules, in words an editor
// understands. today bounds the date (no statements from the future).
func (in StatementInput) Validate(today time.Time) error {
	p := Problems{}
	p.CheckText(map[string]string{"actor": in.Actor, "quote": in.Quote, "summary": in.Summary, "occasion": in.Occasion,
		"regions": strings.Join(in.Regions, " ")})
	for i, pos := range in.Positions {
		p.CheckText(map[string]string{fmt.Sprintf("positions.%d", i): pos.Demand + string(pos.Stance)})
	}
	if in.Actor == "" {
		p.Add("actor", "Choose who said it.")
	}
	switch {
	case in.Date.Time.IsZero():
		p.Add("date", "Enter the date it was said.")
	case !in.Date.Precision.Valid():
		p.Add("date_precision", "Choose day, month or year.")
	case !in.Date.Truncated():
		p.Add("date_precision", "A "+string(in.Date.Precision)+"-precise date must be the first day of its "+string(in.Date.Precision)+".")
	case in.Date.Time.After(today.UTC().Add(14 * time.Hour)): // today somewhere on Earth (UTC+14)
		p.Add("date", "The date is in the future.")
	case in.Date.Time.Year() < 1900:
		p.Add("date", "The date is too far in the past.")
	}
	if strings.TrimSpace(in.Summary) == "" {
		p.Add("summary", "Write a one-sentence summary.")
	} else if utf8.RuneCountInString(in.Summary) > 2000 {
		p.Add("summary", "Keep the summary under 2,000 characters.")
	}
	if utf8.RuneCountInString(in.Quote) > 10000 {
		p.Add("quote", "Keep the quote under 10,000 characters.")
	}
	if utf8.RuneCountInString(in.Occasion) > 500 {
		p.Add("occasion", "Keep the occasion under 500 characters.")
	}
	if !in.Attribution.Valid() {
		p.Add("attribution", "Choose on record, spokesperson, anonymous or reported.")
	}
	seen := map[string]bool{}
	for i, pos := range in.Positions {
		field := fmt.Sprintf("positions.%d", i)
		switch {
		case pos.Demand == "":
			p.Add(field, "Choose a demand.")
		case !pos.Stance.Valid():
			p.Add(field, "Choose a stance: insists, supports, open, opposes or rejects.")
		case seen[pos.Demand]:
			p.Add(field, "This demand is listed twice; keep one stance per demand.")
		}
		seen[pos.Demand] = true
		conds := map[[2]string]bool{}
		for j, c := range pos.Conditions {
			cf := fmt.Sprintf("conditions.%d.%d", i, j)
			p.CheckText(map[string]string{cf: c.Side + c.Demand + string(c.Stance)})
			switch {
			case c.Demand == pos.Demand:
				p.Add(cf, "A condition cannot name the demand of its own position: choose the other demand it depends on.")
			case !ValidSlug(c.Side):
				p.Add(cf, "Choose the side the condition is on.")
			case !ValidSlug(c.Demand):
				p.Add(cf, "Choose the demand the condition is on.")
			case !c.Stance.Valid():
				p.Add(cf, "Choose the stance the condition asks for: insists, supports, open, opposes or rejects.")
			case conds[[2]string{c.Side, c.Demand}]:
				p.Add(cf, "This condition is listed twice for the position.")
			}
			conds[[2]string{c.Side, c.Demand}] = true
		}
	}
	reported := map[int64]bool{}
	if in.SourceID != 0 {
		reported[in.SourceID] = true
	}
	for i, r := range in.Reports {
		rf := fmt.Sprintf("reports.%d", i)
		p.CheckText(map[string]string{rf: r.Quote})
		switch {
		case r.SourceID <= 0:
			p.Add(rf, "Choose the source of this report.")
		case reported[r.SourceID]:
			p.Add(rf, "This source already reports the statement: one report per source.")
		case utf8.RuneCountInString(r.Quote) > 10000:
			p.Add(rf, "Keep the report's quote under 10,000 characters.")
		}
		reported[r.SourceID] = true
	}
	if in.IdempotencyKey != "" && !ValidUUID(in.IdempotencyKey) {
		p.Add("form", "This form is out of date. Reload the page and enter the statement again.")
	}
	// (v2) A remark may take no position and name no region: an actor's
	// words are recorded even when they commit to nothing.
	return p.Err()
}
