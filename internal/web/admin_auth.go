package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// isAdminToken compares a presented token with the admin token. Both
// sides are hashed before the constant-time comparison, so neither the
// token's bytes nor its length leak through timing.
func (s *Server) isAdminToken(given string) bool {
	want := sha256.Sum256([]byte(s.opts.AdminToken))
	got := sha256.Sum256([]byte(strings.TrimSpace(given)))
	return s.opts.AdminToken != "" && subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// requireAdmin lets an API request through only with the admin token as
// a Bearer credential. Wrong tokens count against the client as failed
// sign-ins do, so the API is no faster a way to guess the token.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	given, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	client := s.client(c)
	if ok && s.isAdminToken(given) {
		s.admin.throttle.succeed(client)
		c.Locals(adminAPILocal, true)
		return c.Next()
	}
	if ok {
		s.log.Warn("admin API: wrong token", "client", client)
		if waiting, wait := s.admin.throttle.failWhileWaiting(client); waiting {
			return tooManyFailures(c, wait)
		}
	}
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="noticekb admin"`)
	return fmt.Errorf("web: admin API: a valid Bearer token is required: %w", notice.ErrUnauthorized)
}

// adminAPILocal marks a request that gave the admin token, whose errors
// may then say in full which check refused it.
const adminAPILocal = "admin-api"

// tooManyFailures refuses a client that must wait, saying for how long.
func tooManyFailures(c *fiber.Ctx, wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return fiber.NewError(fiber.StatusTooManyRequests, waitMessage(secs))
}

func waitMessage(secs int) string {
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return fmt.Sprintf("Too many wrong tokens from your address: wait %d %s before trying again.", secs, unit)
}
