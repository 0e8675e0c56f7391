package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"parley"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"parley/internal/export"
)

type exportStore interface {
	catalog
	GetRegion(ctx context.Context, slug string) (parley.Region, error)
	ExportStatements(ctx context.Context, f parley.StatementFilter, fn func(parley.ExportRow) error) error
}

// exportFunc writes an export of the statements f selects; name is the
// file name's stem.
// It writes the body through out, which keeps the export's pace.
type exportFunc func(log *slog.Logger, site siteURL, w http.ResponseWriter, out *exportPace, r *http.Request, st exportStore, f parley.StatementFilter, name string) error

// handleExport serves the current search (/statements.csv, .json) or, with
// byRegion, a region's timeline with the region page's filters, in the
// format write produces.
func handleExport(log *slog.Logger, site siteURL, x exportLimits, st exportStore, byRegion bool, write exportFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name, region := "statements", ""
		if byRegion {
			reg, err := st.GetRegion(r.Context(), chi.URLParam(r, "slug"))
			if err != nil {
				return err
			}
			name, region = reg.Slug+"-timeline", reg.Slug
		}
		f, err := exportFilter(r, st, region)
		if err != nil {
			return err
		}
		if byRegion {
			f.Region = region
		}
		return write(log, site, w, newExportPace(w, x.grace, x.minRate), r, st, f, name)
	}
}

// exportFilter parses the page filters plus bom; region, when set, is the
// only region the filter may name.
func exportFilter(r *http.Request, st exportStore, region string) (parley.StatementFilter, error) {
	cat, err := loadCatalog(r.Context(), st, r.URL.Query())
	if err != nil {
		return parley.StatementFilter{}, err
	}
	v := cat.vocab()
	if region != "" {
		v.regions = []string{region}
	}
	q := r.URL.Query()
	if b := q.Get("bom"); b != "" && b != "1" && b != "0" {
		return parley.StatementFilter{}, badRequest("bom: use bom=1 for a file Excel opens as UTF-8, or leave it out.")
	}
	q.Del("bom")
	q.Del("page")
	f, _, err := parseFilter(q.Encode(), v)
	if err == nil && region != "" && f.Query != "" {
		err = badRequest("q: the region timeline has no text search; export the statements search with region=" + region + " instead.")
	}
	return f, err
}

// writeCSV streams the export. Nothing is sent until the database answers,
// so a failing query still gets a proper error page; then rows are flushed
// as they come. A failure after the first byte aborts the connection, so
// the download visibly fails instead of ending short.
func writeCSV(log *slog.Logger, site siteURL, w http.ResponseWriter, out *exportPace, r *http.Request, st exportStore, f parley.StatementFilter, name string) error {
	base := site(r)
	cw := export.NewWriter(out)
	started := false
	begin := func() error {
		started = true
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+"-"+time.Now().Format("2006-01-02")+`.csv"`)
		if r.URL.Query().Get("bom") == "1" {
			if _, err := io.WriteString(out, export.BOM); err != nil {
				return err
			}
		}
		if err := cw.Write(export.Header); err != nil {
			return err
		}
		if err := cw.Flush(); err != nil {
			return err
		}
		return out.Flush()
	}
	n := 0
	row := make([]string, len(export.Header))
	err := st.ExportStatements(r.Context(), f, func(x parley.ExportRow) error {
		if !started {
			if err := begin(); err != nil {
				return err
			}
		}
		id := strconv.FormatInt(x.StatementID, 10)
		row[0], row[1], row[2] = id, x.Date.ISO(), string(x.Date.Precision)
		row[3], row[4], row[5], row[6] = x.Actor, x.ActorSide, x.Demand, string(x.Stance)
		row[7], row[8], row[9] = x.Quote, x.Summary, strings.Join(x.Regions, ";")
		row[10], row[11], row[12], row[13] = x.Occasion, string(x.Attribution), x.SourceOutlet, x.SourceTitle
		row[14], row[15], row[16] = x.SourceURL, x.SourcePublished.ISO(), base+parley.StatementPath(x.StatementID)
		row[17], row[18] = strconv.Itoa(x.ReportCount), conditionsCell(x.Conditions)
		if err := cw.Write(row); err != nil {
			return err
		}
		if n++; n%512 == 0 {
			if err := cw.Flush(); err != nil {
				return err
			}
			return out.Flush()
		}
		return nil
	})
	if err == nil && !started {
		err = begin() // no rows: the header row alone
	}
	if err == nil {
		err = cw.Flush()
	}
	if err != nil && started {
		if r.Context().Err() == nil {
			log.ErrorContext(r.Context(), "export aborted", "request_id", middleware.GetReqID(r.Context()),
				"path", r.URL.Path, "rows", n, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	return err
}

// conditionsCell writes conditions as the CSV holds them:
// side:demand:stance, joined by ";".
func conditionsCell(cs []parley.Condition) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ";")
}
