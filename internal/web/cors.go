package web

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// The read-only API (GET /api/v1/…, the admin API aside) may be called by
// scripts on any other site: it serves public data and reads no cookies,
// so every origin is allowed and credentials never are. The admin API
// and the site's pages send no CORS headers, so browsers keep other
// sites' scripts out of them.

// corsExposed are the response headers scripts may read besides the
// simple ones: the validators, for conditional requests, and the wait
// after a 429 or 503.
const corsExposed = "ETag, Last-Modified, Retry-After"

// corsRequestHeaders is what a preflight may ask to send: header names.
var corsRequestHeaders = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_|~-]+)*$`)

func isReadOnlyAPI(path string) bool {
	return isAPI(path) && !strings.HasPrefix(path, "/api/v1/admin")
}

// cors answers preflights of the read-only API and marks its responses,
// errors and refusals included, as readable from any origin. It runs
// before the rate limit, so a 429 is readable too; a preflight costs less
// than the 429 would.
func (s *Server) cors(c *fiber.Ctx) error {
	if !isReadOnlyAPI(c.Path()) {
		return c.Next()
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if c.Method() == fiber.MethodOptions && c.Get(fiber.HeaderAccessControlRequestMethod) != "" {
		c.Set(fiber.HeaderAccessControlAllowMethods, "GET, HEAD")
		if h := c.Get(fiber.HeaderAccessControlRequestHeaders); corsRequestHeaders.MatchString(h) {
			c.Set(fiber.HeaderAccessControlAllowHeaders, h)
		}
		c.Set(fiber.HeaderAccessControlMaxAge, "86400")
		return c.SendStatus(http.StatusNoContent)
	}
	c.Set(fiber.HeaderAccessControlExposeHeaders, corsExposed)
	return c.Next()
}
