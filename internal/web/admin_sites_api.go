package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
)

// Sites is the registry of sites kept current, with their runs (kb.Sites).
type Sites interface {
	List() ([]notice.SiteStatus, error)
	Site(id string, runs int) (notice.SiteStatus, []notice.SiteRun, error)
	// Register adds sites or start pages of registered ones; remote
	// requests must pass the re-import guard (errors wrap
	// notice.ErrForbidden or notice.ErrUnknownHost).
	Register(ctx context.Context, spec notice.SiteSpec, remote bool) ([]notice.Site, []bool, error)
	Update(ctx context.Context, id string, spec notice.SiteSpec, remote bool) (notice.Site, error)
	Remove(id string) error
	SetEnabled(id string, on bool) (notice.Site, error)
	// Queue asks for a run soon; a site running or queued already, or a
	// process that does not run sites, gives notice.ErrBusy.
	Queue(id string) error
	RecentRuns(limit int) ([]notice.SiteRun, error)
}

// siteRuns is how many runs a site's answer and page carry.
const siteRuns = 20

// siteRoutes are the admin API's routes for the registry.
func (s *Server) siteRoutes(admin fiber.Router) {
	admin.Get("/sites", s.handleSitesAPI)
	admin.Post("/sites", s.handleRegisterAPI)
	admin.Get("/sites/:id", s.handleSiteAPI)
	admin.Put("/sites/:id", s.handleUpdateSiteAPI)
	admin.Delete("/sites/:id", s.handleRemoveSiteAPI)
	admin.Post("/sites/:id/run", s.handleRunSiteAPI)
	admin.Post("/sites/:id/enable", s.handleEnableSiteAPI(true))
	admin.Post("/sites/:id/disable", s.handleEnableSiteAPI(false))
	admin.Get("/changes.atom", s.handleChangesFeed)
}

// siteParam is the site named in the path, unescaped and copied.
func siteParam(c *fiber.Ctx) string {
	raw := utils.CopyString(c.Params("id"))
	if id, err := url.PathUnescape(raw); err == nil {
		return id
	}
	return raw
}

// siteSpec reads a registration from a JSON body.
func siteSpec(c *fiber.Ctx) (notice.SiteSpec, error) {
	var spec notice.SiteSpec
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return spec, fmt.Errorf("%w: the body must be JSON {\"urls\": [...], \"every\": \"1h\", ...}: %v", notice.ErrInvalidQuery, err)
	}
	return spec, nil
}

func (s *Server) handleSitesAPI(c *fiber.Ctx) error {
	list, err := s.opts.Sites.List()
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"sites": orEmpty(list)})
}

func (s *Server) handleRegisterAPI(c *fiber.Ctx) error {
	spec, err := siteSpec(c)
	if err != nil {
		return err
	}
	sites, created, err := s.opts.Sites.Register(c.UserContext(), spec, true)
	if err != nil {
		return err
	}
	status := http.StatusOK
	for i, site := range sites {
		if created[i] {
			status = http.StatusCreated
			s.log.Info("admin registered a site", "site", site.ID, "client", s.client(c))
		}
	}
	return c.Status(status).JSON(fiber.Map{"sites": sites})
}

func (s *Server) handleSiteAPI(c *fiber.Ctx) error {
	st, runs, err := s.opts.Sites.Site(siteParam(c), siteRuns)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"site": st, "runs": orEmpty(runs)})
}

func (s *Server) handleUpdateSiteAPI(c *fiber.Ctx) error {
	spec, err := siteSpec(c)
	if err != nil {
		return err
	}
	site, err := s.opts.Sites.Update(c.UserContext(), siteParam(c), spec, true)
	if err != nil {
		return err
	}
	return c.JSON(site)
}

func (s *Server) handleRemoveSiteAPI(c *fiber.Ctx) error {
	id := siteParam(c)
	if err := s.opts.Sites.Remove(id); err != nil {
		return err
	}
	s.log.Info("admin removed a site", "site", id, "client", s.client(c))
	return c.SendStatus(http.StatusNoContent)
}

func (s *Server) handleRunSiteAPI(c *fiber.Ctx) error {
	id := siteParam(c)
	if err := s.opts.Sites.Queue(id); err != nil {
		return err
	}
	st, _, err := s.opts.Sites.Site(id, 0)
	if err != nil {
		return err
	}
	c.Location("/api/v1/admin/sites/" + url.PathEscape(id))
	return c.Status(http.StatusAccepted).JSON(st)
}

func (s *Server) handleEnableSiteAPI(on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		site, err := s.opts.Sites.SetEnabled(siteParam(c), on)
		if err != nil {
			return err
		}
		return c.JSON(site)
	}
}
