package handlers

import (
	"fmt"
	"net/url"
	"parley"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	pageSize       = 25
	maxQueryLength = 4096
	// maxPage bounds how deep a listing goes (10,000 results): deeper
	// pages cost the database the whole offset and serve no reader.
	maxPage = 400
)

// filterParams are the query parameters that take one value each.
var filterParams = []string{"q", "actor", "side", "demand", "region", "stance", "attribution", "sort", "from", "to", "as_of", "page"}

// vocab is what filters may name: the slugs that exist.
type vocab struct {
	actors, demands, regions, sides []string
}

func newVocab(actors []parley.Actor, demands []parley.Demand, regions []parley.Region) vocab {
	var v vocab
	for _, a := range actors {
		v.actors = append(v.actors, a.Slug)
		if !slices.Contains(v.sides, a.Side) {
			v.sides = append(v.sides, a.Side)
		}
	}
	for _, d := range demands {
		v.demands = append(v.demands, d.Slug)
	}
	for _, r := range regions {
		v.regions = append(v.regions, r.Slug)
	}
	slices.Sort(v.sides)
	return v
}

// parseDateParam reads an optional YYYY-MM-DD query value.
func parseDateParam(q url.Values, name string) (time.Time, error) {
	s := strings.TrimSpace(q.Get(name))
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil || t.Year() < 1000 {
		return time.Time{}, badRequest(fmt.Sprintf("%s: %q is not a date. Use YYYY-MM-DD, for example 2024-06-14.", name, s))
	}
	return t, nil
}

// oneOf reads query value name, which must be one of allowed (what names
// the kind of value in the message).
func oneOf[T ~string](q url.Values, name string, allowed []T, what string) (T, error) {
	val := T(strings.TrimSpace(q.Get(name)))
	if val != "" && !slices.Contains(allowed, val) {
		if len(allowed) > 12 {
			return "", badRequest(fmt.Sprintf("%s: there is no %s %q.", name, what, val))
		}
		words := make([]string, len(allowed))
		for i, a := range allowed {
			words[i] = string(a)
		}
		return "", badRequest(fmt.Sprintf("%s: %q is not a known %s. Use one of: %s.", name, val, what, strings.Join(words, ", ")))
	}
	return val, nil
}

// parseFilter reads the statement filters of DESIGN.md from a query string.
// Any value it cannot understand is a 400 naming the value.
func parseFilter(rawQuery string, v vocab) (parley.StatementFilter, int, error) {
	var f parley.StatementFilter
	if len(rawQuery) > maxQueryLength {
		return f, 0, badRequest("The address is too long. Remove some filters and try again.")
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return f, 0, badRequest("The address's query string is malformed.")
	}
	if err := singleValues(q); err != nil {
		return f, 0, err
	}
	f.Query = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(f.Query) > 500 {
		return f, 0, badRequest("q: the search is too long; use at most 500 characters.")
	}
	if f.Actor, err = oneOf(q, "actor", v.actors, "actor"); err != nil {
		return f, 0, err
	}
	if f.Side, err = oneOf(q, "side", v.sides, "side"); err != nil {
		return f, 0, err
	}
	if f.Demand, err = oneOf(q, "demand", v.demands, "demand"); err != nil {
		return f, 0, err
	}
	if f.Region, err = oneOf(q, "region", v.regions, "region"); err != nil {
		return f, 0, err
	}
	if f.Stance, err = oneOf(q, "stance", parley.Stances, "stance"); err != nil {
		return f, 0, err
	}
	if f.Attribution, err = oneOf(q, "attribution", parley.Attributions, "attribution"); err != nil {
		return f, 0, err
	}
	if f.Sort, err = oneOf(q, "sort", parley.Sorts, "sort order"); err != nil {
		return f, 0, err
	}
	if f.Sort == "" {
		// Newest first, also for text searches: it is what a tracker of
		// positions is read for, and it stays fast however common the
		// words (an index walk in date order); relevance is a choice.
		f.Sort = "date"
	}
	if f.From, err = parseDateParam(q, "from"); err != nil {
		return f, 0, err
	}
	if f.To, err = parseDateParam(q, "to"); err != nil {
		return f, 0, err
	}
	if f.AsOf, err = parseDateParam(q, "as_of"); err != nil {
		return f, 0, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.From.After(f.To) {
		return f, 0, badRequest("from is after to: choose a start date on or before the end date.")
	}
	page := 1
	if p := strings.TrimSpace(q.Get("page")); p != "" {
		page, err = strconv.Atoi(p)
		if err != nil || page < 1 {
			return f, 0, badRequest(fmt.Sprintf("page: %q is not a page number (1 to %d).", p, maxPage))
		}
		if page > maxPage {
			return f, 0, badRequest(fmt.Sprintf("page: Parley lists the first %d pages of a result; narrow it with the filters, or export it, to see what lies beyond page %d.", maxPage, maxPage))
		}
	}
	f.Limit = pageSize
	f.Offset = (page - 1) * pageSize
	return f, page, nil
}

// singleValues answers 400 when a filter is given two different values
// (repeats of one value count once): a filter takes one, and a long list
// of them must not cost a query each.
func singleValues(q url.Values) error {
	for _, k := range filterParams {
		vs := q[k]
		for _, v := range vs[min(1, len(vs)):] {
			if v != vs[0] {
				return badRequest(fmt.Sprintf("%s: give one value; the address gives %s more than once with different values.", k, k))
			}
		}
		if len(vs) > 1 {
			q[k] = vs[:1]
		}
	}
	return nil
}
