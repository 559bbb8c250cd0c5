package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// BrowseView lists every value of a facet (the partners or the topics)
// with its count and a sparkline of notices per year.
type BrowseView struct {
	Page
	Heading, Intro, Noun string
	First, Last          string // the sparklines' years
	Rows                 []BrowseRow
	ByName               bool
	ByCountURL           string
	ByNameURL            string
}

type BrowseRow struct {
	Label, Title, URL string
	Count             uint64
	Spark             Sparkline
}

type browsePage struct {
	facet, section, heading, intro, noun string
}

var (
	partnersPage = browsePage{notice.FacetPartner, "partners", "Partners",
		"Every organisation named as a partner in a notice, with the number of notices and how they spread over the years.", "partners"}
	topicsPage = browsePage{notice.FacetTopic, "topics", "Cooperation topics",
		"Every cooperation topic of the notices, with the number of notices and how they spread over the years.", "topics"}
)

func (s *Server) handlePartners(c *fiber.Ctx) error { return s.browse(c, partnersPage) }
func (s *Server) handleTopics(c *fiber.Ctx) error   { return s.browse(c, topicsPage) }

func (s *Server) browse(c *fiber.Ctx, p browsePage) error {
	y, err := s.yearlyCounts(c.UserContext(), p.facet)
	if err != nil {
		return err
	}
	path := "/" + p.section
	v := BrowseView{
		Page:    Page{Title: p.heading, Section: p.section},
		Heading: p.heading, Intro: p.intro, Noun: p.noun,
		ByName:     c.Query("order") == "name",
		ByCountURL: path, ByNameURL: path + "?order=name",
	}
	if len(y.years) > 0 {
		v.First, v.Last = y.years[0], y.years[len(y.years)-1]
	}
	names := s.partnerNames()
	for _, val := range y.values {
		if val.Count == 0 {
			continue
		}
		row := BrowseRow{Label: val.Value, Count: val.Count, URL: only(p.facet, val.Value), Spark: sparkline(y.years, y.perYear[val.Value])}
		if p.facet == notice.FacetPartner {
			row.Title = names[val.Value]
		}
		v.Rows = append(v.Rows, row)
	}
	if v.ByName {
		slices.SortFunc(v.Rows, func(a, b BrowseRow) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	}
	return s.render(c, http.StatusOK, "browse", v)
}
