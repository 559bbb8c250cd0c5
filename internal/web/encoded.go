package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// refuseEncodedBodies answers 415 to a request whose body is compressed.
// No route takes a compressed body (the admin API's JSON is a few bytes),
// and Fiber's Ctx.Body inflates gzip, deflate and brotli bodies with no
// limit on the result: a 1 MiB body can inflate to gigabytes.
func refuseEncodedBodies(c *fiber.Ctx) error {
	enc := strings.TrimSpace(string(c.Request().Header.Peek(fiber.HeaderContentEncoding)))
	if enc != "" && !strings.EqualFold(enc, "identity") {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "Compressed request bodies are not accepted.")
	}
	return c.Next()
}
