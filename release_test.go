package parley_test

import (
	"encoding/json"
	"parley"
	"reflect"
	"strings"
	"testing"
)

func TestAppendRecordJSONIsRecord(t *testing.T) {
	for _, res := range parley.ReleaseResources {
		rows := [][]string{make([]string, len(res.Fields)), make([]string, len(res.Fields))}
		for i, f := range res.Fields {
			switch f.Type {
			case "integer":
				rows[0][i] = "12"
			case "date":
				rows[0][i] = "2025-03-01"
			case "list":
				rows[0][i] = "donetsk;kherson"
			case "array":
				rows[0][i] = `["Пєсков", "a \"b\""]`
			default:
				rows[0][i] = "=quote \"x\"\r\n\ttab \\ \x01 ünïcode <&>"
			}
		}
		for _, row := range rows {
			var got, want any
			if err := json.Unmarshal(res.AppendRecordJSON(nil, row), &got); err != nil {
				t.Fatalf("%s: %q: %v", res.Name, res.AppendRecordJSON(nil, row), err)
			}
			b, _ := json.Marshal(res.Record(row))
			_ = json.Unmarshal(b, &want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: AppendRecordJSON = %v, Record = %v", res.Name, got, want)
			}
		}
	}
}

func TestChangelogInWords(t *testing.T) {
	four, three := 4, 3
	c := parley.Changelog{Previous: "v1", Changes: map[string]parley.ChangeCounts{
		"statements": {Added: 12, Modified: 3, Deleted: 1},
		"positions":  {Added: 4, Deleted: 1},
		"actors":     {Modified: 1},
	}, GapMoves: []parley.GapChange{{Demand: "ukraine-neutrality", Title: "neutrality", Before: &four, After: &three},
		{Demand: "lift-sanctions", Title: "sanctions", Before: nil, After: &four}}}
	want := "1 actor changed; 12 statements added, 3 corrected, 1 withdrawn; 5 positions changed; the gap on neutrality 4 → 3; the gap on sanctions not measurable → 4"
	if got := c.String(); got != want {
		t.Errorf("changelog\n got %q\nwant %q", got, want)
	}
	if got := (parley.Changelog{Previous: "v1"}).String(); got != "No record changed since v1." {
		t.Errorf("no changes: %q", got)
	}
	first := parley.Changelog{Rows: map[string]int{"statements": 1, "positions": 2}}.String()
	if !strings.HasPrefix(first, "The first release: 0 sides, 0 regions") || !strings.Contains(first, "1 statement,") {
		t.Errorf("first release: %q", first)
	}
}
