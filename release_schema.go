package parley

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// ReleaseField is one column of a release resource, typed as Table Schema
// (Data Package v2) types it.
type ReleaseField struct {
	Name        string
	Type        string // string, integer, date, list (items joined by ";"), array (a JSON array)
	Description string
	Required    bool
	Enum        []string
	Item        string // a list's items: "slug" or "condition" (side:demand:stance)
}

const slugPattern = `[a-z0-9]+(-[a-z0-9]+)*`

// listPattern is the pattern (XML Schema syntax, matching the whole cell)
// of a ";"-joined list of items.
func listPattern(item string) string {
	p := slugPattern
	if item == "condition" {
		p = slugPattern + ":" + slugPattern + ":(" + strings.Join(enum(Stances), "|") + ")"
	}
	return "(" + p + "(;" + p + ")*)?"
}

// ForeignKey says Fields name a row of Resource ("" for the resource
// itself) by its RefFields.
type ForeignKey struct {
	Fields    []string
	Resource  string
	RefFields []string
}

// ReleaseResource is one table of a release: one CSV file, rows in
// primary-key order.
type ReleaseResource struct {
	Name        string
	Title       string
	Fields      []ReleaseField
	PrimaryKey  []string
	ForeignKeys []ForeignKey
}

// Path is the resource's file name in the package.
func (r ReleaseResource) Path() string { return r.Name + ".csv" }

// Header is the CSV header row.
func (r ReleaseResource) Header() []string {
	out := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		out[i] = f.Name
	}
	return out
}

