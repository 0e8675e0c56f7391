package handlers_test

import (
	"net/http"
	"slices"
	"testing"
)

// The analyst pages, seen as a user sees them: status codes, the text inside
// elements found by data-testid, and the statements listed. Expectations are
// computed from seed.json, so the tests follow the dataset.

// ---- Empty database ----

func TestEmptyDatabaseShowsHonestEmptyStates(t *testing.T) {
	e := newEnv(t, false)
	body := e.wantStatus(t, "/", http.StatusOK)
	if len(byTestID(body, "empty")) == 0 {
		t.Error("dashboard: no empty state")
	}
	if len(byTestID(body, "matrix")) != 0 {
		t.Error("dashboard: an empty matrix is drawn")
	}
	body = e.wantStatus(t, "/statements", http.StatusOK)
	if got := total(t, body); got != 0 {
		t.Errorf("total = %d, want 0", got)
	}
	if n := len(byTestID(body, "statement")); n != 0 {
		t.Errorf("%d statements listed, want 0", n)
	}
	if len(byTestID(body, "empty")) == 0 {
		t.Error("/statements: no empty message")
	}
	for _, path := range []string{"/actors", "/demands", "/regions"} {
		e.wantStatus(t, path, http.StatusOK)
	}
}

// ---- Hostile input ----

// DESIGN.md: no user input ever produces a 500. Text that PostgreSQL cannot
// store (a NUL byte, bytes that are not UTF-8) is still user input: it must
// be refused as a bad request or found to name nothing.
func TestMalformedTextIsNeverA500(t *testing.T) {
	e := newEnv(t, true)
	for _, tc := range []struct {
		name, path string
		want       []int
	}{
		{"NUL in search", "/statements?q=ok%00", []int{http.StatusOK, http.StatusBadRequest}},
		{"invalid UTF-8 in search", "/statements?q=%ff%fe", []int{http.StatusOK, http.StatusBadRequest}},
		{"truncated UTF-8 in search", "/statements?q=%e2%82", []int{http.StatusOK, http.StatusBadRequest}},
		{"NUL in actor slug", "/actors/%00", []int{http.StatusNotFound, http.StatusBadRequest}},
		{"NUL in demand slug", "/demands/%00", []int{http.StatusNotFound, http.StatusBadRequest}},
		{"NUL in region slug", "/regions/%00", []int{http.StatusNotFound, http.StatusBadRequest}},
		{"invalid UTF-8 in actor slug", "/actors/%ff", []int{http.StatusNotFound, http.StatusBadRequest}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := e.get(t, tc.path)
			if !slices.Contains(tc.want, res.StatusCode) {
				t.Errorf("GET %s = %d (%q), want one of %v", tc.path, res.StatusCode, errorMessage(body), tc.want)
			}
		})
	}
}
