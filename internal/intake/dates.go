package intake

import (
	"parley"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The date rules. Every expression resolves against the published date
// and never claims more than the text and that date establish: a weekday
// or "yesterday" is a day only in an article known to the day; "last
// week" is a month (the year when the week spans two months); a month
// without a year is the latest such month not after publication.

const monthRE = `(January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)`
const weekdayRE = `(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`

// dateRule is one kind of date expression; rules earlier in the list win
// where expressions overlap.
type dateRule struct {
	re      *regexp.Regexp
	resolve func(m []string, pub parley.Date, ctx *dateContext) (parley.Date, string)
}

// dateContext carries what earlier expressions in the paragraph said: the
// last date with an explicit year, for "On August 12" after "On August 6,
// 2024".
type dateContext struct {
	last time.Time
}

var dateRules = []dateRule{
	{regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		t, err := time.Parse("2006-01-02", m[0])
		if err != nil {
			return parley.Date{}, ""
		}
		c.last = t
		return day(t), ""
	}},
	{regexp.MustCompile(`\b` + monthRE + ` (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		return fullDate(m[3], m[1], m[2], c)
	}},
	{regexp.MustCompile(`\b(\d{1,2}) ` + monthRE + `,? (\d{4})\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		return fullDate(m[3], m[2], m[1], c)
	}},
	{regexp.MustCompile(`(?i)\bin ` + monthRE + ` (last|this) year\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		mon, ok := monthOf(m[1])
		if !ok {
			return parley.Date{}, ""
		}
		y := pub.Time.Year()
		if strings.EqualFold(m[2], "last") {
			y--
		}
		return month(y, mon), ""
	}},
	{regexp.MustCompile(`\b` + monthRE + `,? (\d{4})\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		mon, ok := monthOf(m[1])
		y, _ := strconv.Atoi(m[2])
		if !ok || y < 1900 || y > 2100 {
			return parley.Date{}, ""
		}
		return month(y, mon), ""
	}},
	{regexp.MustCompile(`\b` + monthRE + ` (\d{1,2})(?:st|nd|rd|th)?\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		return monthDay(m[1], m[2], pub, c)
	}},
	{regexp.MustCompile(`\b(\d{1,2}) ` + monthRE), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		return monthDay(m[2], m[1], pub, c)
	}},
	{regexp.MustCompile(`(?i)\b(last|this|earlier this|late last|early last) (week|month|year)\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		which := strings.ToLower(m[1])
		last := strings.HasSuffix(which, "last")
		switch strings.ToLower(m[2]) {
		case "week":
			return week(pub, last)
		case "month":
			if pub.Precision == parley.Year {
				return parley.Date{}, "the month before publication is not known"
			}
			t := pub.Time
			if last {
				t = time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, time.UTC)
			}
			return month(t.Year(), t.Month()), "month of “" + m[0] + "”"
		default:
			y := pub.Time.Year()
			if last {
				y--
			}
			return year(y), ""
		}
	}},
	{regexp.MustCompile(`(?i)\b(yesterday|today|this morning|tonight|last night)\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		back := 0
		if w := strings.ToLower(m[1]); w == "yesterday" || w == "last night" {
			back = 1
		}
		return before(pub, back)
	}},
	{regexp.MustCompile(`\b(?:(?i:(last|on|this|past)) )?` + weekdayRE + `\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		wd := weekdays[m[2]]
		back := (int(pub.Time.Weekday()) - int(wd) + 7) % 7
		if back == 0 && strings.EqualFold(m[1], "last") {
			back = 7
		}
		return before(pub, back)
	}},
	{regexp.MustCompile(`\b(?:(?i:(in|since|by|until|early|late|mid|from|during|last|this|of)) |mid-)` + monthRE + `\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		mon, ok := monthOf(m[2])
		if !ok {
			return parley.Date{}, ""
		}
		switch strings.ToLower(m[1]) {
		case "last":
			return month(latestMonth(mon, pub.Time.AddDate(0, -1, 0), pub), mon), ""
		case "this":
			return month(pub.Time.Year(), mon), ""
		}
		return month(latestMonth(mon, pub.Time, pub), mon), ""
	}},
	{regexp.MustCompile(`\b(1[89]\d\d|20\d\d)\b`), func(m []string, pub parley.Date, c *dateContext) (parley.Date, string) {
		y, _ := strconv.Atoi(m[1])
		return year(y), ""
	}},
}

// dateCues are words (folded) one of which each rule's expressions
// contain: sentences without any are not searched (most are not).
var dateCues = [][]string{
	{"-"}, months, months, months, months, months, months,
	{"week", "month", "year"}, {"yesterday", "today", "morning", "night"}, {"day"}, months,
	{"1", "2"},
}

var months = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// sentencesWith keeps the sentences whose folded text has one of cues.
func sentencesWith(d doc, sentences []sentence, cues []string) []sentence {
	var out []sentence
	for _, s := range sentences {
		for _, c := range cues {
			if strings.Contains(d.fold[s.start:s.end], c) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

var weekdays = map[string]time.Weekday{"Sunday": time.Sunday, "Monday": time.Monday, "Tuesday": time.Tuesday,
	"Wednesday": time.Wednesday, "Thursday": time.Thursday, "Friday": time.Friday, "Saturday": time.Saturday}

func monthOf(s string) (time.Month, bool) {
	s = strings.TrimSuffix(s, ".")
	for m := time.January; m <= time.December; m++ {
		if strings.HasPrefix(m.String(), s) && len(s) >= 3 {
			return m, true
		}
	}
	return 0, false
}

func day(t time.Time) parley.Date { return parley.Date{Time: t, Precision: parley.Day} }
func month(y int, m time.Month) parley.Date {
	return parley.Date{Time: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), Precision: parley.Month}
}
func year(y int) parley.Date {
	return parley.Date{Time: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), Precision: parley.Year}
}

// Truncate returns d at precision p when p is coarser than d's own.
func truncate(d parley.Date, p parley.Precision) parley.Date {
	switch {
	case p == parley.Year || d.Precision == parley.Year:
		return year(d.Time.Year())
	case p == parley.Month || d.Precision == parley.Month:
		return month(d.Time.Year(), d.Time.Month())
	}
	return d
}

// fullDate is a date the text gives whole.
func fullDate(ys, ms, ds string, c *dateContext) (parley.Date, string) {
	y, _ := strconv.Atoi(ys)
	mon, ok := monthOf(ms)
	dd, _ := strconv.Atoi(ds)
	t := time.Date(y, mon, dd, 0, 0, 0, 0, time.UTC)
	if !ok || t.Day() != dd || y < 1900 || y > 2100 {
		return parley.Date{}, ""
	}
	c.last = t
	return day(t), ""
}

// monthDay is a day the text gives without its year: the year of the last
// full date before it in the paragraph (or the next, if the day comes
// later in the calendar than that one: "August 6, 2024 … February 20"),
// else the latest such day not after publication.
func monthDay(ms, ds string, pub parley.Date, c *dateContext) (parley.Date, string) {
	mon, ok := monthOf(ms)
	dd, _ := strconv.Atoi(ds)
	if !ok || dd < 1 || dd > 31 {
		return parley.Date{}, ""
	}
	end := periodEnd(pub)
	var t time.Time
	if !c.last.IsZero() {
		t = time.Date(c.last.Year(), mon, dd, 0, 0, 0, 0, time.UTC)
		if t.Before(c.last) {
			t = t.AddDate(1, 0, 0)
		}
		if t.After(end) {
			t = time.Time{}
		}
	}
	if t.IsZero() {
		t = time.Date(end.Year(), mon, dd, 0, 0, 0, 0, time.UTC)
		if t.After(end) {
			t = time.Date(end.Year()-1, mon, dd, 0, 0, 0, 0, time.UTC)
		}
	}
	if t.Day() != dd {
		return parley.Date{}, ""
	}
	c.last = t
	return day(t), "year from the article"
}

// periodEnd is the last day the published date may be.
func periodEnd(pub parley.Date) time.Time {
	switch pub.Precision {
	case parley.Month:
		return pub.Time.AddDate(0, 1, -1)
	case parley.Year:
		return pub.Time.AddDate(1, 0, -1)
	}
	return pub.Time
}

// latestMonth is the year of the latest month mon not after the month of
// limit (an article of the year only: that year).
func latestMonth(mon time.Month, limit time.Time, pub parley.Date) int {
	if pub.Precision == parley.Year {
		return pub.Time.Year()
	}
	if mon > limit.Month() {
		return limit.Year() - 1
	}
	return limit.Year()
}

// before is the day back days before publication, to the precision the
// published date allows.
func before(pub parley.Date, back int) (parley.Date, string) {
	if pub.Precision == parley.Day {
		return day(pub.Time.AddDate(0, 0, -back)), ""
	}
	return truncate(pub, pub.Precision), "the article is dated to the " + string(pub.Precision) + " only"
}

// week is last week (or this week) as a month: the calendar week (Monday
// to Sunday) before the published one; the year when it spans two months.
func week(pub parley.Date, last bool) (parley.Date, string) {
	if pub.Precision != parley.Day {
		return truncate(pub, pub.Precision), "the article is dated to the " + string(pub.Precision) + " only"
	}
	monday := pub.Time.AddDate(0, 0, -((int(pub.Time.Weekday()) + 6) % 7))
	from, to := monday, pub.Time
	if last {
		from, to = monday.AddDate(0, 0, -7), monday.AddDate(0, 0, -1)
	}
	switch {
	case from.Month() == to.Month():
		return month(from.Year(), from.Month()), "the month of that week"
	case from.Year() == to.Year():
		return year(from.Year()), "that week spans two months"
	}
	return parley.Date{}, "that week spans two years"
}

// findDates finds every date expression and resolves it. Expressions are
// resolved in text order so each sees the paragraph's earlier dates.
func findDates(d doc, pub parley.Date, sentences []sentence) []Finding {
	type hit struct {
		start, end, rule int
		m                []string
	}
	var hits []hit
	for ri, r := range dateRules {
		eachMatch(r.re, d.text, sentencesWith(d, sentences, dateCues[ri]), func(idx []int) {
			m := make([]string, len(idx)/2)
			for g := range m {
				if idx[2*g] >= 0 {
					m[g] = d.text[idx[2*g]:idx[2*g+1]]
				}
			}
			hits = append(hits, hit{idx[0], idx[1], ri, m})
		})
	}
	// Earlier rules first, then longer: the first to claim a stretch keeps it.
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].rule < hits[j].rule })
	var kept []hit
	for _, h := range hits {
		overlaps := false
		for _, k := range kept {
			if h.start < k.end && h.end > k.start {
				overlaps = true
				break
			}
		}
		// A year inside a number ("110,000", "$2024") is no year.
		if !overlaps && h.rule == len(dateRules)-1 && h.start > 0 && strings.ContainsAny(d.text[h.start-1:h.start], ",.$€£") {
			overlaps = true
		}
		if !overlaps {
			kept = append(kept, h)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].start < kept[j].start })
	var out []Finding
	ctx := &dateContext{}
	lastNL := -1
	for _, h := range kept {
		if nl := strings.LastIndexByte(d.text[:h.start], '\n'); nl != lastNL {
			ctx, lastNL = &dateContext{}, nl // a new paragraph: forget its dates
		}
		date, note := dateRules[h.rule].resolve(h.m, pub, ctx)
		if !date.Time.IsZero() && date.Time.After(periodEnd(pub)) {
			date, note = parley.Date{}, "after the article was published"
		}
		out = append(out, Finding{Kind: KindDate, Start: h.start, End: h.end, Text: d.text[h.start:h.end], Date: date, Note: note})
	}
	return out
}
