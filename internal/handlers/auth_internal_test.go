package handlers

import "testing"

func TestSafeNextKeepsOnlyLocalPaths(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/statements/new", "/statements/new"},
		{"/statements?q=putin&actor=x", "/statements?q=putin&actor=x"},
		{"", ""},
		{"https://evil.example/", ""},
		{"//evil.example", ""},
		{"/\\evil.example", ""},
		{"/\t/evil.example", ""},
		{"/\n/evil.example", ""},
		{"\\\\evil.example", ""},
		{"javascript:alert(1)", ""},
		{"statements", ""},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
