package views

import (
	"net/url"
	"parley"
	"strconv"
)

// DemandRef names a demand in a column header or link.
type DemandRef struct {
	Slug, Title string
	Category    parley.Category
}

// MatrixCell is one actor's current stance on one demand ("" when the
// actor has taken none).
type MatrixCell struct {
	Demand string
	Stance parley.Stance
	Date   parley.Date
	Link   string // the statements behind the cell
	// Via is the converse demand's title when the actor left this demand
	// empty and its stance is read, mirrored, from the converse.
	Via string
	// Conditional: the stance holds only on conditions.
	Conditional bool
}

// MatrixRow is one actor's row of the position matrix.
type MatrixRow struct {
	ActorSlug, ActorName string
	Cells                []MatrixCell
}

// MatrixSide groups the rows of one side.
type MatrixSide struct {
	Side string
	Role parley.SideRole
	Rows []MatrixRow
}

// MatrixCategory groups the demand columns of one category.
type MatrixCategory struct {
	Category parley.Category
	Demands  []DemandRef
}

// Matrix is actors (grouped by side) × demands (grouped by category).
type Matrix struct {
	Categories []MatrixCategory
	Sides      []MatrixSide
	// Rows shows the most active actors only: Shown of Total with positions.
	Shown, Total int
	// All: stakeholders' and observers' actors are shown too; without it
	// the matrix holds the parties' actors and Hidden counts the others.
	All    bool
	Hidden int
}

