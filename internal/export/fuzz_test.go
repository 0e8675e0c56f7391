package export

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// triggers are the cell openings DESIGN.md ("CSV (contract)") says a
// spreadsheet would evaluate, with their full-width and small forms, also
// after leading spaces or line feeds. Kept apart from Neutralize so the
// fuzz targets check it against the contract, not itself.
var triggers = []string{"=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫"}

func startsWithTrigger(s string) bool {
	s = strings.TrimLeft(s, " \n")
	for _, p := range triggers {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// FuzzNeutralize: a cell gets a leading quote exactly when it opens with a
// trigger, nothing else changes, and Unneutralize undoes it.
func FuzzNeutralize(f *testing.F) {
	for _, s := range []string{"", "plain", "=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "＝1", "＋1", "－1", "＠x", " =1", "\n+1", " \n\t", "﹦1", "﹫x", "  ",
		"'=1", "'", "''=x", "a=b", "Зеленський", "\xef\xbb\xbf=1", "\xff=", "\xef\xbc", "=\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Neutralize(s)
		trig := startsWithTrigger(s)
		switch {
		case trig && got != "'"+s:
			t.Fatalf("Neutralize(%q) = %q, want %q", s, got, "'"+s)
		case !trig && got != s:
			t.Fatalf("Neutralize(%q) = %q, want it unchanged", s, got)
		}
		if strings.HasPrefix(got, "'") != (trig || strings.HasPrefix(s, "'")) {
			t.Fatalf("Neutralize(%q) = %q: leading quote without a trigger", s, got)
		}
		if again := Neutralize(got); again != got {
			t.Fatalf("Neutralize is not idempotent on %q: %q then %q", s, got, again)
		}
		// A cell that itself reads '= cannot be told from a neutralised =;
		// every other cell comes back.
		if rest, ok := strings.CutPrefix(s, "'"); !ok || !startsWithTrigger(rest) {
			if back := Unneutralize(got); back != s {
				t.Fatalf("Unneutralize(Neutralize(%q)) = %q", s, back)
			}
		}
		_ = Unneutralize(s) // never panics on anything
	})
}

// fuzzRow makes a 17-cell row from the fuzzed cells: a, b and c repeated.
func fuzzRow(a, b, c string) []string {
	row := make([]string, len(Header))
	for i := range row {
		row[i] = []string{a, b, c}[i%3]
	}
	return row
}

// FuzzWriteRead: what Writer writes, Read reads back cell for cell (NUL
// included: the CSV layer keeps it; the database is another matter).
func FuzzWriteRead(f *testing.F) {
	f.Add("plain", "", "x")
	f.Add("=HYPERLINK(\"http://evil\")", "+1", "-1")
	f.Add("＝1+1", "＠x", "'=already")
	f.Add("say \"no\"", "a,b", "line1\nline2")
	f.Add(" leading", "trailing ", "\t")
	f.Add("Зеленський", "Путин: «нет»", "\r")
	f.Add("\ufeffbom", "\"", "\"\"")
	f.Add("a\rb", "\n", "99999999999999999999999999")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		row := fuzzRow(a, b, c)
		var buf bytes.Buffer
		w := NewWriter(&buf)
		if err := w.Write(Header); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rows, problems, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		valid := true
		for _, cell := range row {
			valid = valid && utf8.ValidString(cell)
		}
		if !valid {
			if len(rows) > 0 || len(problems) != 1 || problems[0].Line != 0 {
				t.Fatalf("Read of a file with invalid UTF-8 = %d rows, problems %v; want the one encoding problem", len(rows), problems)
			}
			return
		}
		if len(problems) > 0 {
			t.Fatalf("Read(%q) problems: %v", buf.String(), problems)
		}
		if len(rows) != 1 {
			t.Fatalf("Read(%q) = %d rows, want 1", buf.String(), len(rows))
		}
		if rows[0].Line != 2 {
			t.Errorf("row line = %d, want 2", rows[0].Line)
		}
		for i, name := range Header {
			if got, want := rows[0].Fields[name], roundTrip(row[i]); got != want {
				t.Errorf("column %s: wrote %q, read %q, want %q", name, row[i], got, want)
			}
		}
	})
}

// roundTrip is what a cell comes back as: itself, except that a cell which
// reads '= (indistinguishable from a neutralised =) loses its quote, and
// a CR LF inside a cell reads back as LF (encoding/csv does that; see
// TestReimportingAnExportWithALineBreakInTheSummaryAddsNothing in
// internal/handlers for where it bites).
func roundTrip(cell string) string {
	return Unneutralize(strings.ReplaceAll(Neutralize(cell), "\r\n", "\n"))
}

// FuzzRead: arbitrary bytes never panic Read; its answer is consistent.
func FuzzRead(f *testing.F) {
	header := strings.Join(Header, ",") + "\r\n"
	f.Add([]byte(""))
	f.Add([]byte(BOM))
	f.Add([]byte(header))
	f.Add([]byte(BOM + header + "1,2024-06-14,day,putin,russia,nato,rejects,'=1,s,donetsk;luhansk,,on_record,,,,,\r\n"))
	f.Add([]byte(header + "a,b\r\n\r\n,,\n"))
	f.Add([]byte("\xff\xfe" + header))
	f.Add([]byte(header + "\x00,\x00\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const max = 4 << 10
		rows, problems, err := readNoPanic(t, data, max)
		if len(data) > max {
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Read of %d bytes (max %d): err = %v, want ErrTooLarge", len(data), max, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if len(rows) == 0 && len(problems) == 0 {
			t.Fatalf("Read(%q): no rows and no problem", data)
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Errorf("row at line %d, before the header", r.Line)
			}
			if len(r.Fields) != len(Header) && len(r.Fields) != len(HeaderV1) { // (v2) version 1 files too
				t.Errorf("row at line %d has %d fields", r.Line, len(r.Fields))
			}
		}
		for _, p := range problems {
			if p.Line < 0 || p.Message == "" {
				t.Errorf("problem %+v", p)
			}
			_ = p.String()
		}
	})
}

// readNoPanic is Read, failing the test (not killing the test binary, so
// the other inputs still run) when Read panics.
func readNoPanic(t *testing.T, data []byte, max int64) (rows []Row, problems []Problem, err error) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("Read(%q) panicked: %v", data, v)
		}
	}()
	return Read(bytes.NewReader(data), max)
}
