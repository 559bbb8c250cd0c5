package crawl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"github.com/noticekb/noticekb/internal/notice"
)

// Guard keeps requests made on someone else's behalf (admin re-imports)
// away from the machine's own network: loopback, private, link-local
// (which holds cloud metadata services at 169.254.169.254), shared and
// unspecified addresses are refused unless AllowPrivate is set. The check
// runs on the address actually dialled, after DNS resolution, so a name
// that resolves to a private address is refused as well.
type Guard struct {
	AllowPrivate bool
}

var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),         // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),     // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),      // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),     // benchmarking
	netip.MustParsePrefix("fd00:ec2::254/128"), // a cloud metadata service over IPv6
}

// CheckAddr returns an error wrapping notice.ErrForbidden for an address
// the guard refuses.
func (g *Guard) CheckAddr(ip netip.Addr) error {
	if g == nil || g.AllowPrivate {
		return nil
	}
	ip = ip.Unmap()
	refused := ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsValid()
	for _, p := range refusedPrefixes {
		refused = refused || p.Contains(ip)
	}
	if refused {
		return fmt.Errorf("crawl: address %s is loopback, private or link-local: %w", ip, notice.ErrForbidden)
	}
	return nil
}

// control is a net.Dialer Control function: it runs after resolution,
// before the connection is made.
func (g *Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("crawl: dial %s: %w", address, notice.ErrForbidden)
	}
	return g.CheckAddr(ap.Addr())
}

// lookupReason is what a failed lookup says, without the resolver's own
// address that net.DNSError adds.
func lookupReason(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) {
		return de.Err
	}
	return err.Error()
}

// CheckHost resolves host and checks every address it names, so a request
// can be refused before it is queued. A host that resolves to nothing gives
// an error wrapping notice.ErrUnknownHost.
func (g *Guard) CheckHost(ctx context.Context, host string) error {
	if g == nil || g.AllowPrivate {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return g.CheckAddr(ip)
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("crawl: %s does not resolve to an address (%s): %w", host, lookupReason(err), notice.ErrUnknownHost)
	}
	for _, a := range addrs {
		if err := g.CheckAddr(a); err != nil {
			return err
		}
	}
	return nil
}
