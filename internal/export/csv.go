// Package export writes Parley's CSV format (DESIGN.md, "CSV (contract)").
package export

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// Header is the contract's column order (version 2).
var Header = append(append([]string(nil), HeaderV1...), "report_count", "conditions")

// HeaderV1 is version 1's 17 columns, which imports still accept.
var HeaderV1 = []string{
	"statement_id", "date", "date_precision", "actor", "actor_side", "demand", "stance", "quote", "summary",
	"regions", "occasion", "attribution", "source_outlet", "source_title", "source_url", "source_published",
	"statement_url",
}

// BOM is the UTF-8 byte-order mark Excel needs to read UTF-8.
const BOM = "\uFEFF"

// formulaTriggers are what makes a spreadsheet evaluate a cell that opens
// with one (DESIGN.md, "CSV (contract)"): = + - @, their full-width and
// small forms, tab and carriage return.
const formulaTriggers = "=+-@\t\r＝＋－＠﹦﹢﹣﹫"

// Neutralize prefixes with a single quote a cell that a spreadsheet would
// evaluate as a formula: one whose first character, after any leading
// spaces and line feeds, is a formula trigger.
func Neutralize(cell string) string {
	rest := strings.TrimLeft(cell, " \n")
	if rest == "" {
		return cell
	}
	if r, _ := utf8.DecodeRuneInString(rest); strings.ContainsRune(formulaTriggers, r) {
		return "'" + cell
	}
	return cell
}

// Writer writes CSV rows: RFC 4180, CRLF line ends, every cell neutralized.
// Line breaks inside a cell are kept as they are (encoding/csv would turn
// them into CRLF), so a quote reads back exactly as stored.
type Writer struct {
	w   *bufio.Writer
	err error
	raw bool // data files: cells as they are, never neutralized
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 32<<10)}
}

// NewDataWriter returns a Writer for data files (a release's resources):
// the same format, but cells are written as they are, since a data file is
// typed by its schema and a leading "-" or "=" is data, not a formula.
func NewDataWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 32<<10), raw: true}
}

// Write writes one row.
func (w *Writer) Write(row []string) error {
	if w.err != nil {
		return w.err
	}
	for i, c := range row {
		if i > 0 {
			w.w.WriteByte(',')
		}
		if !w.raw {
			c = Neutralize(c)
		}
		if c == "" || !strings.ContainsAny(c, "\",\r\n") && c[0] != ' ' && c[len(c)-1] != ' ' {
			w.w.WriteString(c)
			continue
		}
		w.w.WriteByte('"')
		w.w.WriteString(strings.ReplaceAll(c, `"`, `""`))
		w.w.WriteByte('"')
	}
	_, w.err = w.w.WriteString("\r\n")
	return w.err
}

// Flush writes buffered rows to the underlying writer and reports any error.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.err = w.w.Flush()
	return w.err
}
