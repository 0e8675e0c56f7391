package parley

import (
	"fmt"
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
	// Converse is the slug of the demand that says the opposite (NATO
	// membership for Ukraine ⟷ its neutrality), or empty. The link is
	// symmetric: a stance on one reads as the mirrored stance on the other.
	Converse      string `json:"converse,omitempty"`
	ConverseTitle string `json:"-"`
	// (v2) Keywords are words and phrases editors list so the intake
	// assistant recognises the demand in an article besides its title.
	Keywords []string `json:"keywords"`
	Version  int      `json:"version"`
}

// DemandInput is what an editor or the seed supplies for a demand. Regions
// are region slugs.
type DemandInput struct {
	Slug, Title, Description, Side string
	Category                       Category
	Regions                        []string
	Converse                       string // the converse demand's slug, or empty
	Keywords                       []string
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
	if in.Converse != "" && in.Converse == in.Slug {
		p.Add("converse", "A demand cannot be its own converse: choose the demand that says the opposite.")
	} else if in.Converse != "" && !ValidSlug(in.Converse) {
		p.Add("converse", "Choose the converse from the list.")
	}
	if len(in.Keywords) > MaxDemandKeywords {
		p.Add("keywords", fmt.Sprintf("Keep to %d keywords at most.", MaxDemandKeywords))
	}
	seen := map[string]bool{}
	for _, k := range in.Keywords {
		key := strings.ToLower(strings.TrimSpace(k))
		switch {
		case key == "":
			p.Add("keywords", "Keywords must not be empty: one word or phrase per line.")
		case utf8.RuneCountInString(key) > 100:
			p.Add("keywords", "Keep each keyword under 100 characters.")
		case seen[key]:
			p.Add("keywords", "The keyword \""+strings.TrimSpace(k)+"\" is listed twice.")
		}
		seen[key] = true
	}
	p.CheckText(map[string]string{"keywords": strings.Join(in.Keywords, " ")})
	return p.Err()
}

// MaxDemandKeywords bounds a demand's keywords.
const MaxDemandKeywords = 50

// Converses maps each demand's slug to its converse's, for the demands
// that have one (both directions).
func Converses(demands []Demand) map[string]string {
	out := map[string]string{}
	for _, d := range demands {
		if d.Converse != "" {
			out[d.Slug], out[d.Converse] = d.Converse, d.Slug
		}
	}
	return out
}