// CompareRows orders two rows of r by primary key as the CSV files are
// ordered: integers by value, text by bytes.
func (r ReleaseResource) CompareRows(a, b []string) int {
	for _, k := range r.PrimaryKey {
		i := r.fieldIndex(k)
		if c := compareCell(r.Fields[i].Type, a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

func (r ReleaseResource) fieldIndex(name string) int {
	for i, f := range r.Fields {
		if f.Name == name {
			return i
		}
	}
	panic("parley: no field " + name + " in " + r.Name)
}

func compareCell(typ, a, b string) int {
	if typ == "integer" {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

// Key is a row's primary key as a JSON object, as delta.json names records.
func (r ReleaseResource) Key(row []string) map[string]any {
	out := map[string]any{}
	for _, k := range r.PrimaryKey {
		i := r.fieldIndex(k)
		out[k] = r.Fields[i].Value(row[i])
	}
	return out
}

// Record is a row as a JSON object, each cell typed by its field.
func (r ReleaseResource) Record(row []string) map[string]any {
	out := make(map[string]any, len(r.Fields))
	for i, f := range r.Fields {
		out[f.Name] = f.Value(row[i])
	}
	return out
}

// Value is a CSV cell as JSON: integers as numbers and an empty date or
// integer as null, lists and arrays as arrays, text as it is.
func (f ReleaseField) Value(cell string) any {
	switch f.Type {
	case "integer":
		if cell == "" {
			return nil
		}
		return json.Number(cell)
	case "date":
		if cell == "" {
			return nil
		}
		return cell
	case "list":
		if cell == "" {
			return []string{}
		}
		return strings.Split(cell, ";")
	case "array":
		if cell == "" {
			return []any{}
		}
		return json.RawMessage(cell)
	}
	return cell
}

func enum[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// ReleaseResources are the tables of a release, each record before those
// that refer to it.
var ReleaseResources = []ReleaseResource{
	{Name: "sides", Title: "Sides, and their role at the table", PrimaryKey: []string{"slug"}, Fields: []ReleaseField{
		{Name: "slug", Type: "string", Required: true},
		{Name: "name", Type: "string", Required: true},
		{Name: "role", Type: "string", Required: true, Enum: enum(SideRoles), Description: "party: at the table, counts in gaps; stakeholder: shown beside the gap; observer: never counts"},
	}},
	{Name: "regions", Title: "Regions", PrimaryKey: []string{"slug"}, Fields: []ReleaseField{
		{Name: "slug", Type: "string", Required: true},
		{Name: "name", Type: "string", Required: true},
		{Name: "country", Type: "string", Required: true},
		{Name: "kind", Type: "string", Required: true, Enum: enum(RegionKinds)},
	}},
	{Name: "actors", Title: "Actors: the people and bodies whose statements are tracked", PrimaryKey: []string{"slug"},
		ForeignKeys: []ForeignKey{{Fields: []string{"side"}, Resource: "sides", RefFields: []string{"slug"}}, {Fields: []string{"parent"}, RefFields: []string{"slug"}}},
		Fields: []ReleaseField{
			{Name: "slug", Type: "string", Required: true},
			{Name: "name", Type: "string", Required: true},
			{Name: "aliases", Type: "array", Description: "other spellings and transliterations, a JSON array"},
			{Name: "kind", Type: "string", Required: true, Enum: enum(ActorKinds)},
			{Name: "side", Type: "string", Required: true},
			{Name: "role", Type: "string", Description: "role or title"},
			{Name: "parent", Type: "string", Description: "the actor this one speaks for (a spokesperson's office)"},
		}},
	{Name: "demands", Title: "Demands: the terms put on the table", PrimaryKey: []string{"slug"},
		ForeignKeys: []ForeignKey{{Fields: []string{"side"}, Resource: "sides", RefFields: []string{"slug"}}, {Fields: []string{"converse"}, RefFields: []string{"slug"}}},
		Fields: []ReleaseField{
			{Name: "slug", Type: "string", Required: true},
			{Name: "title", Type: "string", Required: true},
			{Name: "description", Type: "string"},
			{Name: "side", Type: "string", Required: true, Description: "the side that raises it"},
			{Name: "category", Type: "string", Required: true, Enum: enum(Categories)},
			{Name: "regions", Type: "list", Item: "slug", Description: "the regions it concerns: a list of region slugs joined by ;"},
			{Name: "converse", Type: "string", Description: "the demand that says the opposite: a stance on one reads as the mirrored stance on the other"},
		}},
	{Name: "sources", Title: "Sources: published reports", PrimaryKey: []string{"id"}, Fields: []ReleaseField{
		{Name: "id", Type: "integer", Required: true},
		{Name: "outlet", Type: "string", Required: true},
		{Name: "title", Type: "string"},
		{Name: "url", Type: "string"},
		{Name: "published", Type: "date", Description: "the first day of the period when the precision is month or year"},
		{Name: "published_precision", Type: "string", Required: true, Enum: enum(Precisions)},
		{Name: "via", Type: "string", Description: "who it reports through (Reuters via Ukrainska Pravda)"},
	}},
	{Name: "statements", Title: "Statements: one thing an actor said or did, once", PrimaryKey: []string{"id"},
		ForeignKeys: []ForeignKey{{Fields: []string{"actor"}, Resource: "actors", RefFields: []string{"slug"}}, {Fields: []string{"source_id"}, Resource: "sources", RefFields: []string{"id"}}},
		Fields: []ReleaseField{
			{Name: "id", Type: "integer", Required: true},
			{Name: "date", Type: "date", Required: true, Description: "the first day of the period when the precision is month or year"},
			{Name: "date_precision", Type: "string", Required: true, Enum: enum(Precisions)},
			{Name: "actor", Type: "string", Required: true},
			{Name: "attribution", Type: "string", Required: true, Enum: enum(Attributions)},
			{Name: "quote", Type: "string", Description: "verbatim, where a report quotes it"},
			{Name: "summary", Type: "string", Required: true},
			{Name: "occasion", Type: "string"},
			{Name: "regions", Type: "list", Item: "slug", Description: "the regions it mentions: a list of region slugs joined by ;"},
			{Name: "source_id", Type: "integer", Description: "the primary report's source (the earliest published)"},
		}},
	{Name: "reports", Title: "Reports: the sources that report each statement", PrimaryKey: []string{"statement_id", "source_id"},
		ForeignKeys: []ForeignKey{{Fields: []string{"statement_id"}, Resource: "statements", RefFields: []string{"id"}}, {Fields: []string{"source_id"}, Resource: "sources", RefFields: []string{"id"}}},
		Fields: []ReleaseField{
			{Name: "statement_id", Type: "integer", Required: true},
			{Name: "source_id", Type: "integer", Required: true},
			{Name: "quote", Type: "string", Description: "the quote as this source gives it"},
		}},
	{Name: "positions", Title: "Positions: a statement's stance on a demand, with its conditions", PrimaryKey: []string{"statement_id", "demand"},
		ForeignKeys: []ForeignKey{{Fields: []string{"statement_id"}, Resource: "statements", RefFields: []string{"id"}}, {Fields: []string{"demand"}, Resource: "demands", RefFields: []string{"slug"}}},
		Fields: []ReleaseField{
			{Name: "statement_id", Type: "integer", Required: true},
			{Name: "demand", Type: "string", Required: true},
			{Name: "stance", Type: "string", Required: true, Enum: enum(Stances), Description: "insists +2, supports +1, open 0, opposes -1, rejects -2"},
			{Name: "conditions", Type: "list", Item: "condition", Description: "the stance holds only if each condition holds: a list of side:demand:stance joined by ;"},
		}},
}

// ReleaseResourceNamed returns the resource called name.
func ReleaseResourceNamed(name string) (ReleaseResource, bool) {
	for _, r := range ReleaseResources {
		if r.Name == name {
			return r, true
		}
	}
	return ReleaseResource{}, false
}

// ReleaseLicense is the licence every release is published under.
const ReleaseLicense = "CC-BY-4.0"

// DataPackage is a release's datapackage.json (Data Package v2): files
// holds each resource's file, by path, with its hash and size.
func DataPackage(r Release, site string, files map[string]ReleaseFile) ([]byte, error) {
	type kv struct {
		k string
		v any
	}
	// An ordered object, so the descriptor reads in a sensible order.
	type obj []kv
	var resources []any
	for _, res := range ReleaseResources {
		f := files[res.Path()]
		var fields []any
		for _, fd := range res.Fields {
			o := obj{{"name", fd.Name}, {"type", fd.Type}}
			if fd.Description != "" {
				o = append(o, kv{"description", fd.Description})
			}
			c := obj{}
			if fd.Type == "list" {
				// The Data Package v2 profiles have no list type yet: a
				// list is a string of items joined by ";", its pattern
				// saying so.
				o[1].v = "string"
				c = append(c, kv{"pattern", listPattern(fd.Item)})
			}
			if fd.Required {
				c = append(c, kv{"required", true})
			}
			if fd.Enum != nil {
				c = append(c, kv{"enum", fd.Enum})
			}
			if len(c) > 0 {
				o = append(o, kv{"constraints", c})
			}
			fields = append(fields, o)
		}
		schema := obj{{"fields", fields}, {"primaryKey", res.PrimaryKey}}
		if len(res.ForeignKeys) > 0 {
			var fks []any
			for _, fk := range res.ForeignKeys {
				ref := obj{}
				if fk.Resource != "" {
					ref = append(ref, kv{"resource", fk.Resource})
				}
				ref = append(ref, kv{"fields", fk.RefFields})
				fks = append(fks, obj{{"fields", fk.Fields}, {"reference", ref}})
			}
			schema = append(schema, kv{"foreignKeys", fks})
		}
		resources = append(resources, obj{
			{"name", res.Name}, {"title", res.Title}, {"type", "table"}, {"path", res.Path()},
			{"format", "csv"}, {"mediatype", "text/csv"}, {"encoding", "utf-8"},
			{"bytes", f.Bytes}, {"hash", "sha256:" + f.SHA256},
			{"dialect", obj{{"delimiter", ","}, {"lineTerminator", "\r\n"}, {"quoteChar", "\""}, {"header", true}}},
			{"schema", schema},
		})
	}
	pkg := obj{
		{"$schema", "https://datapackage.org/profiles/2.0/datapackage.json"},
		{"name", "parley-" + r.Name},
		{"title", ReleaseTitle(r.Name)},
		{"description", "Negotiation positions in the Russia–Ukraine war: who demands what, who rejects it, how that moved over time, and exactly what was said, when, and where it was reported. Every vetted record as of the release."},
		{"version", r.Name},
		{"created", r.CreatedAt.UTC().Format(time.RFC3339)},
		{"licenses", []any{obj{{"name", ReleaseLicense}, {"path", "https://creativecommons.org/licenses/by/4.0/"}, {"title", "Creative Commons Attribution 4.0"}}}},
		{"citation", r.Citation(site)},
		{"resources", resources},
	}
	if site != "" {
		pkg = append(pkg[:6], append(obj{{"homepage", strings.TrimRight(site, "/") + "/releases#" + r.Name}}, pkg[6:]...)...)
	}
	if r.Notes != "" {
		pkg = append(pkg[:4], append(obj{{"notes", r.Notes}}, pkg[4:]...)...)
	}
	var write func(b *bytes.Buffer, v any) error
	write = func(b *bytes.Buffer, v any) error {
		switch x := v.(type) {
		case obj:
			b.WriteByte('{')
			for i, e := range x {
				if i > 0 {
					b.WriteByte(',')
				}
				k, _ := json.Marshal(e.k)
				b.Write(k)
				b.WriteByte(':')
				if err := write(b, e.v); err != nil {
					return err
				}
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, e := range x {
				if i > 0 {
					b.WriteByte(',')
				}
				if err := write(b, e); err != nil {
					return err
				}
			}
			b.WriteByte(']')
		default:
			j, err := json.Marshal(x)
			if err != nil {
				return err
			}
			b.Write(j)
		}
		return nil
	}
	var raw bytes.Buffer
	if err := write(&raw, pkg); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
