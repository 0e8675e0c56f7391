package parley

import (
	"slices"
	"strings"
)

// The vocabularies of the domain, each a string type with its values in
// their display order, mirrored by CHECK constraints in the schema.

// Stance is a position on a demand, on a five-step scale.
type Stance string

const (
	Insists  Stance = "insists"  // +2, a non-negotiable condition
	Supports Stance = "supports" // +1
	Open     Stance = "open"     // 0, willing to discuss
	Opposes  Stance = "opposes"  // -1
	Rejects  Stance = "rejects"  // -2, rules it out
)

// Stances lists the stances from +2 to -2.
var Stances = []Stance{Insists, Supports, Open, Opposes, Rejects}

// Valid reports whether s is one of Stances.
func (s Stance) Valid() bool { return slices.Contains(Stances, s) }

// Score places s on the scale, +2 (insists) to -2 (rejects); 0 for open
// and for anything that is not a stance.
func (s Stance) Score() int {
	switch s {
	case Insists:
		return 2
	case Supports:
		return 1
	case Opposes:
		return -1
	case Rejects:
		return -2
	}
	return 0
}

// Mirror is the stance on a demand's converse that s on the demand amounts
// to: insisting on Ukraine's neutrality is rejecting its NATO membership.
func (s Stance) Mirror() Stance {
	switch s {
	case Insists:
		return Rejects
	case Supports:
		return Opposes
	case Opposes:
		return Supports
	case Rejects:
		return Insists
	}
	return s
}

// Precision is how precisely a date is known.
type Precision string

const (
	Day   Precision = "day"
	Month Precision = "month"
	Year  Precision = "year"
)

// Precisions lists the precisions, most precise first.
var Precisions = []Precision{Day, Month, Year}

// Valid reports whether p is one of Precisions.
func (p Precision) Valid() bool { return slices.Contains(Precisions, p) }

// Attribution is how a statement reaches the record.
type Attribution string

const (
	OnRecord     Attribution = "on_record"
	Spokesperson Attribution = "spokesperson"
	Anonymous    Attribution = "anonymous"
	Reported     Attribution = "reported"
)

// Attributions lists the attributions.
var Attributions = []Attribution{OnRecord, Spokesperson, Anonymous, Reported}

// Valid reports whether a is one of Attributions.
func (a Attribution) Valid() bool { return slices.Contains(Attributions, a) }

// ActorKind is what kind of person or body an actor is.
type ActorKind string

// ActorKinds lists the kinds of actor.
var ActorKinds = []ActorKind{"person", "government", "ministry", "military", "alliance", "organization", "analyst", "anonymous"}

// Valid reports whether k is one of ActorKinds.
func (k ActorKind) Valid() bool { return slices.Contains(ActorKinds, k) }

// Category groups demands by subject.
type Category string

// Categories lists the categories of demand.
var Categories = []Category{"territory", "security", "sanctions-economy", "political", "process"}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// RegionKind is what kind of place a region is.
type RegionKind string

// RegionKinds lists the kinds of region.
var RegionKinds = []RegionKind{"oblast", "autonomous-republic", "city", "other"}

// Valid reports whether k is one of RegionKinds.
func (k RegionKind) Valid() bool { return slices.Contains(RegionKinds, k) }

// Role is what a user may do: editors edit, admins also manage users.
type Role string

const (
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// Roles lists the roles.
var Roles = []Role{RoleEditor, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// list joins values with commas, for messages that name the choices.
func list[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
