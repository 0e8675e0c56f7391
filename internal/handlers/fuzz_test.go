package handlers

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"parley"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/export"
)

// Fuzz targets for the parsers that read what users send. They need no
// database: each calls the parser directly.

// fuzzVocab is a small fixed vocabulary, as newVocab would build it.
var fuzzVocab = vocab{
	actors:  []string{"vladimir-putin", "volodymyr-zelensky", "dmitry-peskov"},
	demands: []string{"ukraine-neutrality", "withdrawal-four-regions"},
	regions: []string{"donetsk", "crimea"},
	sides:   []string{"russia", "ukraine"},
}

// FuzzParseFilter: any query string is either a 400 naming the problem or
// a filter that only names what exists, with a sane page window.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", "q=peace", "actor=vladimir-putin&side=russia&page=2", "from=2024-01-01&to=2023-01-01",
		"page=0", "page=-1", "page=10001", "page=99999999999999999999", "as_of=0999-12-31", "%zz", "a=1;b=2", "sort=oldest"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fl, page, err := parseFilter(raw, fuzzVocab)
		if err != nil {
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != http.StatusBadRequest || he.Message == "" {
				t.Fatalf("parseFilter(%q) error = %#v, want an *HTTPError 400 with a message", raw, err)
			}
			return
		}
		in := func(name, val string, allowed []string) {
			if val != "" && !slices.Contains(allowed, val) {
				t.Errorf("parseFilter(%q): %s = %q, not in %v", raw, name, val, allowed)
			}
		}
		in("actor", fl.Actor, fuzzVocab.actors)
		in("side", fl.Side, fuzzVocab.sides)
		in("demand", fl.Demand, fuzzVocab.demands)
		in("region", fl.Region, fuzzVocab.regions)
		in("stance", string(fl.Stance), strs(parley.Stances))
		in("attribution", string(fl.Attribution), strs(parley.Attributions))
		in("sort", fl.Sort, parley.Sorts)
		if fl.Sort == "" {
			t.Errorf("parseFilter(%q): no sort order", raw)
		}
		if fl.Limit != pageSize || fl.Offset < 0 || page < 1 || page > maxPage || fl.Offset != (page-1)*pageSize {
			t.Errorf("parseFilter(%q): page %d, limit %d, offset %d", raw, page, fl.Limit, fl.Offset)
		}
		if len(fl.Query) > 500 || fl.Query != strings.TrimSpace(fl.Query) {
			t.Errorf("parseFilter(%q): query %q", raw, fl.Query)
		}
		for name, d := range map[string]time.Time{"from": fl.From, "to": fl.To, "as_of": fl.AsOf} {
			if !d.IsZero() && (d.Year() < 1000 || d.Location() != time.UTC || !d.Equal(d.Truncate(24*time.Hour))) {
				t.Errorf("parseFilter(%q): %s = %v, want a plain date from year 1000 on", raw, name, d)
			}
		}
		if !fl.From.IsZero() && !fl.To.IsZero() && fl.From.After(fl.To) {
			t.Errorf("parseFilter(%q): from %v after to %v", raw, fl.From, fl.To)
		}
		// Links keep every filter: what Values writes reads back the same.
		again, _, err := parseFilter(fl.Values(true).Encode(), fuzzVocab)
		if err != nil {
			t.Fatalf("parseFilter(%q) = %+v, but its link %q is refused: %v", raw, fl, fl.Values(true).Encode(), err)
		}
		fl.Offset = 0
		if again != fl {
			t.Errorf("parseFilter(%q) = %+v; its link %q reads back as %+v", raw, fl, fl.Values(true).Encode(), again)
		}
	})
}

