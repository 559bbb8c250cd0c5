package web

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// routes lists every route of the site and the API.
func (s *Server) routes() {
	app := s.app
	app.Use(s.securityHeaders)

	app.Get("/healthz", s.handleHealth)
	app.Get("/static/:name", s.handleAsset)

	app.Get("/", s.handleSearchPage)
	app.Get("/notices/:id", s.handleNoticePage)

	api := app.Group("/api/v1")
	api.Get("/search", s.handleSearchAPI)
	api.Get("/notices/:id", s.handleNoticeAPI)
	api.Get("/notices/:id/related", s.handleRelatedAPI)
	api.Get("/openapi.json", s.handleOpenAPI)

	if s.opts.DemoSite != nil {
		demo := adaptor.HTTPHandler(http.StripPrefix("/demo", s.opts.DemoSite))
		app.Get("/demo", demo)
		app.Get("/demo/*", demo)
	}
}

// securityHeaders keeps crawled content, which is rendered escaped anyway,
// from ever running script or being framed.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "DENY")
	return c.Next()
}

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/") }
