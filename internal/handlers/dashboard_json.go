package handlers

import (
	"encoding/json"
	"net/http"
	"time"

	"parley"
)

// dashboardJSON is GET /dashboard.json (DESIGN.md): the dashboard as data.
type dashboardJSON struct {
	AsOf   string           `json:"as_of"`
	Matrix []matrixCellJSON `json:"matrix"`
	Gaps   []gapJSON        `json:"gaps"`
	Shifts []shiftJSON      `json:"shifts"`
}

type matrixCellJSON struct {
	Actor         string           `json:"actor"`
	Demand        string           `json:"demand"`
	Stance        parley.Stance    `json:"stance"`
	Date          string           `json:"date"`
	DatePrecision parley.Precision `json:"date_precision"`
	Statements    []int64          `json:"statements"`
	Via           *string          `json:"via"` // the converse's slug when mirrored, else null
}

type gapJSON struct {
	Demand       string        `json:"demand"`
	Value        *int          `json:"value"` // null when fewer than two parties hold a position
	Parties      []sideGapJSON `json:"parties"`
	Stakeholders []sideGapJSON `json:"stakeholders"`
}

// sideGapJSON's date is written to its precision: 2024-06-14, 2024-06 or
// 2024, never more precisely than it is known.
type sideGapJSON struct {
	Side   string        `json:"side"`
	Stance parley.Stance `json:"stance"`
	Date   string        `json:"date"`
	Via    *string       `json:"via"`
}

type shiftJSON struct {
	Actor     string        `json:"actor"`
	Demand    string        `json:"demand"`
	From      parley.Stance `json:"from"`
	To        parley.Stance `json:"to"`
	Date      string        `json:"date"` // to its precision, as sideGapJSON's
	Statement int64         `json:"statement"`
}

// handleDashboardJSON answers the dashboard as of today or ?as_of as JSON:
// the matrix's cells, the gaps (value null when not measurable) and the
// recent shifts.
func handleDashboardJSON(st homeStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		asOf, err := parseAsOf(r, "The dashboard")
		if err != nil {
			return err
		}
		db, err := loadDashboard(r.Context(), st, asOf, false)
		if err != nil {
			return err
		}
		day := asOf
		if day.IsZero() {
			day = time.Now().UTC()
		}
		out := dashboardJSON{AsOf: day.Format("2006-01-02"), Matrix: []matrixCellJSON{}, Gaps: []gapJSON{}, Shifts: []shiftJSON{}}
		shown := map[string]bool{}
		for _, a := range db.actors {
			shown[a.Slug] = true
		}
		for _, c := range db.current {
			if !shown[c.ActorSlug] {
				continue
			}
			out.Matrix = append(out.Matrix, matrixCellJSON{Actor: c.ActorSlug, Demand: c.DemandSlug, Stance: c.Stance,
				Date: c.Date.ISO(), DatePrecision: c.Date.Precision, Statements: []int64{c.StatementID}, Via: orNull(c.Via)})
		}
		for _, g := range buildGaps(db.demands, db.now, db.yearAgo) {
			x := gapJSON{Demand: g.Demand.Slug, Parties: sideGaps(g.Gap.Parties), Stakeholders: sideGaps(g.Gap.Stakeholders)}
			if g.Gap.Measurable {
				v := g.Gap.Value
				x.Value = &v
			}
			out.Gaps = append(out.Gaps, x)
		}
		for _, s := range db.shifts {
			out.Shifts = append(out.Shifts, shiftJSON{Actor: s.ActorSlug, Demand: s.DemandSlug, From: s.From, To: s.To,
				Date: s.Date.Input(), Statement: s.StatementID})
		}
		return writeJSONDoc(w, out)
	}
}

func sideGaps(ps []parley.SidePosition) []sideGapJSON {
	out := make([]sideGapJSON, len(ps))
	for i, p := range ps {
		out[i] = sideGapJSON{Side: p.Side, Stance: p.Stance, Date: p.Date.Input(), Via: orNull(p.Via)}
	}
	return out
}

// writeJSONDoc writes v as an indented JSON document, encoded whole before
// anything is sent (a failure never leaves half a document).
func writeJSONDoc(w http.ResponseWriter, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(append(b, '\n'))
	return err
}

// orNull is s, or nil (JSON null) when s is empty.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
