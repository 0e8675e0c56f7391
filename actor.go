package parley

import (
	"strings"
	"unicode/utf8"
)

// Actor is a person or body whose statements are tracked.
type Actor struct {
	ID         int64     `json:"id"`
	Slug       string    `json:"slug"`
	Name       string    `json:"name"`
	Aliases    []string  `json:"aliases"`
	Kind       ActorKind `json:"kind"`
	Side       string    `json:"side"`
	Role       string    `json:"role"`
	ParentSlug string    `json:"parent,omitempty"`
	ParentName string    `json:"-"`
	Version    int       `json:"version"`
}

// ActorInput is what an editor or the seed supplies for an actor. Parent is
// the parent actor's slug, or empty.
type ActorInput struct {
	Slug, Name, Side, Role, Parent string
	Kind                           ActorKind
	Aliases                        []string
}

// Validate checks the input against the domain's rules.
func (in ActorInput) Validate() error {
	p := Problems{}
	p.CheckText(map[string]string{"name": in.Name, "role": in.Role, "side": in.Side, "aliases": strings.Join(in.Aliases, " ")})
	if !ValidSlug(in.Slug) {
		p.Add("slug", "Use lowercase letters, digits and single hyphens, like \"vladimir-putin\".")
	}
	if strings.TrimSpace(in.Name) == "" {
		p.Add("name", "Enter the actor's name.")
	} else if utf8.RuneCountInString(in.Name) > 200 {
		p.Add("name", "Keep the name under 200 characters.")
	}
	if !in.Kind.Valid() {
		p.Add("kind", "Choose one of: "+list(ActorKinds)+".")
	}
	if !ValidSlug(in.Side) {
		p.Add("side", "Enter a side such as russia, ukraine or united-states.")
	}
	if utf8.RuneCountInString(in.Role) > 300 {
		p.Add("role", "Keep the role under 300 characters.")
	}
	if in.Parent != "" && in.Parent == in.Slug {
		p.Add("parent", "An actor cannot be its own parent.")
	}
	seen := map[string]bool{strings.ToLower(strings.TrimSpace(in.Name)): true}
	for _, a := range in.Aliases {
		k := strings.ToLower(strings.TrimSpace(a))
		if k == "" || seen[k] {
			p.Add("aliases", "Aliases must be non-empty, different from the name and from each other.")
		}
		seen[k] = true
	}
	return p.Err()
}
