package web

import (
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// MapView is the cooperation map: partners (rows) against topics
// (columns), each cell the number of notices naming both, shaded by it and
// linked to those notices.
type MapView struct {
	Page
	Scope     []ActiveFilter // the search the map is drawn over, if any
	AllURL    string         // the map over every notice
	SearchURL string
	Topics    []MapHeader
	Rows      []MapRow
	Hidden    int // partners left out of a short map
	ToggleURL string
	AllRows   bool
}

type MapHeader struct {
	Label, URL string
	Count      uint64
}

type MapRow struct {
	MapHeader
	Title string
	Cells []MapCell
}

type MapCell struct {
	Count uint64
	Level int
	URL   string
	Label string
}

// mapRows is how many partners a map shows before "show all".
const mapRows = 25

// mapParams is the part of a search a map keeps: everything but the
// partner and topic selections (the map's own axes) and the paging.
func mapParams(st state) params {
	base := mapBase(st)
	v := base.values(false)
	v.Del("sort")
	v.Del("size")
	return v
}

func mapBase(st state) state {
	return with(st, func(st *state) {
		delete(st.Filters, notice.FacetPartner)
		delete(st.Filters, notice.FacetTopic)
		st.Expand, st.FacetTop, st.Sort, st.Size = nil, 0, "", 0
	})
}

func (s *Server) handleMap(c *fiber.Ctx) error {
	st, err := stateFromRequest(c)
	if err != nil {
		return err
	}
	base := mapBase(st)
	m, err := s.cooperation(c.UserContext(), base.Query)
	if err != nil {
		return err
	}
	params := mapParams(base)
	v := MapView{
		Page:      Page{Title: "Cooperation map", Section: "map"},
		AllURL:    "/map",
		SearchURL: searchURL("/", base),
		AllRows:   c.Query("rows") == "all",
	}
	v.Scope = filterChips(base, func(st state) string { return withParams("/map", mapParams(st)) })
	if base.Text != "" {
		v.Scope = append([]ActiveFilter{{Label: "Words: " + base.Text, URL: withParams("/map", mapParams(with(base, func(st *state) { st.Text = "" })))}}, v.Scope...)
	}
	switch {
	case v.AllRows && len(m.partners) > mapRows:
		v.ToggleURL = withParams("/map", params)
	case !v.AllRows && len(m.partners) > mapRows:
		all := mapParams(base)
		all.Set("rows", "all")
		v.ToggleURL = withParams("/map", all)
	}
	var top uint64
	for _, n := range m.counts {
		top = max(top, n)
	}
	for _, t := range m.topics {
		v.Topics = append(v.Topics, MapHeader{Label: t.Value, Count: t.Count, URL: searchURL("/", with(base, func(st *state) { st.Filters[notice.FacetTopic] = []string{t.Value} }))})
	}
	names := s.partnerNames()
	for i, p := range m.partners {
		if i >= mapRows && !v.AllRows {
			v.Hidden = len(m.partners) - mapRows
			break
		}
		row := MapRow{MapHeader: MapHeader{Label: p.Value, Count: p.Count, URL: searchURL("/", with(base, func(st *state) { st.Filters[notice.FacetPartner] = []string{p.Value} }))},
			Title: names[p.Value]}
		for _, t := range m.topics {
			n := m.counts[[2]string{p.Value, t.Value}]
			cell := MapCell{Count: n, Level: heat(n, top)}
			if n > 0 {
				cell.URL = both(base, p.Value, t.Value)
				cell.Label = fmt.Sprintf("%s and %s: %d notices", p.Value, t.Value, n)
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(c, http.StatusOK, "map", v)
}
