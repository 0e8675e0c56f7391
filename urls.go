package parley

import (
	"net/url"
	"strconv"
	"time"
)

// The paths of Parley's pages, built here for handlers and views alike.

// ActorPath is the page of the actor with slug.
func ActorPath(slug string) string { return KindActor.Path(slug) }

// DemandPath is the page of the demand with slug.
func DemandPath(slug string) string { return KindDemand.Path(slug) }

// RegionPath is the page of the region with slug.
func RegionPath(slug string) string { return KindRegion.Path(slug) }

// SidePath is the page of the side with slug.
func SidePath(slug string) string { return KindSide.Path(slug) }

// StatementPath is the page of the statement with id.
func StatementPath(id int64) string { return KindStatement.Path(strconv.FormatInt(id, 10)) }

// SourcePath is the page of the source with id.
func SourcePath(id int64) string { return KindSource.Path(strconv.FormatInt(id, 10)) }

// PositionStatementsURL is the search for actor's statements on demand,
// with asOfParam (AsOfParam's). The dashboard builds over a thousand per
// page, so it is written out rather than through StatementsURL.
func PositionStatementsURL(actor, demand, asOfParam string) string {
	return KindStatement.Index() + "?actor=" + url.QueryEscape(actor) + "&demand=" + url.QueryEscape(demand) + asOfParam
}

// AsOfParam is "&as_of=YYYY-MM-DD" for PositionStatementsURL, or "" for
// today (zero asOf).
func AsOfParam(asOf time.Time) string {
	if asOf.IsZero() {
		return ""
	}
	return "&as_of=" + asOf.Format("2006-01-02")
}

// Values writes f as query parameters (without page), so links keep every
// filter. withRegion leaves the region out on a region's own page.
func (f StatementFilter) Values(withRegion bool) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	}
	set("q", f.Query)
	set("actor", f.Actor)
	set("side", f.Side)
	set("demand", f.Demand)
	if withRegion {
		set("region", f.Region)
	}
	set("stance", string(f.Stance))
	set("attribution", string(f.Attribution))
	set("from", date(f.From))
	set("to", date(f.To))
	set("as_of", date(f.AsOf))
	if f.Sort != "" && f.Sort != "date" {
		q.Set("sort", f.Sort)
	}
	return q
}

// StatementsURL is the search page for f.
func StatementsURL(f StatementFilter) string {
	if q := f.Values(true).Encode(); q != "" {
		return KindStatement.Index() + "?" + q
	}
	return KindStatement.Index()
}
