package web

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
)

// connLimiter is a listener that lets one address hold at most max open
// connections; more are answered 429 and closed at once. Slow clients
// (slowloris) hold connections rather than requests, so this is where they
// are bounded; the read timeout bounds how long each is held.
//
// fasthttp has MaxConnsPerIP, but its connection wrapper is not safe to
// close twice (v1.51: a nil dereference on shutdown that ends the process).
type connLimiter struct {
	net.Listener
	max int

	mu    sync.Mutex
	count map[netip.Addr]int
}

func limitConns(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		return ln
	}
	return &connLimiter{Listener: ln, max: max, count: map[netip.Addr]int{}}
}

// tooMany is written to a connection over the limit before it is closed.
var tooMany = func() []byte {
	const body = "Too many connections from your address.\n"
	return fmt.Appendf(nil, "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}()

func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := peerAddr(c)
		l.mu.Lock()
		over := l.count[addr] >= l.max
		if !over {
			l.count[addr]++
		}
		l.mu.Unlock()
		if over {
			go refuse(c)
			continue
		}
		return &limitedConn{Conn: c, release: func() { l.release(addr) }}, nil
	}
}

func refuse(c net.Conn) {
	c.SetWriteDeadline(time.Now().Add(time.Second))
	c.Write(tooMany)
	c.Close()
}

func (l *connLimiter) release(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count[addr]--; l.count[addr] <= 0 {
		delete(l.count, addr)
	}
}

func peerAddr(c net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// limitedConn gives its slot back once, however often it is closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
