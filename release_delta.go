package parley

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
