package parley

import (
	"fmt"
	"time"
)

// Date is a calendar date known to a precision: for Month only the year
// and month mean anything, for Year only the year.
type Date struct {
	Time      time.Time // midnight UTC; day 1 / January 1 when less precise
	Precision Precision
}

// ParseDate reads "2024-06-14", "2024-06" or "2024"; the form is the precision.
func ParseDate(s string) (Date, error) {
	for _, f := range []struct {
		layout    string
		precision Precision
	}{
		{"2006-01-02", Day}, {"2006-01", Month}, {"2006", Year},
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
	case Day:
		return true
	case Month:
		return d.Time.Day() == 1
	case Year:
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
	case Month:
		return d.Time.Format("January 2006")
	case Year:
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
	case d.Precision == Month:
		return d.Time.Format("2006-01")
	case d.Precision == Year:
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
