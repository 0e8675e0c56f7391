package handlers

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"parley"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"parley/internal/export"
	"parley/views"
)

// maxImportBytes bounds an import file; the request may be a third larger
// (the preview carries the file base64-encoded).
const maxImportBytes = 8 << 20

const (
	// maxImportRows bounds the rows of one import: every row is validated
	// and written in one transaction.
	maxImportRows = 10000
	// maxImportProblems is how many problems the page lists; it says how
	// many more there are.
	maxImportProblems = 100
)

type importStore interface {
	Import(ctx context.Context, by parley.Editor, items []parley.ImportStatement, apply bool) (parley.ImportReport, error)
}

// handleImportForm shows the upload form.
func handleImportForm() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return render(w, r, views.ImportPage(page(r, "Import"), views.ImportData{}))
	}
}

// handleImport validates an uploaded file as a whole and shows what it
// would create (nothing written), or, confirmed, writes it all in one
// transaction.
func handleImport(sm *scs.SessionManager, st importStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		data, name, err := importUpload(r)
		if errors.Is(err, export.ErrTooLarge) {
			return renderStatus(w, r, http.StatusRequestEntityTooLarge, views.ImportPage(page(r, "Import"),
				views.ImportData{Problems: []string{"The file is larger than " + strconv.Itoa(maxImportBytes>>20) + " MB. Split it into smaller files."}}))
		}
		if err != nil {
			var he *HTTPError
			if errors.As(err, &he) {
				return renderStatus(w, r, he.Status, views.ImportPage(page(r, "Import"), views.ImportData{Problems: []string{he.Message}}))
			}
			return err
		}
		d := views.ImportData{FileName: name}
		rows, problems, err := export.Read(strings.NewReader(string(data)), maxImportBytes)
		if errors.Is(err, export.ErrTooLarge) || len(rows) > maxImportRows {
			msg := "The file is larger than " + strconv.Itoa(maxImportBytes>>20) + " MB. Split it into smaller files."
			if err == nil {
				msg = "The file has " + strconv.Itoa(len(rows)) + " rows; Parley imports at most " + strconv.Itoa(maxImportRows) + " at once. Split it into smaller files."
			}
			return renderStatus(w, r, http.StatusRequestEntityTooLarge, views.ImportPage(page(r, "Import"), views.ImportData{Problems: []string{msg}}))
		}
		if err != nil {
			return err
		}
		items, more := importItems(rows)
		problems = append(problems, more...)
		if len(problems) > 0 {
			d.Problems = problemLines(problems)
			return renderStatus(w, r, http.StatusUnprocessableEntity, views.ImportPage(page(r, "Import"), d))
		}
		apply := r.PostFormValue("confirm") == "1"
		rep, err := st.Import(r.Context(), editor(r), items, apply)
		d.Report = rep
		if errors.Is(err, parley.ErrImportProblems) {
			for _, p := range rep.Problems {
				problems = append(problems, export.Problem{Line: p.Line, Column: columnOf(p.Column), Message: p.Message})
			}
			d.Problems = problemLines(problems)
			return renderStatus(w, r, http.StatusUnprocessableEntity, views.ImportPage(page(r, "Import"), d))
		}
		if err != nil {
			return err
		}
		if apply {
			setFlash(sm, r, "Imported "+strconv.Itoa(rep.Statements)+" statements from "+name+".", "")
			http.Redirect(w, r, "/changes?type=statement", http.StatusSeeOther)
			return nil
		}
		d.Data = base64.StdEncoding.EncodeToString(data)
		d.Preview = true
		return render(w, r, views.ImportPage(page(r, "Import: check and confirm"), d))
	}
}

