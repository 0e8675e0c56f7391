package parley

import (
	"slices"
	"strconv"
)

// Kind is a kind of editable record. Its name is the entity type of its
// revisions; Kinds and the methods below are the one registry every layer
// reads: which table holds its records, which route parameter names one,
// and where its pages are.
type Kind string

const (
	KindStatement Kind = "statement"
	KindActor     Kind = "actor"
	KindDemand    Kind = "demand"
	KindRegion    Kind = "region"
	KindSource    Kind = "source"
	KindSide      Kind = "side"
)

// Kinds lists the kinds of record in the order pages offer them.
var Kinds = []Kind{KindStatement, KindActor, KindDemand, KindRegion, KindSource, KindSide}

type kindInfo struct {
	plural string // the table, and the first segment of every path
	bySlug bool   // addressed by slug; otherwise by numeric id
	label  string // the field (and column) that names a record in lists
}

var kinds = map[Kind]kindInfo{
	KindStatement: {plural: "statements", label: "summary"},
	KindActor:     {plural: "actors", bySlug: true, label: "name"},
	KindDemand:    {plural: "demands", bySlug: true, label: "title"},
	KindRegion:    {plural: "regions", bySlug: true, label: "name"},
	KindSource:    {plural: "sources", label: "outlet"},
	KindSide:      {plural: "sides", bySlug: true, label: "name"},
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Plural is the kind's plural, as people read it: "actors".
func (k Kind) Plural() string { return kinds[k].plural }

// Table is the table holding records of kind k.
func (k Kind) Table() string { return kinds[k].plural }

// BySlug reports whether records of kind k are addressed by slug (actors,
// demands, regions); statements and sources are addressed by id.
func (k Kind) BySlug() bool { return kinds[k].bySlug }

// Param is the route parameter that holds a record's key: "slug" or "id".
func (k Kind) Param() string {
	if k.BySlug() {
		return "slug"
	}
	return "id"
}

// LabelField is the field (and column) that names a record of kind k in
// lists and change logs: an actor's name, a statement's summary.
func (k Kind) LabelField() string { return kinds[k].label }

// Index is the path of the list of records of kind k: "/actors".
func (k Kind) Index() string { return "/" + kinds[k].plural }

// Path is the path of the record of kind k with key (slug or id).
func (k Kind) Path(key string) string { return k.Index() + "/" + key }

// ParseID reads a record id from a path or form; ErrNotFound when key is
// not a positive number, as no record has such an id.
func ParseID(key string) (int64, error) {
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil || id < 1 {
		return 0, ErrNotFound
	}
	return id, nil
}
