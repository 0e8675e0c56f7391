package views

import "parley"

// IntakeArticle is the intake form's article fields as the editor typed
// them.
type IntakeArticle struct {
	Text, Outlet, Title, URL, Published, Precision, Via string
}

// IntakeSegment is a piece of the pasted text: plain, or a finding (Kind:
// actor, unknown, date, region, demand) with a Label saying what it is.
type IntakeSegment struct {
	Text, Kind, Label string
	InQuote, Break    bool
}

// IntakePosition is a draft's stance on a demand it mentions; Guess marks a
// stance read from an unambiguous verb, for the editor to confirm.
type IntakePosition struct {
	Demand, Title, Stance string
	Guess                 bool
}

// IntakeDraft is one draft statement as the editor corrects it.
type IntakeDraft struct {
	Index                              int
	Keep                               bool
	Key                                string // idempotency key: saving twice creates nothing twice
	Actor, ActorText, Attribution      string
	Date, Precision, DateText          string
	Quote, Summary, Occasion, Sentence string
	Regions                            map[string]bool
	Positions                          []IntakePosition
	Match                              *parley.Statement // a statement already recorded that this may be
	ReportOf                           bool              // add the article as another report of Match
	Errors                             map[string]string
}

// IntakeData is the intake page: the form, and after analysis the marked
// text and the drafts.
type IntakeData struct {
	Article  IntakeArticle
	Errors   map[string]string
	Analysed bool
	Segments []IntakeSegment
	Unknown  []string
	Quotes   int
	Drafts   []IntakeDraft
	Regions  []Option
	Stances  []Option
}

// F builds the article field named name.
func (d IntakeData) F(name, label, value, hint string) Field {
	return Field{Name: name, Label: label, Value: value, Error: d.Errors[name], Hint: hint}
}

// F builds the field name of draft dr (named d<index>.<name> in the form).
func (dr IntakeDraft) F(name, label, value, hint string) Field {
	n := "d" + itoa(dr.Index) + "." + name
	return Field{Name: n, ID: "f-d" + itoa(dr.Index) + "-" + name, Label: label, Value: value, Error: dr.Errors[name], Hint: hint}
}
