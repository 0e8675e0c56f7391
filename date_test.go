package parley_test

import (
	"parley"
	"testing"
	"time"
)

// FuzzParseDate: ParseDate never panics; a date it accepts carries no more
// detail than its precision, is midnight UTC, and written in its
// precision's form reads back as the same date.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-06-14", "2024-06", "2024", "", "2024-02-30", "2024-13", "0000", "9999-12-31"} {
		f.Add(s)
	}
	layouts := map[parley.Precision]string{"day": "2006-01-02", "month": "2006-01", "year": "2006"}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parley.ParseDate(s)
		if err != nil {
			if d != (parley.Date{}) {
				t.Errorf("ParseDate(%q) failed (%v) but returned %+v", s, err, d)
			}
			return
		}
		layout, ok := layouts[d.Precision]
		if !ok {
			t.Fatalf("ParseDate(%q) precision = %q, want day, month or year", s, d.Precision)
		}
		if !d.Truncated() {
			t.Errorf("ParseDate(%q) = %v (%s): not truncated to its precision", s, d.Time, d.Precision)
		}
		if d.Time.Location() != time.UTC || d.Time.Hour()+d.Time.Minute()+d.Time.Second()+d.Time.Nanosecond() != 0 {
			t.Errorf("ParseDate(%q) = %v, want midnight UTC", s, d.Time)
		}
		written := d.Time.Format(layout)
		back, err := parley.ParseDate(written)
		if err != nil {
			t.Fatalf("ParseDate(%q) = %v; its form %q does not parse: %v", s, d.Time, written, err)
		}
		if !back.Time.Equal(d.Time) || back.Precision != d.Precision {
			t.Errorf("ParseDate(%q) = %v (%s); written %q reads back as %v (%s)", s, d.Time, d.Precision, written, back.Time, back.Precision)
		}
		if !d.Time.IsZero() && (d.String() == "" || d.ISO() == "") {
			t.Errorf("ParseDate(%q) = %v shows as %q / %q", s, d.Time, d.String(), d.ISO())
		}
	})
}
