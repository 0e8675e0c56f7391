package parley

// ExportRow is one (statement, position) row of an export; a statement
// without positions gives one row with empty Demand and Stance.
type ExportRow struct {
	StatementID     int64
	Date            Date
	Actor           string
	ActorSlug       string
	ActorSide       string
	Demand          string
	Stance          Stance
	Quote           string
	Summary         string
	Regions         []string
	Occasion        string
	Attribution     Attribution
	SourceOutlet    string
	SourceTitle     string
	SourceURL       string
	SourcePublished Date
	ReportCount     int         // how many sources report the statement
	Conditions      []Condition // the position's conditions
}
