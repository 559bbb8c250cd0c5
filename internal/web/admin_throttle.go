package web

import (
	"sync"
	"time"
)

// throttle slows down guessing the admin token: each client (an IPv4
// address, or an IPv6 /64, which one machine often owns whole) may fail
// to sign in a few times, then must wait before trying again, twice as
// long after each further failure, up to a quarter of an hour. While it
// waits, its wrong tokens are refused with the wait (and lengthen it),
// but the right token is still taken: an address is often shared (an
// office behind one NAT), and a guesser there must not lock the admin
// out. A success forgets its failures.
type throttle struct {
	mu      sync.Mutex
	clients map[string]*failures
	now     func() time.Time
}

type failures struct {
	count int
	last  time.Time
	until time.Time // no attempt is read before then
}

const (
	freeFailures = 3
	firstWait    = time.Second
	longestWait  = 15 * time.Minute
	// forgetAfter is how long a client's failures are remembered.
	forgetAfter = time.Hour
	// maxClients bounds memory under many-address guessing.
	maxClients = 10000
)

func newThrottle(now func() time.Time) *throttle {
	return &throttle{clients: map[string]*failures{}, now: now}
}

// wait is how long client must still wait before its next attempt.
func (t *throttle) wait(client string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.clients[client]
	if !ok {
		return 0
	}
	return max(f.until.Sub(t.now()), 0)
}

// fail records a failed attempt and returns how long client must now wait.
func (t *throttle) fail(client string) time.Duration {
	_, wait := t.failWhileWaiting(client)
	return wait
}

// failWhileWaiting records a failed attempt and reports whether the
// client was already waiting when it came, and how long it must wait now.
func (t *throttle) failWhileWaiting(client string) (bool, time.Duration) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.clients[client]
	if !ok || now.Sub(f.last) > forgetAfter {
		t.makeRoomLocked(now)
		f = &failures{}
		t.clients[client] = f
	}
	waiting := f.until.After(now)
	f.count++
	f.last = now
	if f.count > freeFailures {
		wait := min(firstWait<<min(f.count-freeFailures-1, 20), longestWait)
		f.until = now.Add(wait)
	}
	return waiting, max(f.until.Sub(now), 0)
}

func (t *throttle) succeed(client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.clients, client)
}

// makeRoomLocked forgets old failures, and the stalest client if the
// table is still full.
func (t *throttle) makeRoomLocked(now time.Time) {
	if len(t.clients) < maxClients {
		return
	}
	var stalest string
	var at time.Time
	for k, f := range t.clients {
		if now.Sub(f.last) > forgetAfter && now.After(f.until) {
			delete(t.clients, k)
			continue
		}
		if at.IsZero() || f.last.Before(at) {
			stalest, at = k, f.last
		}
	}
	if len(t.clients) >= maxClients {
		delete(t.clients, stalest)
	}
}
