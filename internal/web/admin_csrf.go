package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// CSRF protection of the admin forms is a synchronizer token tied to the
// session: every form carries an HMAC of the session id under a key the
// process draws at start, and a POST is accepted only with the token of
// its own session. The sign-in form, before any session, is tied the
// same way to a random nonce in a short-lived cookie. Each rendering
// masks the token with fresh random bytes, so no two pages carry the same
// string and a compression side channel (BREACH) has nothing stable to
// guess; admin pages are not compressed anyway.
//
// Fiber's csrf middleware is not used: in v2 it is a double-submit
// cookie (the page echoes a token kept in a cookie and a store of its
// own, valid for any session unless wired to Fiber's session store), it
// reads a header unless told to read the form, and it serves the same
// token string on every page for an hour. Here the token is bound to our
// own server-side session, needs no cookie of its own, and changes on
// every page.
//
// Two more layers: the session cookie is SameSite=Strict, so browsers do
// not send it with requests other sites start; and a POST whose Origin or
// Sec-Fetch-Site names another site is refused before the token is read.

const csrfField = "csrf"

type csrfKey [32]byte

func newCSRFKey() csrfKey {
	var k csrfKey
	rand.Read(k[:]) // never fails (crypto/rand, Go 1.24+)
	return k
}

func (k csrfKey) mac(purpose, binding string) []byte {
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(binding))
	return m.Sum(nil)
}

// token is a form token for binding (a session id or sign-in nonce):
// random pad, then pad XOR mac.
func (k csrfKey) token(purpose, binding string) string {
	mac := k.mac(purpose, binding)
	out := make([]byte, 2*len(mac))
	rand.Read(out[:len(mac)])
	for i, b := range mac {
		out[len(mac)+i] = out[i] ^ b
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// valid tells whether token was made for binding, in constant time.
func (k csrfKey) valid(purpose, binding, token string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 2*sha256.Size || binding == "" {
		return false
	}
	got := make([]byte, sha256.Size)
	for i := range got {
		got[i] = raw[i] ^ raw[sha256.Size+i]
	}
	return hmac.Equal(got, k.mac(purpose, binding))
}

// sameSite tells whether a state-changing request came from our own pages
// as far as the browser says: Sec-Fetch-Site, then Origin. Clients that
// send neither (curl, old browsers) rely on the token alone.
func (s *Server) sameSite(c *fiber.Ctx) bool {
	switch c.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // "null" (sandboxed frames, privacy redirects) included
	}
	if strings.EqualFold(u.Host, string(c.Request().Host())) {
		return true
	}
	// Behind a proxy that rewrites Host, the public address is BaseURL.
	if b, err := url.Parse(s.opts.BaseURL); err == nil && b.Host != "" && strings.EqualFold(u.Host, b.Host) {
		return true
	}
	return false
}
