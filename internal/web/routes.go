package web

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/compress"
)

// routes lists every route of the site and the API.
func (s *Server) routes() {
	app := s.app
	app.Use(s.observe)
	app.Use(s.securityHeaders)
	app.Use(s.cors)
	app.Use(s.rateLimit)
	app.Use(s.admit)
	app.Use(refuseEncodedBodies)
	app.Use(compress.New(compress.Config{Next: skipCompression}))

	app.Get("/healthz", s.handleHealth)
	app.Get("/metrics", s.handleMetrics)
	app.Get("/static/:name", s.handleAsset)
	app.Get("/favicon.ico", s.handleFavicon)

	app.Get("/", s.conditional, s.handleSearchPage)
	app.Get("/notices/:id", s.handleNoticePage)
	app.Get("/partners", s.handlePartners)
	app.Get("/topics", s.handleTopics)
	app.Get("/map", s.handleMap)
	app.Get("/feed.atom", s.conditional, s.handleFeed)
	app.Get("/opensearch.xml", s.handleOpenSearch)

	api := app.Group("/api/v1")
	api.Get("/search", s.conditional, s.handleSearchAPI)
	api.Get("/notices/:id", s.handleNoticeAPI)
	api.Get("/notices/:id/related", s.conditional, s.handleRelatedAPI)
	api.Get("/openapi.json", s.handleOpenAPI)
	if s.adminOn() {
		s.adminRoutes(api)
		s.adminPageRoutes(app)
	}

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
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	return c.Next()
}

// skipCompression keeps pages that will carry secrets (the admin area's
// CSRF tokens) uncompressed, against BREACH, which guesses a secret from
// the compressed size of responses that also reflect attacker input.
func skipCompression(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/admin") || strings.HasPrefix(c.Path(), "/api/v1/admin") ||
		// A signed-in admin's notice pages carry a withdraw or restore form.
		c.Cookies(sessionCookie) != "" || c.Cookies(secureSessionCookie) != ""
}

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/") }
