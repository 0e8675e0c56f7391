package handlers

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestClientAddrBelievesOnlyTrustedProxies(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	tests := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct, no header", "203.0.113.5:4711", nil, "203.0.113.5"},
		{"direct, forged header", "203.0.113.5:4711", []string{"198.51.100.1"}, "203.0.113.5"},
		{"via a proxy", "10.0.0.2:4711", []string{"198.51.100.1"}, "198.51.100.1"},
		{"via a proxy, client forged the left entry", "10.0.0.2:4711", []string{"192.0.2.66, 198.51.100.1"}, "198.51.100.1"},
		{"via two proxies", "10.0.0.2:4711", []string{"198.51.100.1, 10.1.1.1"}, "198.51.100.1"},
		{"two headers", "10.0.0.2:4711", []string{"192.0.2.66", "198.51.100.1"}, "198.51.100.1"},
		{"entry with a port", "10.0.0.2:4711", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"garbage entry", "10.0.0.2:4711", []string{"198.51.100.1, not-an-address"}, "10.0.0.2"},
		{"proxy sent no header", "10.0.0.2:4711", nil, "10.0.0.2"},
		{"every hop trusted", "10.0.0.2:4711", []string{"10.9.9.9"}, "10.9.9.9"},
		{"IPv6 proxy, IPv6 client", "[2001:db8:ffff::1]:443", []string{"2001:db8:1:2::42"}, "2001:db8:1:2::42"},
		{"IPv4-mapped peer", "[::ffff:203.0.113.5]:4711", nil, "203.0.113.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/login", nil)
			r.RemoteAddr = tt.remote
			for _, h := range tt.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := clientAddr(r, proxies).String(); got != tt.want {
				t.Errorf("clientAddr = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestThrottleKeyGroupsIPv6By64(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"203.0.113.5", "203.0.113.5"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
	}
	for _, tt := range tests {
		if got := throttleKey(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("throttleKey(%s) = %s, want %s", tt.addr, got, tt.want)
		}
	}
	if got := throttleKey(netip.Addr{}); got != "unknown" {
		t.Errorf("throttleKey(no address) = %s, want unknown", got)
	}
}

func TestWaitText(t *testing.T) {
	tests := []struct {
		secs float64
		want string
	}{{0.2, "1 second"}, {1, "1 second"}, {40.1, "41 seconds"}, {60, "1 minute"}, {61, "2 minutes"}, {900, "15 minutes"}}
	for _, tt := range tests {
		if got := waitText(secondsDuration(tt.secs)); got != tt.want {
			t.Errorf("waitText(%v s) = %q, want %q", tt.secs, got, tt.want)
		}
	}
}

func secondsDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
