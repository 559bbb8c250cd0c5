package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
)

// PageVerdict is why a stored page is, or is not, a notice, as the last
// crawl, import or re-extraction judged it: each piece of evidence with its
// weight, positive for a notice, negative against.
type PageVerdict struct {
	URL      string
	Kind     string // "notice", "list" or "other"
	NoticeID string
	Score    float64
	Reasons  []VerdictReason
	// Template is the URL pattern and markup skeleton the page was judged
	// with, beside the other pages of its site built alike.
	Template string
	Fetched  time.Time
}

// VerdictReason is one piece of a verdict's evidence.
type VerdictReason struct {
	Name, Detail string
	Weight       float64
}

// PageVerdictView is the admin page of one stored page.
type PageVerdictView struct {
	AdminPage
	URL     string
	Found   bool
	Verdict PageVerdict
}

// handleAdminPage shows why the stored page at ?url= is or is not a
// notice, so an admin who disagrees knows what to correct with a rule.
func (s *Server) handleAdminPage(c *fiber.Ctx) error {
	u := strings.TrimSpace(utils.CopyString(c.Query("url")))
	v := PageVerdictView{AdminPage: s.adminPage(sessionOf(c), "Why a page is a notice", "notices"), URL: u}
	if u != "" {
		pv, err := s.opts.Curator.PageVerdict(u)
		switch {
		case errors.Is(err, notice.ErrNotFound):
		case err != nil:
			return err
		default:
			v.Found, v.Verdict = true, pv
		}
	}
	status := http.StatusOK
	if u != "" && !v.Found {
		status = http.StatusNotFound
	}
	return s.renderAdmin(c, status, "admin-page", v)
}
