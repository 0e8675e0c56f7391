package parley

import (
	"strings"
	"unicode/utf8"
)

// Region is a territory that statements and demands concern.
type Region struct {
	ID      int64      `json:"id"`
	Slug    string     `json:"slug"`
	Name    string     `json:"name"`
	Country string     `json:"country"`
	Kind    RegionKind `json:"kind"`
	Version int        `json:"version"`
}

// RegionInput is what an editor or the seed supplies for a region.
type RegionInput struct {
	Slug, Name, Country string
	Kind                RegionKind
}

// Validate checks the input against the domain's rules.
func (in RegionInput) Validate() error {
	p := Problems{}
	p.CheckText(map[string]string{"name": in.Name, "country": in.Country})
	if !ValidSlug(in.Slug) {
		p.Add("slug", "Use lowercase letters, digits and single hyphens, like \"donetsk\".")
	}
	if strings.TrimSpace(in.Name) == "" {
		p.Add("name", "Enter the region's name.")
	} else if utf8.RuneCountInString(in.Name) > 200 {
		p.Add("name", "Keep the name under 200 characters.")
	}
	if strings.TrimSpace(in.Country) == "" {
		p.Add("country", "Enter the country the region belongs to.")
	} else if utf8.RuneCountInString(in.Country) > 100 {
		p.Add("country", "Keep the country under 100 characters.")
	}
	if !in.Kind.Valid() {
		p.Add("kind", "Choose one of: "+list(RegionKinds)+".")
	}
	return p.Err()
}

// RegionPage is one page of a region's timeline with the chart's counts.
type RegionPage struct {
	StatementPage
	Counts []StanceCount // by year and stance, as CountStancesByYear
}
