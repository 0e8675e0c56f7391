package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
)

// config is Parley's configuration, read from the environment.
type config struct {
	DatabaseURL  string // empty: the embedded cluster under DataDir
	ReadURL      string // a read replica for anonymous browsing, or empty
	Addr         string
	DataDir      string
	LogLevel     slog.Level
	CookieSecure string // true or false
	ReadAccess   string // public or signed-in
	BaseURL      string // public address for absolute links, or empty
	Review       string // two-person or off
	// TrustedProxies are the proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		DatabaseURL:  getenv("DATABASE_URL"),
		ReadURL:      getenv("DATABASE_READ_URL"),
		Addr:         getenv("ADDR"),
		DataDir:      getenv("DATA_DIR"),
		CookieSecure: strings.ToLower(getenv("COOKIE_SECURE")),
		ReadAccess:   strings.ToLower(getenv("READ_ACCESS")),
		BaseURL:      getenv("BASE_URL"),
		Review:       strings.ToLower(orDefault(getenv("REVIEW"), "two-person")),
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.DataDir == "" {
		c.DataDir = "./.data"
	}
	if c.CookieSecure == "" {
		c.CookieSecure = "false"
	}
	if c.ReadAccess == "" {
		c.ReadAccess = "public"
	}
	if err := c.LogLevel.UnmarshalText([]byte(orDefault(getenv("LOG_LEVEL"), "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %q is not one of debug, info, warn, error", getenv("LOG_LEVEL"))
	}
	switch c.CookieSecure {
	case "true", "false":
	default:
		return c, fmt.Errorf("COOKIE_SECURE: %q is not true or false", c.CookieSecure)
	}
	switch c.ReadAccess {
	case "public", "signed-in":
	default:
		return c, fmt.Errorf("READ_ACCESS: %q is not one of public, signed-in", c.ReadAccess)
	}
	switch c.Review {
	case "two-person", "off":
	default:
		return c, fmt.Errorf("REVIEW: %q is not two-person or off", c.Review)
	}
	if c.ReadURL != "" && c.DatabaseURL == "" {
		return c, fmt.Errorf("DATABASE_READ_URL: a read replica needs DATABASE_URL (the embedded cluster has no replicas)")
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("BASE_URL: %q is not an http(s) address like https://parley.example.org", c.BaseURL)
		}
	}
	proxies, err := parseTrustedProxies(getenv("TRUSTED_PROXIES"))
	if err != nil {
		return c, fmt.Errorf("TRUSTED_PROXIES: %q is not a list of addresses or CIDR ranges like 10.0.0.0/8, ::1: %v", getenv("TRUSTED_PROXIES"), err)
	}
	c.TrustedProxies = proxies
	return c, nil
}

// parseTrustedProxies reads a list of proxy addresses or CIDR ranges,
// separated by commas or spaces (TRUSTED_PROXIES). A bare address stands
// for itself alone.
func parseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
