// Package export writes Parley's CSV format (DESIGN.md, "CSV (contract)").
package export

import (
	"encoding/csv"
	"io"
	"strings"
)

// Header is the contract's column order.
var Header = []string{
	"statement_id", "date", "date_precision", "actor", "actor_side", "demand", "stance", "quote", "summary",
	"regions", "occasion", "attribution", "source_outlet", "source_title", "source_url", "source_published",
	"statement_url",
}

// BOM is the UTF-8 byte-order mark Excel needs to read UTF-8.
const BOM = "\uFEFF"

// Neutralize prefixes a cell that a spreadsheet would evaluate as a formula
// (one starting with =, +, -, @, tab or carriage return, or their
// full-width forms) with a single quote.
func Neutralize(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	for _, p := range []string{"＝", "＋", "－", "＠"} {
		if strings.HasPrefix(cell, p) {
			return "'" + cell
		}
	}
	return cell
}

// Writer writes CSV rows: RFC 4180, CRLF line ends, every cell neutralized.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &Writer{w: cw}
}

// Write writes one row.
func (w *Writer) Write(row []string) error {
	w.buf = w.buf[:0]
	for _, c := range row {
		w.buf = append(w.buf, Neutralize(c))
	}
	return w.w.Write(w.buf)
}

// Flush writes buffered rows to the underlying writer and reports any error.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