// importUpload reads the file from the upload field, or from the preview
// form's hidden copy.
func importUpload(r *http.Request) ([]byte, string, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, "", export.ErrTooLarge
			}
			return nil, "", badRequest("The upload could not be read. Choose the file again.")
		}
		if r.PostFormValue("data") == "" {
			f, hdr, err := r.FormFile("file")
			if err != nil {
				return nil, "", badRequest("Choose a CSV file to import.")
			}
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, maxImportBytes+1))
			if err != nil {
				return nil, "", err
			}
			if len(b) > maxImportBytes {
				return nil, "", export.ErrTooLarge
			}
			return b, hdr.Filename, nil
		}
	}
	if err := parseForm(r); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", export.ErrTooLarge
		}
		return nil, "", err
	}
	data := r.PostFormValue("data")
	if base64.StdEncoding.DecodedLen(len(data)) > maxImportBytes+2 { // +2: padding
		return nil, "", export.ErrTooLarge
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(b) == 0 {
		return nil, "", badRequest("Choose a CSV file to import.")
	}
	if len(b) > maxImportBytes {
		return nil, "", export.ErrTooLarge
	}
	return b, r.PostFormValue("name"), nil
}

// importItems groups rows into statements (rows sharing a statement_id) and
// checks every cell, naming line and column for each problem.
func importItems(rows []export.Row) ([]parley.ImportStatement, []export.Problem) {
	var items []parley.ImportStatement
	var problems []export.Problem
	byKey := map[string]int{}
	now := time.Now()
	add := func(line int, col, msg string) {
		problems = append(problems, export.Problem{Line: line, Column: col, Message: msg})
	}
	for _, row := range rows {
		f := row.Fields
		key := f["statement_id"]
		if key == "" {
			add(row.Line, "statement_id", "Give each statement an id; rows of one statement share it.")
			continue
		}
		i, seen := byKey[key]
		if !seen {
			it, ok := importStatement(row, add)
			if !ok {
				byKey[key] = -1
				continue
			}
			items = append(items, it)
			i = len(items) - 1
			byKey[key] = i
		} else if i >= 0 && !sameStatement(items[i], row) {
			add(row.Line, "statement_id", "Rows of statement "+key+" disagree about the statement itself (date, actor, quote, summary, regions, occasion, attribution or source).")
			continue
		}
		if i < 0 {
			continue
		}
		demand, stance := f["demand"], parley.Stance(f["stance"])
		switch {
		case demand == "" && stance == "":
		case demand == "":
			add(row.Line, "demand", "A stance needs the demand it is on.")
		case !parley.ValidSlug(demand):
			add(row.Line, "demand", "“"+demand+"” is not a demand slug (lowercase words joined by hyphens).")
		case !stance.Valid():
			add(row.Line, "stance", "Use one of: "+list(parley.Stances, ", ")+".")
		default:
			pos := parley.PositionInput{Demand: demand, Stance: stance}
			for _, cell := range strings.Split(f["conditions"], ";") {
				if strings.TrimSpace(cell) == "" {
					continue
				}
				c, err := parley.ParseCondition(cell)
				if err != nil {
					add(row.Line, "conditions", err.Error()+".")
					continue
				}
				pos.Conditions = append(pos.Conditions, c)
			}
			items[i].Statement.Positions = append(items[i].Statement.Positions, pos)
		}
		if demand == "" && strings.TrimSpace(f["conditions"]) != "" {
			add(row.Line, "conditions", "Conditions belong to a position: this row has no demand and stance.")
		}
	}
	for _, it := range items {
		if err := it.Statement.Validate(now); err != nil {
			var ve *parley.ValidationError
			if errors.As(err, &ve) {
				for k, v := range ve.Fields {
					add(it.Line, columnOf(k), v)
				}
			}
		}
	}
	sort.SliceStable(problems, func(a, b int) bool { return problems[a].Line < problems[b].Line })
	return items, problems
}

