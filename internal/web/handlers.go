package web

import (
	"github.com/gofiber/fiber/v2"
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
	return c.JSON(res)
}

func (s *Server) handleNoticeAPI(c *fiber.Ctx) error {
	n, err := s.notice(c)
	if err != nil {
		return err
	}
	// Lists are [] when empty, never null, as the document says.
	n.Partners, n.Topics = orEmpty(n.Partners), orEmpty(n.Topics)
	return c.JSON(n)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
