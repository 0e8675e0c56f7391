package main

import (
	"net/http"
	"strings"
	"testing"

	"parley/internal/testdb"
)

// TestReleaseCommand publishes a release from the command line while serve
// runs on the same database, as an admin would from the page.
func TestReleaseCommand(t *testing.T) {
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": testdb.URL(t), "DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn",
		"BASE_URL": "https://parley.example.org"}
	srv := startServe(t, env)
	out := command(t, env, "", "release", "-name", "v2026.12", "-notes", "The December release")
	if !strings.HasPrefix(out, "published release v2026.12: The first release: ") {
		t.Errorf("release printed %q, want what it published", out)
	}
	status, body := fetch(t, srv.url+"/releases")
	if status != http.StatusOK || !strings.Contains(body, "The December release") ||
		!strings.Contains(body, "https://parley.example.org/releases#v2026.12") {
		t.Errorf("GET /releases = %d, without the release, its notes or its citation", status)
	}
	for _, tt := range []struct{ name, want string }{
		{"v2026.12", "exists already"},
		{"December 2026", "lowercase letters and digits"},
		{"", "-name is required"},
	} {
		if _, err := commandErr(env, "", "release", "-name", tt.name); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("release -name %q: err = %v, want it to say %q", tt.name, err, tt.want)
		}
	}
	if err := srv.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}
