package handlers

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"parley"

	"github.com/go-chi/chi/v5/middleware"
)

// jsonStatement is one statement of a JSON export: typed fields, nothing
// neutralised (programs read it, not spreadsheets).
type jsonStatement struct {
	ID            int64              `json:"id"`
	Date          string             `json:"date"`
	DatePrecision parley.Precision   `json:"date_precision"`
	Actor         jsonActor          `json:"actor"`
	Positions     []jsonPosition     `json:"positions"`
	Quote         string             `json:"quote"`
	Summary       string             `json:"summary"`
	Regions       []string           `json:"regions"`
	Occasion      string             `json:"occasion"`
	Attribution   parley.Attribution `json:"attribution"`
	Source        *jsonSource        `json:"source"`
	ReportCount   int                `json:"report_count"`
	URL           string             `json:"url"`
}

type jsonActor struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
	Side string `json:"side"`
}

type jsonPosition struct {
	Demand     string             `json:"demand"`
	Stance     parley.Stance      `json:"stance"`
	Score      int                `json:"score"`
	Conditions []parley.Condition `json:"conditions"`
}

type jsonSource struct {
	Outlet             string           `json:"outlet"`
	Title              string           `json:"title"`
	URL                string           `json:"url"`
	Published          *string          `json:"published"`
	PublishedPrecision parley.Precision `json:"published_precision,omitempty"`
}

// writeJSON streams {"statements": [...]} one statement at a time, oldest
// first; like the CSV, a failure mid-stream aborts the connection.
func writeJSON(log *slog.Logger, site siteURL, w http.ResponseWriter, out *exportPace, r *http.Request, st exportStore, f parley.StatementFilter, _ string) error {
	base := site(r)
	enc := json.NewEncoder(out)
	started := false
	n := 0
	var cur *jsonStatement
	emit := func() error {
		if cur == nil {
			return nil
		}
		if !started {
			started = true
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			if _, err := out.Write([]byte(`{"statements":[` + "\n")); err != nil {
				return err
			}
		} else if _, err := out.Write([]byte(",")); err != nil {
			return err
		}
		n++
		if err := enc.Encode(cur); err != nil {
			return err
		}
		if n%256 == 0 {
			return out.Flush()
		}
		return nil
	}
	err := st.ExportStatements(r.Context(), f, func(x parley.ExportRow) error {
		if cur == nil || cur.ID != x.StatementID {
			if err := emit(); err != nil {
				return err
			}
			cur = &jsonStatement{ID: x.StatementID, Date: x.Date.ISO(), DatePrecision: x.Date.Precision,
				Actor: jsonActor{Name: x.Actor, Slug: x.ActorSlug, Side: x.ActorSide}, Positions: []jsonPosition{},
				Quote: x.Quote, Summary: x.Summary, Regions: x.Regions, Occasion: x.Occasion, Attribution: x.Attribution,
				URL: base + parley.StatementPath(x.StatementID), ReportCount: x.ReportCount}
			if cur.Regions == nil {
				cur.Regions = []string{}
			}
			if x.SourceOutlet != "" {
				src := &jsonSource{Outlet: x.SourceOutlet, Title: x.SourceTitle, URL: x.SourceURL}
				if !x.SourcePublished.Time.IsZero() {
					d := x.SourcePublished.ISO()
					src.Published, src.PublishedPrecision = &d, x.SourcePublished.Precision
				}
				cur.Source = src
			}
		}
		if x.Demand != "" {
			cs := x.Conditions
			if cs == nil {
				cs = []parley.Condition{}
			}
			cur.Positions = append(cur.Positions, jsonPosition{Demand: x.Demand, Stance: x.Stance, Score: x.Stance.Score(), Conditions: cs})
		}
		return nil
	})
	if err == nil {
		err = emit()
	}
	if err == nil {
		if !started {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, err = out.Write([]byte(`{"statements":[]}` + "\n"))
		} else {
			_, err = out.Write([]byte("]}\n"))
		}
	}
	if err != nil && started {
		if r.Context().Err() == nil {
			log.ErrorContext(r.Context(), "export aborted", "request_id", middleware.GetReqID(r.Context()), "path", r.URL.Path, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	return err
}
