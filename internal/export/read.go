package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Row is one data row of an imported file, un-neutralised, with its line.
type Row struct {
	Line   int
	Fields map[string]string
}

// Problem is something wrong in an imported file, by line and column.
type Problem struct {
	Line    int    // 0: the file as a whole
	Column  string // "" when not about one column
	Message string
}

func (p Problem) String() string {
	switch {
	case p.Line == 0:
		return p.Message
	case p.Column == "":
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return fmt.Sprintf("line %d, column %s: %s", p.Line, p.Column, p.Message)
}

// ErrTooLarge means the file is over the size limit.
var ErrTooLarge = errors.New("export: file too large")

// Read parses a file in the export format: UTF-8 with or without BOM, CRLF
// or LF, RFC 4180 quoting, blank lines ignored. Cells our export
// neutralised ('=…) are read back as they were. Problems with the file as a
// whole (encoding, header, broken quoting) end reading; problems of single
// cells are left to the caller's validation.
func Read(r io.Reader, maxBytes int64) ([]Row, []Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > maxBytes {
		return nil, nil, ErrTooLarge
	}
	data = bytes.TrimPrefix(data, []byte(BOM))
	if !utf8.Valid(data) {
		return nil, []Problem{{Message: "The file is not UTF-8 text. Save it as “CSV UTF-8” (Excel) or with UTF-8 encoding, then try again."}}, nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []Problem{{Message: "The file is empty."}}, nil
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, []Problem{{Line: 1, Message: "The header row cannot be read: " + csvMessage(err)}}, nil
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	columns := Header
	if slices.Equal(header, HeaderV1) {
		columns = HeaderV1 // a file from version 1: no report_count, no conditions
	} else if !slices.Equal(header, Header) {
		return nil, []Problem{{Line: 1, Message: "The header row must be exactly: " + strings.Join(Header, ",") +
			" (or the first 17 of those, as version 1 wrote them)."}}, nil
	}
	var rows []Row
	var problems []Problem
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			problems = append(problems, Problem{Line: line, Message: "This row cannot be read: " + csvMessage(err)})
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(columns) {
			problems = append(problems, Problem{Line: line, Message: fmt.Sprintf("This row has %d columns; it needs %d.", len(rec), len(columns))})
			continue
		}
		row := Row{Line: line, Fields: make(map[string]string, len(columns))}
		for i, name := range columns {
			row.Fields[name] = Unneutralize(rec[i])
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(problems) == 0 {
		problems = append(problems, Problem{Message: "The file has a header but no rows."})
	}
	return rows, problems, nil
}

// Unneutralize removes the quote Neutralize put before a formula trigger.
func Unneutralize(cell string) string {
	if rest, ok := strings.CutPrefix(cell, "'"); ok && Neutralize(rest) != rest {
		return rest
	}
	return cell
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return "a quoted cell is not closed or has a stray quote mark."
		}
		return pe.Err.Error() + "."
	}
	return err.Error()
}

// ParseISODate reads YYYY-MM-DD.
func ParseISODate(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }
