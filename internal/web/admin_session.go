package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// The admin area's sign-ins are sessions kept in memory: a random id in
// an HttpOnly, SameSite=Strict cookie names a record on the server, which
// ends after an idle hour or twelve hours in all, at sign-out, or when
// the process restarts. Nothing but the id is in the cookie.
const (
	sessionIdle = time.Hour
	sessionMax  = 12 * time.Hour
	// maxSessions bounds memory; only a right token makes a session, so
	// the oldest giving way affects admins alone.
	maxSessions = 64
)

// Flash is a message for the next page an admin sees (after a redirect).
type Flash struct {
	Error bool
	Text  string
	// Reextract offers re-extracting every stored page (after a reload).
	Reextract bool
}

type session struct {
	id            string // the cookie's value; a secret
	created, seen time.Time
	flashes       []Flash
}

type sessions struct {
	mu    sync.Mutex
	byKey map[[32]byte]*session
	now   func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{byKey: map[[32]byte]*session{}, now: now}
}

// key is what a session is filed under: a hash of its id, so the map's
// own timing says nothing about the ids it holds.
func key(id string) [32]byte { return sha256.Sum256([]byte(id)) }

// create starts a session with a new random id (never one the client
// chose, so a planted cookie cannot become a signed-in one).
func (ss *sessions) create() *session {
	now := ss.now()
	s := &session{id: randomToken(32), created: now, seen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.pruneLocked(now)
	if len(ss.byKey) >= maxSessions {
		var oldest [32]byte
		var at time.Time
		for k, o := range ss.byKey {
			if at.IsZero() || o.seen.Before(at) {
				oldest, at = k, o.seen
			}
		}
		delete(ss.byKey, oldest)
	}
	ss.byKey[key(s.id)] = s
	return s
}

// get returns the live session with id and marks it used.
func (ss *sessions) get(id string) (*session, bool) {
	if id == "" {
		return nil, false
	}
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	k := key(id)
	s, ok := ss.byKey[k]
	if !ok {
		return nil, false
	}
	if expired(s, now) {
		delete(ss.byKey, k)
		return nil, false
	}
	s.seen = now
	return s, true
}

func expired(s *session, now time.Time) bool {
	return now.Sub(s.seen) > sessionIdle || now.Sub(s.created) > sessionMax
}

func (ss *sessions) pruneLocked(now time.Time) {
	for k, s := range ss.byKey {
		if expired(s, now) {
			delete(ss.byKey, k)
		}
	}
}

func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byKey, key(id))
}

func (ss *sessions) flash(s *session, f Flash) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.flashes = append(s.flashes, f)
}

func (ss *sessions) takeFlashes(s *session) []Flash {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	f := s.flashes
	s.flashes = nil
	return f
}

// randomToken is n random bytes, URL-safe base64.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Cookie names. Over HTTPS the session cookie takes the __Host- prefix:
// browsers then accept it only with Secure, Path=/ and no Domain, so a
// neighbouring subdomain cannot plant or overwrite it.
const (
	sessionCookie       = "noticekb_admin"
	secureSessionCookie = "__Host-noticekb_admin"
	signinCookie        = "noticekb_signin"
)

// isHTTPS tells whether visitors reach the site over HTTPS: the
// connection's own TLS, a public URL that says https, or X-Forwarded-Proto
// from a trusted proxy (one that terminates TLS). The header from anyone
// else is not believed.
func (s *Server) isHTTPS(c *fiber.Ctx) bool {
	if c.Context().IsTLS() || strings.HasPrefix(s.opts.BaseURL, "https://") {
		return true
	}
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	if !s.trusted(peer.Unmap()) {
		return false
	}
	// The proxy next to us wrote the last value, should there be several.
	proto := c.Get(fiber.HeaderXForwardedProto)
	if i := strings.LastIndexByte(proto, ','); i >= 0 {
		proto = proto[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

func (s *Server) sessionCookieName(c *fiber.Ctx) string {
	if s.isHTTPS(c) {
		return secureSessionCookie
	}
	return sessionCookie
}

// setCookie sets an admin cookie: HttpOnly, SameSite=Strict, Secure over
// HTTPS; maxAge 0 makes a cookie that lasts until the browser closes, a
// negative one deletes it.
func (s *Server) setCookie(c *fiber.Ctx, name, value, path string, maxAge int) {
	ck := &fiber.Cookie{
		Name: name, Value: value, Path: path, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode,
		Secure: s.isHTTPS(c), MaxAge: maxAge, SessionOnly: maxAge == 0,
	}
	if maxAge < 0 {
		ck.Value, ck.Expires = "", time.Unix(0, 0)
	}
	c.Cookie(ck)
}

// adminSession is the signed-in session the request carries, if any.
func (s *Server) adminSession(c *fiber.Ctx) (*session, bool) {
	if s.admin == nil {
		return nil, false
	}
	return s.admin.sessions.get(c.Cookies(s.sessionCookieName(c)))
}
