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
	Source      *Source     `json:"source,omitempty"`
	Regions     []RegionRef `json:"regions"`
	Positions   []Position  `json:"positions"`
	Version     int         `json:"version"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
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

// Position is a statement's stance on one demand.
type Position struct {
	Demand      string `json:"demand"` // slug
	DemandTitle string `json:"demand_title"`
	Stance      Stance `json:"stance"`
}

// PositionInput is one (demand slug, stance) pair of a StatementInput.
type PositionInput struct {
	Demand string
	Stance Stance
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
	SourceID    int64 // 0: no source
	Regions     []string
	Positions   []PositionInput
	SeedKey     string // seed dataset key, or empty
	// IdempotencyKey (a UUID from the form) makes a resubmitted form return
	// the statement the first submission created instead of a second one.
	IdempotencyKey string
	// NewSource, when set, is created with the statement (SourceID unused).
	NewSource *SourceInput
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
	}
	if in.IdempotencyKey != "" && !ValidUUID(in.IdempotencyKey) {
		p.Add("form", "This form is out of date. Reload the page and enter the statement again.")
	}
	if len(in.Positions) == 0 && len(in.Regions) == 0 {
		p.Add("positions", "Add at least one position (demand and stance) or one region.")
	}
	return p.Err()
}
