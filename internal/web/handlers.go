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
	return c.JSON(n)
}
