package web

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// clock is a settable time for the session and throttle tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)} }

// Sessions end after an idle hour, after twelve hours of use, or when
// ended; ids are random and long, and only their hashes are kept.
func TestSessions(t *testing.T) {
	c := newClock()
	ss := newSessions(c.now)
	a := ss.create()
	if len(a.id) != 43 || strings.ContainsAny(a.id, "+/=") {
		t.Fatalf("session id %q", a.id)
	}
	if b := ss.create(); b.id == a.id {
		t.Fatal("two sessions with one id")
	}
	for k := range ss.byKey {
		if string(k[:]) == a.id {
			t.Fatal("a session id is kept as it is")
		}
	}
	for i := 0; i < 13; i++ { // used every 59 minutes for 12 h 47 min
		c.advance(59 * time.Minute)
		_, ok := ss.get(a.id)
		if want := c.t.Sub(a.created) <= sessionMax; ok != want {
			t.Fatalf("after %v of use: live %v, want %v", c.t.Sub(a.created), ok, want)
		}
	}
	idle := ss.create()
	c.advance(sessionIdle + time.Second)
	if _, ok := ss.get(idle.id); ok {
		t.Error("a session outlived an idle hour")
	}
	ended := ss.create()
	ss.end(ended.id)
	if _, ok := ss.get(ended.id); ok {
		t.Error("an ended session still works")
	}
	if _, ok := ss.get(""); ok {
		t.Error("no cookie found a session")
	}
	if _, ok := ss.get(a.id + "x"); ok {
		t.Error("a wrong id found a session")
	}
}

// The session table is bounded: the least recently used one gives way.
func TestSessionsBounded(t *testing.T) {
	c := newClock()
	ss := newSessions(c.now)
	first := ss.create()
	var last *session
	for i := 0; i < maxSessions; i++ {
		c.advance(time.Second)
		last = ss.create()
	}
	if len(ss.byKey) != maxSessions {
		t.Errorf("%d sessions kept, want %d", len(ss.byKey), maxSessions)
	}
	if _, ok := ss.get(first.id); ok {
		t.Error("the oldest session survived a full table")
	}
	if _, ok := ss.get(last.id); !ok {
		t.Error("the newest session is gone")
	}
}

// Messages wait in the session for the next page, once.
func TestFlashes(t *testing.T) {
	ss := newSessions(time.Now)
	s := ss.create()
	ss.flash(s, Flash{Text: "one"})
	ss.flash(s, Flash{Text: "two", Error: true})
	if got := ss.takeFlashes(s); len(got) != 2 || got[1].Text != "two" {
		t.Errorf("flashes %+v", got)
	}
	if got := ss.takeFlashes(s); len(got) != 0 {
		t.Errorf("flashes shown twice: %+v", got)
	}
}

// A client may fail three times freely, then waits 1 s, 2 s, 4 s… up to
// a quarter of an hour; a success, or an hour without failures, forgets.
func TestThrottle(t *testing.T) {
	c := newClock()
	th := newThrottle(c.now)
	const ip = "192.0.2.7"
	for i := 1; i <= freeFailures; i++ {
		if wait := th.fail(ip); wait != 0 {
			t.Fatalf("failure %d: wait %v", i, wait)
		}
	}
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if wait := th.fail(ip); wait != want {
			t.Fatalf("failure %d: wait %v, want %v", freeFailures+1+i, wait, want)
		}
		if got := th.wait(ip); got != want {
			t.Fatalf("wait %v, want %v", got, want)
		}
		c.advance(want)
		if got := th.wait(ip); got != 0 {
			t.Fatalf("still waiting %v after the wait", got)
		}
	}
	for i := 0; i < 30; i++ {
		th.fail(ip)
	}
	if got := th.wait(ip); got != longestWait {
		t.Errorf("after many failures: wait %v, want %v", got, longestWait)
	}
	if th.wait("192.0.2.8") != 0 {
		t.Error("another client waits too")
	}
	th.succeed(ip)
	if th.wait(ip) != 0 || th.fail(ip) != 0 {
		t.Error("a success did not forget the failures")
	}
	for i := 0; i < freeFailures; i++ {
		th.fail("192.0.2.9")
	}
	c.advance(forgetAfter + time.Second)
	if wait := th.fail("192.0.2.9"); wait != 0 {
		t.Errorf("failures an hour old still count: wait %v", wait)
	}
}

// The table of failing clients is bounded too.
func TestThrottleBounded(t *testing.T) {
	c := newClock()
	th := newThrottle(c.now)
	for i := 0; i < maxClients+50; i++ {
		c.advance(time.Millisecond)
		th.fail(fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255))
	}
	if len(th.clients) > maxClients {
		t.Errorf("%d clients remembered, at most %d", len(th.clients), maxClients)
	}
}

// A CSRF token holds only for its binding and purpose, and reads
// differently on every rendering.
func TestCSRFTokens(t *testing.T) {
	k := newCSRFKey()
	a, b := k.token(purposeSession, "session-a"), k.token(purposeSession, "session-a")
	if a == b {
		t.Error("two renderings gave the same token")
	}
	if !k.valid(purposeSession, "session-a", a) || !k.valid(purposeSession, "session-a", b) {
		t.Error("a good token refused")
	}
	other := newCSRFKey()
	for name, ok := range map[string]bool{
		"another session":   k.valid(purposeSession, "session-b", a),
		"another purpose":   k.valid(purposeSignin, "session-a", a),
		"another process":   other.valid(purposeSession, "session-a", a),
		"no binding":        k.valid(purposeSession, "", k.token(purposeSession, "")),
		"empty token":       k.valid(purposeSession, "session-a", ""),
		"truncated token":   k.valid(purposeSession, "session-a", a[:len(a)-2]),
		"not base64":        k.valid(purposeSession, "session-a", strings.Repeat("*", len(a))),
		"one character off": k.valid(purposeSession, "session-a", flip(a)),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[10] == 'A' {
		b[10] = 'B'
	} else {
		b[10] = 'A'
	}
	return string(b)
}

// After signing in, only this site's admin and notice pages are places
// to go on to.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"":                        "/admin",
		"/admin/jobs/abc":         "/admin/jobs/abc",
		"/admin/notices?q=a+b":    "/admin/notices?q=a+b",
		"/notices/0123abcd":       "/notices/0123abcd",
		"//evil.example/admin":    "/admin",
		"https://evil.example/":   "/admin",
		`/\evil.example`:          "/admin",
		"/partners":               "/admin",
		"javascript:alert(1)":     "/admin",
		"/admin/../partners":      "/admin",
		"/admin/./jobs":           "/admin/jobs",
		"http:/admin":             "/admin",
		"/admin\r\nSet-Cookie: x": "/admin",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
