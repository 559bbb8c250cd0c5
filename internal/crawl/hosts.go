package crawl

import (
	"context"
	"sync"
	"time"
)

// Hosts paces every crawl of one process host by host: whichever crawl
// asks, a host gets one request per delay and no more than the
// concurrency limit at once, and its robots.txt is read once for all of
// them (kept for RobotsMaxAge). Without it (Config.Hosts nil), each crawl
// paces only itself, which is enough for one crawl at a time.
type Hosts struct {
	// RobotsMaxAge is how long a robots.txt read is used by later crawls;
	// 0 means an hour.
	RobotsMaxAge time.Duration

	mu    sync.Mutex
	hosts map[string]*sharedHost
}

// sharedHost is one host's state across crawls.
type sharedHost struct {
	next     time.Time // earliest start of the next request
	inFlight int
	robots   *robotsRules
	robotsAt time.Time
}

// NewHosts returns the pacing of a process's crawls.
func NewHosts() *Hosts { return &Hosts{hosts: map[string]*sharedHost{}} }

func (hs *Hosts) host(name string) *sharedHost {
	h := hs.hosts[name]
	if h == nil {
		h = &sharedHost{}
		hs.hosts[name] = h
	}
	return h
}

// take reserves a request to host now, if its delay has passed and fewer
// than limit requests are in flight; otherwise it says when to ask again.
// The previous next time is returned, for give.
func (hs *Hosts) take(name string, now time.Time, delay time.Duration, limit int) (ok bool, retry, prev time.Time) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.host(name)
	switch {
	case now.Before(h.next):
		return false, h.next, time.Time{}
	case h.inFlight >= limit:
		// Another crawl's request will end; look again shortly.
		return false, now.Add(min(max(delay, 10*time.Millisecond), 250*time.Millisecond)), time.Time{}
	}
	prev = h.next
	h.next = now.Add(delay)
	h.inFlight++
	return true, time.Time{}, prev
}

// give returns a reservation that was not used.
func (hs *Hosts) give(name string, prev time.Time) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.host(name)
	h.inFlight--
	h.next = prev
}

// done ends a request.
func (hs *Hosts) done(name string) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	hs.host(name).inFlight--
}

// pause keeps every crawl off host until until (a Retry-After).
func (hs *Hosts) pause(name string, until time.Time) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.host(name)
	h.next = maxTime(h.next, until)
}

// wait blocks until a request to host may start and reserves it; call
// done when it has ended.
func (hs *Hosts) wait(ctx context.Context, name string, delay time.Duration, limit int) error {
	for {
		ok, retry, _ := hs.take(name, time.Now(), delay, limit)
		if ok {
			return nil
		}
		if !sleep(ctx, time.Until(retry)) {
			return ctx.Err()
		}
	}
}

func (hs *Hosts) maxAge() time.Duration {
	if hs.RobotsMaxAge <= 0 {
		return time.Hour
	}
	return hs.RobotsMaxAge
}

// robots returns host's robots.txt rules if they were read recently.
func (hs *Hosts) robots(name string, now time.Time) *robotsRules {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.host(name)
	if h.robots == nil || now.Sub(h.robotsAt) >= hs.maxAge() {
		return nil
	}
	return h.robots
}

// keepRobots remembers host's robots.txt rules as read at now. Rules that
// could not be read are not kept: the next crawl tries again.
func (hs *Hosts) keepRobots(name string, r *robotsRules, now time.Time) {
	if r == nil || r.deny {
		return
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.host(name)
	h.robots, h.robotsAt = r, now
}
