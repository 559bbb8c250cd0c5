package web

import (
	_ "embed"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
)

// openAPI describes every API route and parameter (OpenAPI 3).
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(openAPI)
}

// handleRelatedAPI lists the notices related to a notice.
func (s *Server) handleRelatedAPI(c *fiber.Ctx) error {
	r, ok := s.relater()
	if !ok {
		return fiber.ErrNotFound
	}
	id := utils.CopyString(c.Params("id"))
	if id == "" || len(id) > 64 {
		return notice.ErrNotFound
	}
	size := relatedCount
	if raw := c.Query("size"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("%w: size must be a whole number", notice.ErrInvalidQuery)
		}
		size = n
	}
	hits, err := r.Related(c.UserContext(), id, size)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id, "hits": hits})
}
