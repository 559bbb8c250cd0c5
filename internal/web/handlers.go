package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"noticekb/internal/notice"
)

func (s *Server) handleHealth(c *fiber.Ctx) error {
	resp := fiber.Map{"status": "ok"}
	if s.opts.Counts != nil {
		resp["notices"] = s.opts.Counts()
	}
	return c.JSON(resp)
}

func (s *Server) handleSearchAPI(c *fiber.Ctx) error {
	q, err := queryFromRequest(c)
	if err != nil {
		return err
	}
	res, err := s.opts.Searcher.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// handleSearchPage shows results; a query the search cannot take is shown
// back with a friendly message instead of an error page.
func (s *Server) handleSearchPage(c *fiber.Ctx) error {
	q, qerr := queryFromRequest(c)
	if qerr != nil {
		if statusOf(qerr) != http.StatusBadRequest {
			return qerr
		}
		fallback := notice.Query{Text: q.Text}
		if len([]rune(fallback.Text)) > notice.MaxQueryLength {
			fallback.Text = string([]rune(fallback.Text)[:notice.MaxQueryLength])
		}
		fallback.Normalize()
		res, err := s.opts.Searcher.Search(c.UserContext(), fallback)
		if err != nil {
			return err
		}
		v := s.searchView(fallback, res)
		v.Notice = "Some of your filters could not be used: " + publicMessage(qerr, http.StatusBadRequest) + ". Showing results without them."
		return s.render(c, http.StatusBadRequest, "search", v)
	}
	res, err := s.opts.Searcher.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "search", s.searchView(q, res))
}

func (s *Server) notice(c *fiber.Ctx) (notice.Notice, error) {
	id := utils.CopyString(c.Params("id"))
	if id == "" || len(id) > 64 {
		return notice.Notice{}, notice.ErrNotFound
	}
	return s.opts.Notices.Notice(id)
}

func (s *Server) handleNoticeAPI(c *fiber.Ctx) error {
	n, err := s.notice(c)
	if err != nil {
		return err
	}
	return c.JSON(n)
}

// NoticeView is everything the notice page shows.
type NoticeView struct {
	Page
	Notice           notice.Notice
	Date, DateISO    string
	SourceURL        string
	Paragraphs       []string
	Partners, Topics []Chip
}

func (s *Server) handleNoticePage(c *fiber.Ctx) error {
	n, err := s.notice(c)
	if err != nil {
		if errors.Is(err, notice.ErrNotFound) {
			return fiber.ErrNotFound
		}
		return err
	}
	v := NoticeView{
		Page:   Page{Title: n.Title},
		Notice: n, Date: n.Date.Human(), DateISO: n.Date.String(),
		SourceURL:  s.sourceURL(n.URL),
		Paragraphs: paragraphs(n.Body),
	}
	v.Partners, v.Topics = chips(n.Partners, n.Topics, s.partnerNames())
	return s.render(c, http.StatusOK, "notice", v)
}

// sourceURL links to where a notice was published; the bundled demo's
// pages are served by noticekb itself under /demo/.
func (s *Server) sourceURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
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
