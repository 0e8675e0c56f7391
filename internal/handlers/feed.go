package handlers

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"parley"
	"strconv"
	"time"
)

type feedStore interface {
	catalog
	ListStatementChanges(ctx context.Context, region, demand string, limit int) ([]parley.StatementChange, error)
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

// handleChangesFeed is an Atom feed of new and changed statements,
// filterable by region and demand, for feed readers.
func handleChangesFeed(site siteURL, st feedStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		for k := range q {
			if k != "region" && k != "demand" {
				return badRequest("The feed takes region and demand; " + k + " is not one of them.")
			}
		}
		cat, err := loadCatalog(r.Context(), st, nil)
		if err != nil {
			return err
		}
		f, _, err := parseFilter(url.Values{"region": {q.Get("region")}, "demand": {q.Get("demand")}}.Encode(), cat.vocab())
		if err != nil {
			return err
		}
		changes, err := st.ListStatementChanges(r.Context(), f.Region, f.Demand, 50)
		if err != nil {
			return err
		}
		base := site(r)
		title := "Parley: new and changed statements"
		if f.Region != "" {
			title += " on " + f.Region
		}
		if f.Demand != "" {
			title += " about " + f.Demand
		}
		feed := atomFeed{Title: title, ID: base + r.URL.RequestURI(), Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
			Links: []atomLink{{Rel: "self", Href: base + r.URL.RequestURI()}}, Author: atomAuthor{Name: "Parley"}}
		for i, c := range changes {
			if i == 0 {
				feed.Updated = c.At.UTC().Format(time.RFC3339)
			}
			verb := map[string]string{"update": "Edited", "restore": "Restored"}[c.Action]
			t := c.Statement.ActorName + ", " + c.Statement.Date.String()
			if verb != "" {
				t = verb + ": " + t
			}
			feed.Entries = append(feed.Entries, atomEntry{
				Title: t, ID: base + parley.StatementPath(c.Statement.ID) + "#revision-" + strconv.FormatInt(c.RevisionID, 10),
				Updated: c.At.UTC().Format(time.RFC3339), Link: atomLink{Href: base + parley.StatementPath(c.Statement.ID)},
				Summary: c.Statement.Summary,
			})
		}
		out, err := xml.MarshalIndent(feed, "", "  ")
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
		_, err = w.Write(append([]byte(xml.Header), out...))
		return err
	}
}
