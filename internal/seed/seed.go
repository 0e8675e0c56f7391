// Package seed holds Parley's first dataset, built from five news articles
// (see README.md beside this file), and turns it into store input.
package seed

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"parley"

	"parley/internal/store"
)

//go:embed seed.json
var raw []byte

// File is the dataset as written in seed.json.
type File struct {
	Regions []struct {
		Slug, Name, Country string
		Kind                parley.RegionKind
	} `json:"regions"`
	Sides []struct {
		Slug, Name string
		Role       parley.SideRole
	} `json:"sides"`
	Sources []struct {
		Ref, Outlet, Title, Published, Via, URL string
	} `json:"sources"`
	Actors []struct {
		Slug, Name, Side, Role, Parent string
		Kind                           parley.ActorKind
		Aliases                        []string
	} `json:"actors"`
	Demands []struct {
		Slug, Title, Description, Side string
		Category                       parley.Category
		Regions                        []string
		Converse                       string
		Keywords                       []string
	} `json:"demands"`
	Statements []Statement `json:"statements"`
}

// Statement is one statement record of seed.json.
type Statement struct {
	Key string `json:"key"`
	// Absorbs are keys of statements of an earlier version of the dataset
	// that reported this same utterance and are merged into this one.
	Absorbs     []string           `json:"absorbs,omitempty"`
	Actor       string             `json:"actor"`
	Date        string             `json:"date"` // YYYY-MM-DD, YYYY-MM or YYYY: the form is the precision
	Quote       string             `json:"quote"`
	Summary     string             `json:"summary"`
	Occasion    string             `json:"occasion"`
	Attribution parley.Attribution `json:"attribution"`
	// Reports are the articles that report it (by source ref), earliest
	// published first, each with the quote as it gives it.
	Reports []struct {
		Source string `json:"source"`
		Quote  string `json:"quote"`
	} `json:"reports"`
	Regions   []string `json:"regions"`
	Positions []struct {
		Demand     string             `json:"demand"`
		Stance     parley.Stance      `json:"stance"`
		Conditions []parley.Condition `json:"conditions,omitempty"`
	} `json:"positions"`
}

// Source is the ref of the statement's primary report.
func (s Statement) Source() string {
	if len(s.Reports) == 0 {
		return ""
	}
	return s.Reports[0].Source
}

// Raw returns the dataset as written.
func Raw() (File, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("seed: parse seed.json: %w", err)
	}
	return f, nil
}

// Data returns the dataset as store input.
func Data() (store.SeedData, error) {
	f, err := Raw()
	if err != nil {
		return store.SeedData{}, err
	}
	var d store.SeedData
	for _, r := range f.Regions {
		d.Regions = append(d.Regions, parley.RegionInput{Slug: r.Slug, Name: r.Name, Country: r.Country, Kind: r.Kind})
	}
	for _, s := range f.Sides {
		d.Sides = append(d.Sides, parley.SideInput{Slug: s.Slug, Name: s.Name, Role: s.Role})
	}
	for _, s := range f.Sources {
		in := parley.SourceInput{Ref: s.Ref, Outlet: s.Outlet, Title: s.Title, URL: s.URL, Via: s.Via}
		if s.Published != "" {
			if in.Published, err = parley.ParseDate(s.Published); err != nil {
				return d, fmt.Errorf("seed: source %q: %w", s.Ref, err)
			}
		}
		d.Sources = append(d.Sources, in)
	}
	for _, a := range f.Actors {
		d.Actors = append(d.Actors, parley.ActorInput{Slug: a.Slug, Name: a.Name, Kind: a.Kind, Side: a.Side,
			Role: a.Role, Parent: a.Parent, Aliases: a.Aliases})
	}
	for _, x := range f.Demands {
		d.Demands = append(d.Demands, parley.DemandInput{Slug: x.Slug, Title: x.Title, Description: x.Description,
			Side: x.Side, Category: x.Category, Regions: x.Regions, Converse: x.Converse, Keywords: x.Keywords})
	}
	for _, s := range f.Statements {
		date, err := parley.ParseDate(s.Date)
		if err != nil {
			return d, fmt.Errorf("seed: statement %q: %w", s.Key, err)
		}
		in := store.SeedStatement{Absorbs: s.Absorbs, StatementInput: parley.StatementInput{
			Actor: s.Actor, Date: date, Quote: s.Quote, Summary: s.Summary, Occasion: s.Occasion,
			Attribution: s.Attribution, Regions: s.Regions, SeedKey: s.Key,
		}}
		for _, r := range s.Reports {
			in.Reports = append(in.Reports, store.SeedReport{SourceRef: r.Source, Quote: r.Quote})
		}
		for _, p := range s.Positions {
			in.Positions = append(in.Positions, parley.PositionInput{Demand: p.Demand, Stance: p.Stance, Conditions: p.Conditions})
		}
		d.Statements = append(d.Statements, in)
	}
	return d, nil
}
