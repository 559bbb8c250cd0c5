package web

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientIP is the address a request came from: the socket's peer, or,
// when that peer is a trusted reverse proxy, the nearest address in
// X-Forwarded-For that is not itself a trusted proxy.
//
// Fiber's own ProxyHeader handling takes the leftmost X-Forwarded-For
// entry, which the client writes: a proxy that appends (nginx's
// $proxy_add_x_forwarded_for) passes a forged "X-Forwarded-For: 1.2.3.4"
// through, and the client picks any address it likes. Reading from the
// right, only addresses added by proxies we trust are skipped, so the
// first untrusted one is the client as our own proxy saw it.
func (s *Server) clientIP(c *fiber.Ctx) netip.Addr {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	peer = peer.Unmap()
	if !s.trusted(peer) {
		return peer
	}
	client := peer
	hops := forwardedFor(c)
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseHop(hops[i])
		if !ok {
			// Garbage between trusted hops: stop at the last address a
			// trusted proxy vouched for rather than guess.
			return client
		}
		client = addr
		if !s.trusted(addr) {
			return addr
		}
	}
	return client
}

// forwardedFor splits every X-Forwarded-For header of the request, in
// order, into hops.
func forwardedFor(c *fiber.Ctx) []string {
	var hops []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		for _, h := range strings.Split(string(v), ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	return hops
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port ("1.2.3.4:5678", "[::1]:80").
func parseHop(h string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client names the client of a request for rate limits and sign-in
// throttling.
func (s *Server) client(c *fiber.Ctx) string { return clientKey(s.clientIP(c)) }

// clientKey groups addresses that one client controls: an IPv6 host
// usually holds a whole /64, and could otherwise take a fresh address for
// every request.
func clientKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
