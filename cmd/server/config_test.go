package main

import (
	"net/http"
	"strings"
	"testing"

	"parley/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestServeUsesDatabaseURL(t *testing.T) {
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": testdb.URL(t), "DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn"}
	srv := startServe(t, env)
	status, body := fetch(t, srv.url+"/")
	if status != http.StatusOK || !strings.Contains(body, "Pete Hegseth") {
		t.Errorf("GET / = %d, seeded content missing", status)
	}
	if err := srv.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func TestBadConfigurationIsExplained(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"cookie secure", map[string]string{"COOKIE_SECURE": "maybe"}, "COOKIE_SECURE"},
		{"read access", map[string]string{"READ_ACCESS": "everyone"}, "READ_ACCESS"},
		{"base url", map[string]string{"BASE_URL": "parley.example.org"}, "BASE_URL"},
		{"read url without database url", map[string]string{"DATABASE_READ_URL": "postgres://replica.example.org/parley"}, "DATABASE_READ_URL"},
		{"read url unreachable", map[string]string{"ADDR": "127.0.0.1:0", "DATABASE_URL": testdb.URL(t),
			"DATABASE_READ_URL": "postgres://parley:secret-pw@127.0.0.1:1/parley?connect_timeout=5"}, "DATABASE_READ_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := commandErr(tt.env, "", "serve")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run = %v, want an error naming %s", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "secret-pw") {
				t.Errorf("run = %v: the error shows the password", err)
			}
		})
	}
	if _, err := commandErr(nil, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: err = %v", err)
	}
}
