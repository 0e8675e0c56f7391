package handlers

import (
	"crypto/rand"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// clientAddr is the address a request came from: the peer, or, when the
// peer is one of the trusted proxies, the address the proxies say they
// were asked by in X-Forwarded-For. The header is read from the right (the
// entry the nearest proxy added) past every trusted proxy, so a client
// cannot choose its address by sending the header itself.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	addr := peerAddr(r)
	if !isTrusted(addr, trusted) {
		return addr
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for _, h := range slices.Backward(hops) {
		a, ok := parseHop(h)
		if !ok {
			return addr // the last address a trusted proxy vouched for
		}
		addr = a
		if !isTrusted(addr, trusted) {
			return addr
		}
	}
	return addr
}

// peerAddr is the address of the connection's other end.
func peerAddr(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap().WithZone("")
}

// parseHop reads one X-Forwarded-For entry: an address, perhaps with a port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// throttleKey is what sign-in throttling counts a client address under:
// an IPv4 address, or the /64 an IPv6 address belongs to (one subscriber
// usually holds a whole /64, so counting single addresses would give one
// person billions of them).
func throttleKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// deviceCookie marks a browser an account has signed in from, so that its
// sign-in attempts there are throttled apart from everyone else's (OWASP's
// "device cookies"): failures elsewhere cannot keep the holder out of a
// browser they use. It grants nothing else. Over HTTPS its name carries
// the __Host- prefix, as the session cookie's does.
type deviceCookie struct {
	name   string
	secure bool
}

func newDeviceCookie(secure bool) deviceCookie {
	if secure {
		return deviceCookie{name: "__Host-parley_device", secure: true}
	}
	return deviceCookie{name: "parley_device"}
}

// read returns the token the browser presents, or "".
func (d deviceCookie) read(r *http.Request) string {
	c, err := r.Cookie(d.name)
	if err != nil || len(c.Value) > 100 {
		return ""
	}
	return c.Value
}

// set gives the browser a new token for a year.
func (d deviceCookie) set(w http.ResponseWriter) string {
	token := rand.Text()
	http.SetCookie(w, &http.Cookie{Name: d.name, Value: token, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: d.secure, SameSite: http.SameSiteStrictMode})
	return token
}
