package parley

import (
	"strings"
	"unicode/utf8"
)

// Demand is a term a party puts on the table.
type Demand struct {
	ID          int64    `json:"id"`
	Slug        string   `json:"slug"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Side        string   `json:"side"`
	Category    Category `json:"category"`
	Regions     []string `json:"regions"` // region slugs
	Version     int      `json:"version"`
}

// DemandInput is what an editor or the seed supplies for a demand. Regions
// are region slugs.
type DemandInput struct {
	Slug, Title, Description, Side string
	Category                       Category
	Regions                        []string
}

// Validate checks the input against the domain's rules.
func (in DemandInput) Validate() error {
	p := Problems{}
	p.CheckText(map[string]string{"title": in.Title, "description": in.Description})
	if !ValidSlug(in.Slug) {
		p.Add("slug", "Use lowercase letters, digits and single hyphens, like \"ukraine-neutrality\".")
	}
	if strings.TrimSpace(in.Title) == "" {
		p.Add("title", "Enter a title.")
	} else if utf8.RuneCountInString(in.Title) > 300 {
		p.Add("title", "Keep the title under 300 characters.")
	}
	if utf8.RuneCountInString(in.Description) > 5000 {
		p.Add("description", "Keep the description under 5,000 characters.")
	}
	if !ValidSlug(in.Side) {
		p.Add("side", "Enter the side that raises it, such as russia or ukraine.")
	}
	if !in.Category.Valid() {
		p.Add("category", "Choose one of: "+list(Categories)+".")
	}
	return p.Err()
}
