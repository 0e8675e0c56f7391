package store

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Vocabularies of the domain, mirrored by CHECK constraints in the schema.
var (
	Stances      = []string{"insists", "supports", "open", "opposes", "rejects"}
	Precisions   = []string{"day", "month", "year"}
	Attributions = []string{"on_record", "spokesperson", "anonymous", "reported"}
	ActorKinds   = []string{"person", "government", "ministry", "military", "alliance", "organization", "analyst", "anonymous"}
	Categories   = []string{"territory", "security", "sanctions-economy", "political", "process"}
	RegionKinds  = []string{"oblast", "autonomous-republic", "city", "other"}
	Roles        = []string{"editor", "admin"}
)

// StanceScore places a stance on the five-step scale, +2 (insists) to -2
// (rejects).
func StanceScore(stance string) int {
	switch stance {
	case "insists":
		return 2
	case "supports":
		return 1
	case "opposes":
		return -1
	case "rejects":
		return -2
	}
	return 0
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s is lowercase ASCII words joined by hyphens
// and not a word the site's addresses use themselves (/actors/new).
func ValidSlug(s string) bool { return len(s) <= 100 && slugRE.MatchString(s) && s != "new" }

// Date is a calendar date known to a precision: for "month" only the year
// and month mean anything, for "year" only the year.
type Date struct {
	Time      time.Time // midnight UTC; day 1 / January 1 when less precise
	Precision string    // day, month or year
}

// ParseDate reads "2024-06-14", "2024-06" or "2024"; the form is the precision.
func ParseDate(s string) (Date, error) {
	for _, f := range []struct{ layout, precision string }{
		{"2006-01-02", "day"}, {"2006-01", "month"}, {"2006", "year"},
	} {
		if t, err := time.Parse(f.layout, s); err == nil {
			return Date{Time: t, Precision: f.precision}, nil
		}
	}
	return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD, YYYY-MM or YYYY)", s)
}

// Truncated reports whether t carries no more detail than precision allows.
func (d Date) Truncated() bool {
	switch d.Precision {
	case "day":
		return true
	case "month":
		return d.Time.Day() == 1
	case "year":
		return d.Time.Day() == 1 && d.Time.Month() == time.January
	}
	return false
}

// String shows the date honestly: "14 June 2024", "June 2024" or "2024".
func (d Date) String() string {
	if d.Time.IsZero() {
		return ""
	}
	switch d.Precision {
	case "month":
		return d.Time.Format("January 2006")
	case "year":
		return d.Time.Format("2006")
	}
	return d.Time.Format("2 January 2006")
}

// Input is the date as a person types it for its precision: 2024-06-14,
// 2024-06 or 2024 (what ParseDate reads back).
func (d Date) Input() string {
	switch {
	case d.Time.IsZero():
		return ""
	case d.Precision == "month":
		return d.Time.Format("2006-01")
	case d.Precision == "year":
		return d.Time.Format("2006")
	}
	return d.Time.Format("2006-01-02")
}

// ISO is the date as YYYY-MM-DD (first day of the period when less precise).
func (d Date) ISO() string {
	if d.Time.IsZero() {
		return ""
	}
	return d.Time.Format("2006-01-02")
}

func validPrecision(p string) bool { return slices.Contains(Precisions, p) }

// checkText reports text that cannot be stored (a NUL byte, or bytes that
// are not UTF-8) for each named field.
func checkText(p Problems, fields map[string]string) {
	for name, v := range fields {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			p.Add(name, "This contains characters that are not text (a NUL byte or broken encoding). Retype it.")
		}
	}
}

// cleanText trims text and turns CRLF line breaks (from browsers' textareas)
// into LF, so text reads back exactly as it is exported and imported.
func cleanText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}
