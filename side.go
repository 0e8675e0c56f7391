package parley

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// SideRole is a side's part in the negotiation.
type SideRole string

const (
	// Party is a side at the table (russia, ukraine): gaps and the
	// bargaining space are measured between parties.
	Party SideRole = "party"
	// Stakeholder is a government or bloc with a say (united-states,
	// europe): its positions are shown beside the parties'.
	Stakeholder SideRole = "stakeholder"
	// Observer is an analyst, commentator or outlet: its statements are
	// recorded and searchable but never count as a side's position.
	Observer SideRole = "observer"
)

// SideRoles lists the roles, those at the table first.
var SideRoles = []SideRole{Party, Stakeholder, Observer}

// Valid reports whether r is one of SideRoles.
func (r SideRole) Valid() bool { return slices.Contains(SideRoles, r) }

// Counts reports whether statements of a side with role r count as the
// side's position: every role's but an observer's.
func (r SideRole) Counts() bool { return r == Party || r == Stakeholder }

// Side is a party to the war, a stakeholder or an observer; actors belong
// to one, demands are raised by one.
type Side struct {
	ID      int64    `json:"id"`
	Slug    string   `json:"slug"`
	Name    string   `json:"name"`
	Role    SideRole `json:"role"`
	Version int      `json:"version"`
}

// SideInput is what an admin or the seed supplies for a side.
type SideInput struct {
	Slug, Name string
	Role       SideRole
}

// Validate checks the input against the domain's rules.
func (in SideInput) Validate() error {
	p := Problems{}
	p.CheckText(map[string]string{"name": in.Name})
	if !ValidSlug(in.Slug) {
		p.Add("slug", "Use lowercase letters, digits and single hyphens, like \"united-states\".")
	}
	if strings.TrimSpace(in.Name) == "" {
		p.Add("name", "Enter the side's name.")
	} else if utf8.RuneCountInString(in.Name) > 200 {
		p.Add("name", "Keep the name under 200 characters.")
	}
	if !in.Role.Valid() {
		p.Add("role", "Choose party (at the table), stakeholder (a say) or observer (comments only).")
	}
	return p.Err()
}

// DefaultSideRole is the role a side named only by its slug gets (by an
// import, or a database from before sides had roles): Russia and Ukraine
// are the parties, the independent analysts observers, any other side a
// stakeholder until an admin says otherwise.
func DefaultSideRole(slug string) SideRole {
	switch slug {
	case "russia", "ukraine":
		return Party
	case "independent":
		return Observer
	}
	return Stakeholder
}

// SideRolesOf maps sides by slug to their roles.
func SideRolesOf(sides []Side) map[string]SideRole {
	out := make(map[string]SideRole, len(sides))
	for _, s := range sides {
		out[s.Slug] = s.Role
	}
	return out
}
