package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// NoticeView is everything the notice page shows.
type NoticeView struct {
	Page
	Notice           notice.Notice
	Date, DateISO    string
	SourceURL        string
	Paragraphs       []string
	Partners, Topics []Chip
	Related          []HitView
	// Admin is the withdraw or restore form, for a signed-in admin only.
	Admin *NoticeAdmin
}

func (s *Server) notice(c *fiber.Ctx) (notice.Notice, error) {
	id := utils.CopyString(c.Params("id"))
	if id == "" || len(id) > 64 {
		return notice.Notice{}, notice.ErrNotFound
	}
	return s.opts.Notices.Notice(id)
}

func (s *Server) handleNoticePage(c *fiber.Ctx) error {
	n, err := s.notice(c)
	if err != nil {
		if errors.Is(err, notice.ErrNotFound) {
			return fiber.ErrNotFound
		}
		return err
	}
	names := s.partnerNames()
	v := NoticeView{
		Page:   Page{Title: shortTitle(n.Title), Section: "search"},
		Notice: n, Date: n.Date.Human(), DateISO: n.Date.String(),
		SourceURL:  s.sourceURL(n.URL),
		Paragraphs: paragraphs(n.Body),
	}
	v.Partners, v.Topics = chips(n.Partners, n.Topics, names)
	v.Admin = s.noticeAdmin(c, n)
	if r, ok := s.relater(); ok {
		related, err := r.Related(c.UserContext(), n.ID, relatedCount)
		if err != nil {
			// The notice itself is there; a page without its related list
			// is better than an error page.
			s.log.Warn("related notices", "id", n.ID, "err", err)
		}
		for _, h := range related {
			v.Related = append(v.Related, hitView(h, names))
		}
	}
	return s.render(c, http.StatusOK, "notice", v)
}

// sourceURL links to where a notice was published; the bundled demo's
// pages are served by noticekb itself under /demo/. Anything but http(s)
// (a javascript: URL from a hostile page) gets no link.
func (s *Server) sourceURL(raw string) string {
	u, err := url.Parse(notice.PublicURL(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	if s.opts.DemoSite != nil && u.Hostname() == s.opts.DemoHost {
		return "/demo" + u.RequestURI()
	}
	return u.String()
}

func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(body, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// shortTitle keeps a browser tab's title readable: a long notice title is
// cut at a word near 60 characters.
func shortTitle(s string) string {
	cut, ok := words.Shorten(s, 60)
	if !ok {
		return s
	}
	return strings.TrimRight(cut, " ,.;:–-") + "…"
}
