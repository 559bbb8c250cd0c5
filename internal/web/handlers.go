package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

func (s *Server) handleSearchAPI(c *fiber.Ctx) error {
	q, err := queryFromRequest(c)
	if err != nil {
		return err
	}
	res, err := s.opts.Searcher.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := *res // the searcher may keep res; visitors get a copy
	out.Hits = publicHits(res.Hits)
	return c.JSON(out)
}

// publicHits are hits as visitors see them: a notice's URL only when it
// is a public http(s) address (notice.PublicURL).
func publicHits(hits []notice.Hit) []notice.Hit {
	out := make([]notice.Hit, len(hits))
	for i, h := range hits {
		h.URL = notice.PublicURL(h.URL)
		out[i] = h
	}
	return out
}

func (s *Server) handleNoticeAPI(c *fiber.Ctx) error {
	n, err := s.notice(c)
	if err != nil {
		return err
	}
	// Lists are [] when empty, never null, as the document says.
	n.Partners, n.Topics = orEmpty(n.Partners), orEmpty(n.Topics)
	n.URL = notice.PublicURL(n.URL)
	return c.JSON(n)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
