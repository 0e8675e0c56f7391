package export

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// RecordReader reads back what a Writer wrote, exactly: unlike
// encoding/csv it keeps a CRLF inside a quoted cell as it is, so a cell
// reads back byte for byte (a release's delta compares cells). It reads a
// record at a time and slices its cells out of one string.
type RecordReader struct {
	r    *bufio.Reader
	line []byte
}

// NewRecordReader returns a RecordReader on r.
func NewRecordReader(r io.Reader) *RecordReader {
	return &RecordReader{r: bufio.NewReaderSize(r, 64<<10)}
}

var errMalformed = errors.New("export: malformed CSV")

// Read returns the next row, or io.EOF after the last. The slice is new
// each time.
func (rr *RecordReader) Read() ([]string, error) {
	rr.line = rr.line[:0]
	quotes := 0
	for {
		chunk, err := rr.r.ReadSlice('\n')
		rr.line = append(rr.line, chunk...)
		quotes += bytes.Count(chunk, []byte{'"'})
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(rr.line) == 0 {
				return nil, io.EOF
			}
			if quotes%2 == 1 {
				return nil, errMalformed
			}
			break
		}
		if err != nil {
			return nil, err
		}
		// A line break inside a quoted cell: the record goes on.
		if quotes%2 == 0 {
			break
		}
	}
	line := rr.line
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	return splitRecord(string(line))
}

// splitRecord splits one record into its cells.
func splitRecord(s string) ([]string, error) {
	var row []string
	i := 0
	for {
		var cell string
		if i < len(s) && s[i] == '"' {
			j, escaped := i+1, false
			for {
				k := strings.IndexByte(s[j:], '"')
				if k < 0 {
					return nil, errMalformed
				}
				k += j
				if k+1 < len(s) && s[k+1] == '"' {
					escaped, j = true, k+2
					continue
				}
				cell = s[i+1 : k]
				if escaped {
					cell = strings.ReplaceAll(cell, `""`, `"`)
				}
				i = k + 1
				break
			}
		} else {
			k := strings.IndexByte(s[i:], ',')
			if k < 0 {
				k = len(s) - i
			}
			cell = s[i : i+k]
			if strings.IndexByte(cell, '"') >= 0 {
				return nil, errMalformed
			}
			i += k
		}
		row = append(row, cell)
		if i == len(s) {
			return row, nil
		}
		if s[i] != ',' {
			return nil, errMalformed
		}
		i++
	}
}
