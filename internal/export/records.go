package export

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// RecordReader reads back what a Writer wrote, exactly: unlike
// encoding/csv it keeps a CRLF inside a quoted cell as it is, so a cell
// reads back byte for byte (a release's delta compares cells).
type RecordReader struct {
	r    *bufio.Reader
	cell strings.Builder
}

// NewRecordReader returns a RecordReader on r.
func NewRecordReader(r io.Reader) *RecordReader {
	return &RecordReader{r: bufio.NewReaderSize(r, 64<<10)}
}

var errMalformed = errors.New("export: malformed CSV")

// Read returns the next row, or io.EOF after the last. The slice is new
// each time.
func (rr *RecordReader) Read() ([]string, error) {
	var row []string
	rr.cell.Reset()
	quoted, inQuotes, started := false, false, false
	for {
		b, err := rr.r.ReadByte()
		if err == io.EOF {
			if !started {
				return nil, io.EOF
			}
			if inQuotes {
				return nil, errMalformed
			}
			return append(row, rr.cell.String()), nil
		}
		if err != nil {
			return nil, err
		}
		started = true
		if inQuotes {
			if b == '"' {
				next, err := rr.r.Peek(1)
				if err == nil && next[0] == '"' {
					rr.r.ReadByte()
					rr.cell.WriteByte('"')
					continue
				}
				inQuotes = false
				continue
			}
			rr.cell.WriteByte(b)
			continue
		}
		switch b {
		case '"':
			if quoted || rr.cell.Len() > 0 {
				return nil, errMalformed
			}
			quoted, inQuotes = true, true
		case ',':
			row = append(row, rr.cell.String())
			rr.cell.Reset()
			quoted = false
		case '\r':
			// CRLF ends the row; a lone CR is data.
			if next, err := rr.r.Peek(1); err == nil && next[0] == '\n' {
				continue
			}
			rr.cell.WriteByte(b)
		case '\n':
			return append(row, rr.cell.String()), nil
		default:
			rr.cell.WriteByte(b)
		}
	}
}