func importStatement(row export.Row, add func(int, string, string)) (parley.ImportStatement, bool) {
	f := row.Fields
	ok := true
	it := parley.ImportStatement{Line: row.Line, Actor: f["actor"], ActorSide: f["actor_side"]}
	if strings.TrimSpace(it.Actor) == "" {
		add(row.Line, "actor", "Name who said it.")
		ok = false
	}
	// The contract writes YYYY-MM-DD; a person may write YYYY-MM or YYYY
	// for a month or year, which means the same.
	d, err := parley.ParseDate(f["date"])
	if err != nil {
		add(row.Line, "date", "“"+f["date"]+"” is not a date; use YYYY-MM-DD.")
		ok = false
	}
	in := parley.StatementInput{Actor: it.Actor, Date: parley.Date{Time: d.Time, Precision: parley.Precision(f["date_precision"])}, Quote: f["quote"],
		Summary: f["summary"], Occasion: f["occasion"], Attribution: parley.Attribution(f["attribution"])}
	for _, r := range splitRegions(f["regions"]) {
		if !parley.ValidSlug(r) {
			add(row.Line, "regions", "“"+r+"” is not a region slug; separate slugs with ;.")
			ok = false
		}
		in.Regions = append(in.Regions, r)
	}
	if f["source_outlet"] != "" || f["source_title"] != "" || f["source_url"] != "" {
		src := parley.SourceInput{Outlet: f["source_outlet"], Title: f["source_title"], URL: f["source_url"]}
		if p := f["source_published"]; p != "" {
			t, err := export.ParseISODate(p)
			if err != nil {
				add(row.Line, "source_published", "“"+p+"” is not a date; use YYYY-MM-DD.")
				ok = false
			}
			src.Published = parley.Date{Time: t, Precision: "day"}
		}
		if err := src.Validate(); err != nil {
			var ve *parley.ValidationError
			errors.As(err, &ve)
			for k, v := range ve.Fields {
				add(row.Line, "source_"+k, v)
			}
			ok = false
		}
		it.Source = &src
	}
	it.Statement = in
	return it, ok
}

func sameStatement(it parley.ImportStatement, row export.Row) bool {
	f := row.Fields
	in := it.Statement
	d, _ := parley.ParseDate(f["date"])
	return f["actor"] == it.Actor && d.Time.Equal(in.Date.Time) && parley.Precision(f["date_precision"]) == in.Date.Precision &&
		f["quote"] == in.Quote && f["summary"] == in.Summary && f["occasion"] == in.Occasion && parley.Attribution(f["attribution"]) == in.Attribution &&
		slices.Equal(splitRegions(f["regions"]), in.Regions) && sameSource(it.Source, f)
}

// columnOf maps a validation field to the CSV column it came from.
func columnOf(field string) string {
	switch {
	case strings.HasPrefix(field, "positions."):
		return "stance"
	case field == "positions":
		return "demand"
	case strings.HasPrefix(field, "conditions"):
		return "conditions"
	case field == "form":
		return ""
	}
	return field
}

// problemLines lists the first maxImportProblems problems and says how
// many more there are.
func problemLines(ps []export.Problem) []string {
	out := make([]string, 0, min(len(ps), maxImportProblems)+1)
	for _, p := range ps[:min(len(ps), maxImportProblems)] {
		out = append(out, p.String())
	}
	if more := len(ps) - maxImportProblems; more > 0 {
		out = append(out, "…and "+strconv.Itoa(more)+" more problems, not listed: correct these and upload the file again to see the rest.")
	}
	return out
}

// splitRegions reads the ;-separated region slugs of a cell.
func splitRegions(cell string) []string {
	var out []string
	for _, r := range strings.Split(cell, ";") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// sameSource reports whether a row names the same source as src.
func sameSource(src *parley.SourceInput, f map[string]string) bool {
	if src == nil {
		return f["source_outlet"] == "" && f["source_title"] == "" && f["source_url"] == ""
	}
	return f["source_outlet"] == src.Outlet && f["source_title"] == src.Title && f["source_url"] == src.URL
}
