package export

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1", "'+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"＝1+1", "'＝1+1"},
		{"＋1", "'＋1"},
		{"－1", "'－1"},
		{"＠x", "'＠x"},
		{"a=b", "a=b"},
		{"Путин", "Путин"},
		// After leading spaces or line feeds, and the small forms.
		{" =1+1", "' =1+1"},
		{"\n=1+1", "'\n=1+1"},
		{"  \n \n+1", "'  \n \n+1"},
		{" \tx", "' \tx"},
		{"\n\rx", "'\n\rx"},
		{" ＠x", "' ＠x"},
		{"﹦1+1", "'﹦1+1"},
		{"﹢1", "'﹢1"},
		{"\n﹣1", "'\n﹣1"},
		{"﹫x", "'﹫x"},
		{"   ", "   "},
		{"\n", "\n"},
		{" a=b", " a=b"},
		{"'=1", "'=1"},
	}
	for _, tt := range tests {
		if got := Neutralize(tt.in); got != tt.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriterIsRFC4180WithCRLF(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	rows := [][]string{{"a", "say \"no\"", "line1\nline2", "=1"}, {"Зеленський", "", "x,y", "ok"}}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "a,\"say \"\"no\"\"\",\"line1\nline2\",'=1\r\nЗеленський,,\"x,y\",ok\r\n"
	if got := buf.String(); got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
	back, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if back[0][2] != "line1\nline2" || back[1][0] != "Зеленський" {
		t.Errorf("round trip = %q", back)
	}
}
