package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"parley"
	"time"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"parley/views"
)

// The charts a page draws inline are served alone too, to embed in a
// report or another site: the same component, so they look the same.

type demandGapStore interface {
	SideStances(ctx context.Context, asOf time.Time, demand string) ([]parley.SideStance, error)
	PartyStances(ctx context.Context, asOf time.Time) ([]parley.SideStance, error)
}

// demandGapPlot is the gap on dm as of asOf (zero: today) with the
// parties' stances a year before.
func demandGapPlot(ctx context.Context, st demandGapStore, dm parley.Demand, asOf time.Time) (views.DotPlot, parley.Gap, error) {
	stances, err := st.SideStances(ctx, asOf, dm.Slug)
	if err != nil {
		return views.DotPlot{}, parley.Gap{}, err
	}
	ref := asOf
	if ref.IsZero() {
		ref = time.Now()
	}
	before, err := st.PartyStances(ctx, ref.AddDate(-1, 0, 0))
	if err != nil {
		return views.DotPlot{}, parley.Gap{}, err
	}
	g := parley.Gaps(stances)[dm.Slug]
	return views.NewDotPlot(g, parley.Gaps(before)[dm.Slug].Parties, "a year earlier"), g, nil
}

// gapTitle names the dot plot of dm as of asOf.
func gapTitle(dm parley.Demand, asOf time.Time) string {
	t := "The gap between the parties on " + dm.Title
	if !asOf.IsZero() {
		t += ", as of " + parley.Date{Time: asOf, Precision: parley.Day}.String()
	}
	return t
}

// handleDemandGapSVG is a demand's gap as a standalone SVG dot plot,
// today or ?as_of a day.
func handleDemandGapSVG(st interface {
	demandGapStore
	GetDemand(ctx context.Context, slug string) (parley.Demand, error)
}) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		asOf, err := parseAsOf(r, "The gap chart")
		if err != nil {
			return err
		}
		dm, err := st.GetDemand(r.Context(), chi.URLParam(r, "slug"))
		if err != nil {
			return err
		}
		plot, _, err := demandGapPlot(r.Context(), st, dm, asOf)
		if err != nil {
			return err
		}
		return writeSVG(w, r, views.DotPlotSVG(plot, gapTitle(dm, asOf)))
	}
}

// handleRegionChartSVG is a region's statements per year by stance as a
// standalone SVG, with the filters of the region's page.
func handleRegionChartSVG(st regionStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := loadRegionTimeline(r, st)
		if err != nil {
			return err
		}
		return writeSVG(w, r, views.RegionChartSVG(views.NewStanceBarChart(t.res.Counts), regionChartTitle(t.region)))
	}
}

// writeSVG renders c as a standalone SVG document, with an ETag (answering
// 304 to a client that holds it) and a few minutes' caching: a chart
// embedded in a busy page is asked for often, and changes only with an edit.
func writeSVG(w http.ResponseWriter, r *http.Request, c templ.Component) error {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if err := c.Render(r.Context(), &buf); err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	if _, ok := currentUser(r); ok {
		h.Set("Cache-Control", "private, max-age=300")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", "image/svg+xml; charset=utf-8")
	_, err := w.Write(buf.Bytes())
	return err
}
