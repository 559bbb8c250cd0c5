package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
)

// Admin runs re-import jobs (internal/jobs).
type Admin interface {
	Start(ctx context.Context, kind, url string) (notice.Job, error)
	Job(id string) (notice.Job, error)
	Jobs() []notice.Job
	Cancel(id string) (notice.Job, error)
}

// adminRoutes are on only when an admin token is set.
func (s *Server) adminRoutes(api fiber.Router) {
	s.enableAdmin()
	admin := api.Group("/admin", s.requireAdmin)
	admin.Post("/reimport", s.handleReimport)
	admin.Get("/jobs", s.handleJobs)
	admin.Get("/jobs/:id", s.handleJob)
	admin.Delete("/jobs/:id", s.handleCancelJob)
	if s.opts.Sites != nil {
		s.siteRoutes(admin)
	}
}

// reimportRequest names one page (url) or a whole site (site).
type reimportRequest struct {
	URL  string `json:"url"`
	Site string `json:"site"`
}

func (s *Server) handleReimport(c *fiber.Ctx) error {
	var req reimportRequest
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("%w: the body must be JSON {\"url\": ...} or {\"site\": ...}", notice.ErrInvalidQuery)
	}
	kind, target := notice.JobPage, strings.TrimSpace(req.URL)
	if req.Site != "" {
		kind, target = notice.JobSite, strings.TrimSpace(req.Site)
	}
	if (req.URL == "") == (req.Site == "") {
		return fmt.Errorf("%w: give exactly one of url and site", notice.ErrInvalidQuery)
	}
	if u, err := url.Parse(target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: %s must be an absolute http(s) URL", notice.ErrInvalidQuery, kind)
	}
	job, err := s.opts.Admin.Start(c.UserContext(), kind, target)
	if err != nil {
		return err
	}
	c.Location("/api/v1/admin/jobs/" + job.ID)
	return c.Status(fiber.StatusAccepted).JSON(job)
}

func (s *Server) handleJobs(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"jobs": orEmpty(s.opts.Admin.Jobs())})
}

func (s *Server) handleJob(c *fiber.Ctx) error {
	job, err := s.opts.Admin.Job(utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(job)
}

func (s *Server) handleCancelJob(c *fiber.Ctx) error {
	job, err := s.opts.Admin.Cancel(utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(job)
}
