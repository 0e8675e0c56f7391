package export_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"

	"parley/internal/export"
)

func TestDataWriterRowsReadBackExactly(t *testing.T) {
	rows := [][]string{
		{"id", "quote", "regions"},
		{"1", "=1+1, \"quoted\"\r\nsecond line", "donetsk;kherson"},
		{"2", "", " leading and trailing "},
		{"3", "-5", "a lone \r in the middle\nand a line feed"},
		{"4", "@x", "+y"},
		{"5", `"`, `""`},
		{"6", "a,b", "\r\n"},
	}
	var b bytes.Buffer
	w := export.NewDataWriter(&b)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := export.NewRecordReader(bytes.NewReader(b.Bytes()))
	for i := 0; ; i++ {
		got, err := r.Read()
		if errors.Is(err, io.EOF) {
			if i != len(rows) {
				t.Errorf("read %d rows, want %d", i, len(rows))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(rows) || !slices.Equal(got, rows[i]) {
			t.Errorf("row %d = %q, want %q", i, got, rows[min(i, len(rows)-1)])
		}
	}
}
