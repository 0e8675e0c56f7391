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
		{"trusted proxies", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, proxy.example.org"}, "TRUSTED_PROXIES"},
		{"trusted proxies range", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"},
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
	if err := testTrustedProxies(); err != "" {
		t.Error(err)
	}
	if _, err := commandErr(nil, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: err = %v", err)
	}
}

// testTrustedProxies checks that TRUSTED_PROXIES reads CIDR ranges and
// bare addresses, by commas or spaces; none by default.
func testTrustedProxies() string {
	c, err := loadConfig(func(k string) string {
		if k == "TRUSTED_PROXIES" {
			return "10.0.0.0/8, 192.0.2.7 2001:db8::/32,::1"
		}
		return ""
	})
	if err != nil {
		return "TRUSTED_PROXIES: " + err.Error()
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if want := "10.0.0.0/8 192.0.2.7/32 2001:db8::/32 ::1/128"; strings.Join(got, " ") != want {
		return "TRUSTED_PROXIES read as " + strings.Join(got, " ") + ", want " + want
	}
	if c, _ := loadConfig(func(string) string { return "" }); len(c.TrustedProxies) != 0 {
		return "TRUSTED_PROXIES unset trusts some proxies"
	}
	return ""
}
