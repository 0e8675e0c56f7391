package views

import "parley"

// PositionRow is one (demand, stance) row of the statement form.
type PositionRow struct {
	Demand, Stance, Error string
}

// ReportRow is one more report of the statement: a source and the quote
// as it gives it.
type ReportRow struct {
	Source, Quote, Error string
}

// ConditionRow is one condition of a position: the position's demand (Of)
// holds only if Side takes Stance on Demand.
type ConditionRow struct {
	Of, Side, Demand, Stance, Error string
}

// StatementForm is the new/edit statement form: what the editor typed, the
// choices, and what is wrong.
type StatementForm struct {
	Action, Heading, Submit string
	Version                 int    // edit: the version the editor started from
	IdemKey                 string // new: makes a resubmission create nothing
	Actor, Date, Precision  string
	Quote, Summary          string
	Occasion, Attribution   string
	SourceID                string
	SourceQuote             string // the quote as that source gives it
	NewSource               SourceFields
	Reports                 []ReportRow
	Conditions              []ConditionRow
	Sides                   []Option
	Regions                 map[string]bool
	Positions               []PositionRow
	Errors                  map[string]string
	Demands, RegionOpts     []Option
	// ActorLabel names the actor the field resolved to ("Vladimir Putin
	// (Russia)"), shown beside it.
	ActorLabel string
	// ActorPicks and SourcePicks are the matches of an ambiguous actor or
	// source entry, to choose from.
	ActorPicks, SourcePicks []Option
	// Duplicates are existing statements that look like this one; the
	// editor confirms before saving.
	Duplicates []parley.Statement
	// Conflict is the version another editor saved meanwhile.
	Conflict *parley.Statement
}

// SourceFields are a source's form fields.
type SourceFields struct {
	Outlet, Title, URL, Published, Via string
}

// F builds the Field named name from the form's values and errors.
func (f StatementForm) F(name, label, value, hint string) Field {
	return Field{Name: name, Label: label, Value: value, Error: f.Errors[name], Hint: hint}
}

// statementActorHint is the actor field's help: whom it names now, and what it takes.
func statementActorHint(label string) string {
	const how = "A name, alias or slug; matches are suggested as you type."
	if label == "" {
		return how
	}
	return label + ". " + how
}
