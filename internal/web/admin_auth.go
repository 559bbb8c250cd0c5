package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"noticekb/internal/notice"
)

// requireAdmin lets a request through only with the admin token as a
// Bearer credential. Both sides are hashed before the constant-time
// comparison, so neither the token's bytes nor its length leak through
// timing.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	given, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	want := sha256.Sum256([]byte(s.opts.AdminToken))
	got := sha256.Sum256([]byte(strings.TrimSpace(given)))
	if !ok || s.opts.AdminToken == "" || subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="noticekb admin"`)
		return fmt.Errorf("web: admin API: a valid Bearer token is required: %w", notice.ErrUnauthorized)
	}
	return c.Next()
}
