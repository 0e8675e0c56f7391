package parley

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Source is where a statement was reported.
type Source struct {
	ID        int64  `json:"id"`
	Ref       string `json:"ref,omitempty"`
	Outlet    string `json:"outlet"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published Date   `json:"published"`
	Via       string `json:"via"`
	Version   int    `json:"version"`
}

// SourceInput is what an editor or the seed supplies for a source.
// Published may be zero (unknown).
type SourceInput struct {
	Ref, Outlet, Title, URL, Via string
	Published                    Date
}

// Validate checks the input against the domain's rules.
func (in SourceInput) Validate() error {
	p := Problems{}
	p.CheckText(map[string]string{"outlet": in.Outlet, "title": in.Title, "url": in.URL, "via": in.Via})
	if strings.TrimSpace(in.Outlet) == "" {
		p.Add("outlet", "Enter the outlet that reported it.")
	} else if utf8.RuneCountInString(in.Outlet) > 200 {
		p.Add("outlet", "Keep the outlet under 200 characters.")
	}
	if utf8.RuneCountInString(in.Via) > 300 {
		p.Add("via", "Keep “via” under 300 characters.")
	}
	if utf8.RuneCountInString(in.Title) > 500 {
		p.Add("title", "Keep the headline under 500 characters.")
	}
	if u := strings.TrimSpace(in.URL); u != "" && !validURL(u) {
		p.Add("url", "Enter a web address starting with http:// or https://.")
	}
	if !in.Published.Time.IsZero() && (!in.Published.Precision.Valid() || !in.Published.Truncated()) {
		p.Add("published", "The published date does not match its precision.")
	}
	return p.Err()
}

func validURL(u string) bool {
	l := strings.ToLower(u)
	return (strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")) &&
		len(u) > len("https://") && len(u) <= 2000 && strings.IndexFunc(u, unicode.IsSpace) < 0
}