// FuzzParseStatementForm: any posted form parses without panicking, and
// what Validate accepts has a real date at a known precision.
func FuzzParseStatementForm(f *testing.F) {
	f.Add("2024-06-14", "day", "Said it.", "demand=ukraine-neutrality&stance=insists")
	f.Add("2024-06", "month", "Said it.", "regions=donetsk")
	f.Add("2024", "year", "Said it.", "regions=donetsk&source_outlet=TASS&source_published=2024-02")
	f.Add("2024-06-14", "month", "x", "regions=donetsk")
	f.Add("2024-06-14", "week", "x", "regions=donetsk")
	f.Add("1899-12-31", "", "x", "regions=donetsk")
	f.Add("2024-06-14", "day", "x", "regions=donetsk&source_id=-1&idempotency_key=not-a-uuid")
	f.Add("", "", "", "%zz")
	now := time.Now()
	f.Fuzz(func(t *testing.T, date, precision, summary, raw string) {
		body := url.Values{"actor": {"vladimir-putin"}, "attribution": {"on_record"}, "date": {date},
			"date_precision": {precision}, "summary": {summary}}.Encode() + "&" + raw
		r := httptest.NewRequest(http.MethodPost, "/statements/new", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form, in, problems, err := parseStatementForm(r)
		if err != nil {
			return // a malformed body: the handler answers 400
		}
		if form.Errors == nil || form.Regions == nil {
			t.Fatalf("form %q: the form's maps are nil", body)
		}
		if len(form.Positions) != len(in.Positions) {
			t.Errorf("form %q: %d position rows shown, %d in the input", body, len(form.Positions), len(in.Positions))
		}
		verr := in.Validate(now)
		if verr != nil {
			var ve *parley.ValidationError
			if !errors.As(verr, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("form %q: Validate = %v, want a *ValidationError naming fields", body, verr)
			}
			return
		}
		if !slices.Contains(parley.Precisions, in.Date.Precision) || !in.Date.Truncated() {
			t.Errorf("form %q accepted with date %v at precision %q", body, in.Date.Time, in.Date.Precision)
		}
		if in.Date.Time.After(now) || in.Date.Time.Year() < 1900 {
			t.Errorf("form %q accepted with date %v", body, in.Date.Time)
		}
		if len(problems) == 0 && string(in.Date.Precision) != form.Precision && form.Precision != "" {
			t.Errorf("form %q: precision %q typed, %q stored, and no problem said so", body, form.Precision, in.Date.Precision)
		}
	})
}

// FuzzImportItems: any file, read and checked, never panics, and every
// problem points at the file or one of its lines.
func FuzzImportItems(f *testing.F) {
	header := strings.Join(export.Header, ",") + "\r\n"
	f.Add([]byte(header + "1,2024-06-14,day,vladimir-putin,russia,ukraine-neutrality,insists,,Said it.,donetsk,,on_record,TASS,,https://tass.ru/x,2024-06-14,\r\n"))
	f.Add([]byte(header + "1,2024-06,month,vladimir-putin,russia,,,,Said it.,donetsk;crimea,,on_record,,,,,\r\n" +
		"1,2024-06,month,vladimir-putin,russia,,,,Said it differently.,donetsk;crimea,,on_record,,,,,\r\n"))
	f.Add([]byte(header + ",2024-13-01,hour,,,Bad Slug,maybe,,,Bad Region,,secret,,,javascript:x,yesterday,\r\n"))
	f.Add([]byte(header + "1,2024-06-14,day,x,russia,,,,s,,,on_record,,,,,\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkImport(t, data)
		if !bytes.HasPrefix(data, []byte(header)) {
			// Most random bytes fail at the header; try them as rows too.
			checkImport(t, append([]byte(header), data...))
		}
	})
}

// checkImport reads data as an import file and checks what importItems
// makes of it.
func checkImport(t *testing.T, data []byte) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("reading %q panicked: %v", data, v)
		}
	}()
	rows, problems, err := export.Read(bytes.NewReader(data), 1<<20)
	if err != nil {
		return
	}
	items, more := importItems(rows)
	problems = append(problems, more...)
	for _, p := range problems {
		if p.Line < 0 || p.Message == "" {
			t.Errorf("problem %+v", p)
		}
	}
	if !slices.IsSortedFunc(more, func(a, b export.Problem) int { return a.Line - b.Line }) {
		t.Errorf("problems not in line order: %v", more)
	}
	for _, it := range items {
		if it.Line < 2 {
			t.Errorf("statement from line %d, before the first row", it.Line)
		}
	}
	if len(problems) == 0 {
		for _, it := range items {
			if err := it.Statement.Validate(time.Now()); err != nil {
				t.Errorf("line %d accepted but does not validate: %v", it.Line, err)
			}
		}
	}
}

// strs is values as plain strings.
func strs[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
