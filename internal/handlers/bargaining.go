package handlers

import (
	"context"
	"net/http"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"parley"
	"parley/views"
)

type bargainingStore interface {
	PartyStances(ctx context.Context, asOf time.Time) ([]parley.SideStance, error)
	ListSides(ctx context.Context) ([]parley.Side, error)
	ListDemands(ctx context.Context) ([]parley.Demand, error)
	StatementsByID(ctx context.Context, ids []int64) ([]parley.Statement, error)
	ConditionsOf(ctx context.Context, ids []int64) (map[int64]map[string][]parley.Condition, error)
	BargainingMonths(ctx context.Context, until time.Time) ([]parley.BargainingPoint, error)
	StatementRefs(ctx context.Context, ids []int64) ([]parley.StatementRef, error)
}

// bargaining is the bargaining space as of a day, with what the page and
// its JSON twin show beside it.
type bargaining struct {
	asOf      time.Time
	parties   []string
	space     parley.BargainingSpace
	positions map[string][]parley.PartyPosition // by demand: the parties' positions
	demands   map[string]parley.Demand
	input     parley.BargainingInput
	// statements behind the blocking sets' positions, by id
	statements map[int64]parley.Statement
}

// loadBargaining computes the bargaining space as of asOf (zero: today)
// from the parties' side positions.
func loadBargaining(ctx context.Context, st bargainingStore, asOf time.Time) (bargaining, error) {
	b := bargaining{asOf: asOf, positions: map[string][]parley.PartyPosition{}, demands: map[string]parley.Demand{}}
	var (
		sides   []parley.Side
		stances []parley.SideStance
		demands []parley.Demand
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { sides, err = st.ListSides(gctx); return err })
	g.Go(func() (err error) { stances, err = st.PartyStances(gctx, asOf); return err })
	g.Go(func() (err error) { demands, err = st.ListDemands(gctx); return err })
	if err := g.Wait(); err != nil {
		return b, err
	}
	var behind []int64
	for _, s := range stances {
		if s.Role == parley.Party {
			behind = append(behind, s.StatementID)
		}
	}
	conds, err := st.ConditionsOf(ctx, behind)
	if err != nil {
		return b, err
	}
	for _, d := range demands {
		b.demands[d.Slug] = d
	}
	in := parley.PartyInput(sides, demands, stances, conds)
	b.input, b.parties = in, in.Parties
	for _, p := range in.Positions {
		b.positions[p.Demand] = append(b.positions[p.Demand], p)
	}
	b.space = parley.Bargain(in)
	var ids []int64
	for _, blk := range b.space.Blocking {
		for _, p := range blk.Positions {
			ids = append(ids, p.Statements...)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	b.statements = map[int64]parley.Statement{}
	if len(ids) > 0 {
		list, err := st.StatementsByID(ctx, ids)
		if err != nil {
			return b, err
		}
		for _, s := range list {
			b.statements[s.ID] = s
		}
	}
	return b, nil
}

// handleBargaining renders the bargaining space as of today or ?as_of.
func handleBargaining(st bargainingStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		asOf, err := parseAsOf(r, "The bargaining space")
		if err != nil {
			return err
		}
		// Month by month up to the page's day, which is the last point,
		// read beside the space as of that day.
		day := time.Now().UTC().Truncate(24 * time.Hour)
		if !asOf.IsZero() && asOf.Before(day) {
			day = asOf
		}
		var (
			b      bargaining
			points []parley.BargainingPoint
		)
		g, gctx := errgroup.WithContext(r.Context())
		g.Go(func() (err error) { b, err = loadBargaining(gctx, st, asOf); return err })
		g.Go(func() (err error) { points, err = st.BargainingMonths(gctx, day); return err })
		if err := g.Wait(); err != nil {
			return err
		}
		live := parley.PointOf(day, b.input, b.space)
		var before []parley.PartyPosition
		if len(points) > 0 {
			before = points[len(points)-1].Positions
		}
		live.Moved = parley.MovesBetween(before, live.Positions)
		points = append(points, live)
		chart := views.NewBargainingChart(points)
		var ids []int64
		for _, row := range chart.Rows {
			ids = append(ids, row.Statements...)
		}
		refs := map[int64]parley.StatementRef{}
		if len(ids) > 0 {
			list, err := st.StatementRefs(r.Context(), ids)
			if err != nil {
				return err
			}
			for _, s := range list {
				refs[s.ID] = s
			}
		}
		d := views.BargainingData{Space: b.space, Parties: b.parties, Statements: b.statements, Titles: map[string]string{}, Chart: chart, Refs: refs}
		if !asOf.IsZero() {
			d.AsOf = asOf.Format("2006-01-02")
			d.AsOfLabel = parley.Date{Time: asOf, Precision: parley.Day}.String()
		}
		for slug, dm := range b.demands {
			d.Titles[slug] = dm.Title
		}
		for _, slug := range b.space.Demands {
			row := views.BargainingRow{Demand: slug}
			for _, party := range b.parties {
				cell := views.BargainingCell{Side: party}
				for _, p := range b.positions[slug] {
					if p.Side == party {
						cell.Position = &p
					}
				}
				row.Cells = append(row.Cells, cell)
			}
			d.Rows = append(d.Rows, row)
		}
		return render(w, r, views.BargainingPage(page(r, "Bargaining space"), d))
	}
}

// The JSON of GET /bargaining.json (DESIGN.md).
type bargainingJSON struct {
	AsOf     string                 `json:"as_of"`
	Parties  []string               `json:"parties"`
	Demands  []bargainingDemandJSON `json:"demands"`
	Feasible bool                   `json:"feasible"`
	Packages int64                  `json:"packages"`
	Best     []packageJSON          `json:"best"`
	Blocking []blockJSON            `json:"blocking"`
}

type bargainingDemandJSON struct {
	Demand    string                   `json:"demand"`
	Positions []bargainingPositionJSON `json:"positions"`
}

type bargainingPositionJSON struct {
	Side       string             `json:"side"`
	Stance     parley.Stance      `json:"stance"`
	Via        *string            `json:"via"`
	Conditions []parley.Condition `json:"conditions"`
	Statements []int64            `json:"statements"`
}

type packageJSON struct {
	Demands []string       `json:"demands"`
	Cost    int            `json:"cost"`
	Costs   map[string]int `json:"costs"`
}

type blockJSON struct {
	Demands   []string            `json:"demands"`
	Positions []blockPositionJSON `json:"positions"`
}

type blockPositionJSON struct {
	Side       string        `json:"side"`
	Demand     string        `json:"demand"`
	Stance     parley.Stance `json:"stance"`
	Statements []int64       `json:"statements"`
}

// handleBargainingJSON answers the bargaining space as data.
func handleBargainingJSON(st bargainingStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		asOf, err := parseAsOf(r, "The bargaining space")
		if err != nil {
			return err
		}
		b, err := loadBargaining(r.Context(), st, asOf)
		if err != nil {
			return err
		}
		day := asOf
		if day.IsZero() {
			day = time.Now().UTC()
		}
		out := bargainingJSON{AsOf: day.Format("2006-01-02"), Parties: b.parties, Demands: []bargainingDemandJSON{},
			Feasible: b.space.Feasible, Packages: b.space.Packages, Best: []packageJSON{}, Blocking: []blockJSON{}}
		if out.Parties == nil {
			out.Parties = []string{}
		}
		for _, slug := range b.space.Demands {
			dj := bargainingDemandJSON{Demand: slug, Positions: []bargainingPositionJSON{}}
			for _, p := range b.positions[slug] {
				cs := p.Conditions
				if cs == nil {
					cs = []parley.Condition{}
				}
				dj.Positions = append(dj.Positions, bargainingPositionJSON{Side: p.Side, Stance: p.Stance, Via: orNull(p.Via),
					Conditions: cs, Statements: p.Statements})
			}
			out.Demands = append(out.Demands, dj)
		}
		for _, pk := range b.space.Best {
			ds := pk.Demands
			if ds == nil {
				ds = []string{}
			}
			out.Best = append(out.Best, packageJSON{Demands: ds, Cost: pk.Cost, Costs: pk.Costs})
		}
		for _, blk := range b.space.Blocking {
			bj := blockJSON{Demands: blk.Demands}
			for _, p := range blk.Positions {
				bj.Positions = append(bj.Positions, blockPositionJSON{Side: p.Side, Demand: p.Demand, Stance: p.Stance, Statements: p.Statements})
			}
			out.Blocking = append(out.Blocking, bj)
		}
		return writeJSONDoc(w, out)
	}
}
