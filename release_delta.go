package parley

import (
	"encoding/json"
	"strings"
)

// delta.json lists, per resource, the records added, modified and deleted
// since the previous release:
//
//	{"release": "v2", "previous": "v1",
//	 "resources": {"statements": {"primaryKey": ["id"],
//	     "added": [{…the record…}],
//	     "modified": [{"key": {"id": 12}, "changes": {"summary": {"before": "…", "after": "…"}}}],
//	     "deleted": [{…the record as it was…}]}, …}}
//
// Records are typed as the resource's schema types their cells (see
// ReleaseField.Value); the first release lists every record as added.

// DeltaModified is a record present in both releases whose fields differ.
type DeltaModified struct {
	Key     map[string]any         `json:"key"`
	Changes map[string]FieldChange `json:"changes"`
}

// FieldChange is one field's value before and after.
type FieldChange struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// Diff compares two rows of r with the same key: the fields that differ,
// or nil when none does.
func (r ReleaseResource) Diff(before, after []string) *DeltaModified {
	var m *DeltaModified
	for i, f := range r.Fields {
		if before[i] == after[i] {
			continue
		}
		if m == nil {
			m = &DeltaModified{Key: r.Key(after), Changes: map[string]FieldChange{}}
		}
		m.Changes[f.Name] = FieldChange{Before: f.Value(before[i]), After: f.Value(after[i])}
	}
	return m
}

// AppendRecordJSON appends row as the JSON object Record makes of it, in
// the schema's field order, without building the map: a release's delta
// writes millions.
func (r ReleaseResource) AppendRecordJSON(b []byte, row []string) []byte {
	b = append(b, '{')
	for i, f := range r.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.Name)
		b = append(b, ':')
		cell := row[i]
		switch {
		case (f.Type == "integer" || f.Type == "date") && cell == "":
			b = append(b, "null"...)
		case f.Type == "integer" && isDigits(cell):
			b = append(b, cell...)
		case f.Type == "list":
			b = append(b, '[')
			if cell != "" {
				for j, item := range strings.Split(cell, ";") {
					if j > 0 {
						b = append(b, ',')
					}
					b = appendJSONString(b, item)
				}
			}
			b = append(b, ']')
		case f.Type == "array" && json.Valid([]byte(cell)):
			b = append(b, cell...)
		case f.Type == "array" && cell == "":
			b = append(b, "[]"...)
		default:
			b = appendJSONString(b, cell)
		}
	}
	return append(b, '}')
}

func isDigits(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