// ToggleURL is the dashboard as of asOf (YYYY-MM-DD or "") with every
// side's actors in the matrix (all) or the parties' only.
func (m Matrix) ToggleURL(all bool, asOf string) string {
	q := url.Values{}
	if asOf != "" {
		q.Set("as_of", asOf)
	}
	if all {
		q.Set("all", "1")
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

// GapRow is the gap on one demand now and a year earlier.
type GapRow struct {
	Demand   DemandRef
	Gap      parley.Gap
	Previous int    // gap a year before; -1 when it was not measurable
	Trend    string // narrowing, widening, steady, new, or "" when not measurable now
	Plot     DotPlot
}

// HomeData is the dashboard's view model.
type HomeData struct {
	AsOf      string // YYYY-MM-DD, or "" for today
	AsOfLabel string
	Matrix    Matrix
	Gaps      []GapRow
	Shifts    []parley.Shift
	Latest    []parley.Statement
	Titles    map[string]string // demand titles by slug, for "via" marks
	CompareTo string            // the day "compare with…" compares to: as of, or today
}

// Option is a choice in a select.
type Option struct {
	Value, Label string
}

// FilterForm is the statements filter form, with the current values.
type FilterForm struct {
	Action                                                  string
	Query, Actor, Side, Demand, Region, Stance, Attribution string
	From, To, AsOf, Sort                                    string
	Actors, Sides, Demands, Regions                         []Option
	ShowRegion, ShowQuery                                   bool
	// MoreActors: Actors holds the most active only; others are
	// filtered from their own page.
	MoreActors bool
}

// Pager links the pages of a result.
type Pager struct {
	Page, Pages, Total, From, To int
	Estimated                    bool       // Total and Pages are estimates
	Base                         url.Values // the filters, without page
	Path                         string
}

// PageURL is the address of page n of the result.
func (p Pager) PageURL(n int) string {
	q := url.Values{}
	for k, v := range p.Base {
		q[k] = v
	}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return p.Path
	}
	return p.Path + "?" + q.Encode()
}

// StatementsData is the search page's view model.
type StatementsData struct {
	Form       FilterForm
	Statements []parley.Statement
	Facets     parley.Facets
	FacetBase  url.Values
	Pager      Pager
	ExportURL  string
	ExcelURL   string
	ExportRows int
	// Estimated: the counts are estimates and the facets cover the newest
	// store.SearchSample statements (see store.StatementPage).
	Estimated bool
	// RankedSample: sorted by relevance, a broad search ranks its newest
	// store.SearchSample matches only.
	RankedSample bool
}

// StatementData is one statement's page.
type StatementData struct {
	Statement parley.Statement
	Revisions []RevisionView
}

// ActorData is one actor's page.
type ActorData struct {
	Revisions  []RevisionView
	Actor      parley.Actor
	Positions  []ActorPosition
	Statements []parley.Statement
}

// ActorPosition is an actor's current stance on a demand with its history.
type ActorPosition struct {
	Demand  DemandRef
	Current parley.CurrentPosition
	Chart   StanceChart
}

// ActorsData is the actors index.
type ActorsData struct {
	Sides []ActorSide
}

// ActorSide groups actors of one side.
type ActorSide struct {
	Side   string
	Role   parley.SideRole
	Actors []parley.Actor
}

// DemandsData is the demands index.
type DemandsData struct {
	Categories []DemandCategory
}

// DemandCategory groups demands of one category, each with its gap.
type DemandCategory struct {
	Category parley.Category
	Demands  []DemandSummary
}

// DemandSummary is a demand with its current gap.
type DemandSummary struct {
	Demand parley.Demand
	Gap    parley.Gap
}

// DemandData is one demand's page.
type DemandData struct {
	Titles       map[string]string // demand titles by slug, for "via" marks
	Revisions    []RevisionView
	Demand       parley.Demand
	Gap          parley.Gap
	Sides        []DemandSide
	GapChart     LineChart
	GapPlot      DotPlot
	GapPlotTitle string
	GapSVGURL    string // the dot plot on its own, to embed
	Site         string // the site's public address, for the embed snippet
	Statements   []parley.Statement
}

// DemandSide is the current stances of one side's actors on a demand.
type DemandSide struct {
	Side      string
	Role      parley.SideRole
	Positions []parley.CurrentPosition
}

// RegionsData is the regions index.
type RegionsData struct {
	Regions []parley.Region
}

// RegionData is a region's timeline page.
type RegionData struct {
	Revisions  []RevisionView
	Region     parley.Region
	Form       FilterForm
	Statements []parley.Statement
	Pager      Pager
	Chart      BarChart
	ChartTitle string
	ChartURL   string // the chart on its own (with these filters), to embed
	Site       string // the site's public address, for the embed snippet
	Rows       int    // rows the CSV export will hold
	CSVURL     string
	ExcelURL   string
	JSONURL    string
	FeedURL    string
}

// SidesData is the sides index.
type SidesData struct {
	Sides []parley.Side
}

// SideData is one side's page.
type SideData struct {
	Side   parley.Side
	Actors []parley.Actor
}

// BargainingData is the bargaining space page's view model.
type BargainingData struct {
	AsOf, AsOfLabel string
	Space           parley.BargainingSpace
	Parties         []string
	Rows            []BargainingRow
	Titles          map[string]string             // demand titles by slug
	Statements      map[int64]parley.Statement    // behind the blocking sets
	Chart           BargainingChart               // month by month
	Refs            map[int64]parley.StatementRef // the chart's moves
}

// BargainingRow is one demand in play with each party's position.
type BargainingRow struct {
	Demand string
	Cells  []BargainingCell
}

// BargainingCell is one party's position on a demand, nil when the party
// is silent on it (which constrains nothing).
type BargainingCell struct {
	Side     string
	Position *parley.PartyPosition
}

// SideChange is a side's position on a demand that differs between two
// dates (From empty: none at the first).
type SideChange struct {
	Demand, Side string
	Role         parley.SideRole
	From, To     parley.Stance
	Via          string
	StatementID  int64
	Date         parley.Date
}

// GapChange is a gap that differs between two dates.
type GapChange struct {
	Demand        string
	Before, After parley.Gap
	Statements    []int64 // the parties' statements that moved it
}

// CompareData is the compare page's view model.
type CompareData struct {
	From, To, FromLabel, ToLabel string
	Positions                    []parley.PositionChange
	Sides                        []SideChange
	Gaps                         []GapChange
	Titles                       map[string]string
	// Actors is how many actors' cells were compared (the dashboard
	// matrix's), OtherActors how many more the matrix leaves out.
	Actors, OtherActors int
}
