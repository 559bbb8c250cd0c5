package web

import (
	"net/http"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// stateFromRequest reads a search page's state: the query parameters
// shared with the API, and the facet lists opened in full.
func stateFromRequest(c *fiber.Ctx) (state, error) {
	q, err := queryFromRequest(c)
	st := state{Query: q}
	for _, raw := range c.Context().QueryArgs().PeekMulti("expand") {
		f := string(raw)
		if slices.Contains(expandable, f) && !slices.Contains(st.Expand, f) {
			st.Expand = append(st.Expand, f)
		}
	}
	return st, err
}

// pageSearch is the search the page runs for a state: every facet value
// is fetched (counting costs the same), so the page can say how many a
// list leaves out, and the months of a single year are counted too.
func pageSearch(st state) notice.Query {
	q := clone(st).Query
	q.FacetTop = notice.MaxFacetTop
	if _, ok := singleYear(q); ok {
		q.Months = true
	}
	return q
}

// handleSearchPage shows results. With partial=1 it sends only the part
// of the page that changes (results and facets), which the page's script
// swaps in while the visitor types. A query the search cannot take is
// shown back with a friendly message instead of an error page.
func (s *Server) handleSearchPage(c *fiber.Ctx) error {
	block := "layout"
	if c.Query("partial") == "1" {
		block = "live"
	}
	st, qerr := stateFromRequest(c)
	status := http.StatusOK
	var message string
	if qerr != nil {
		if statusOf(qerr) != http.StatusBadRequest {
			return qerr
		}
		st = state{Query: notice.Query{Text: truncateRunes(st.Text, notice.MaxQueryLength)}, Expand: st.Expand}
		if err := st.Normalize(); err != nil {
			return err
		}
		status = http.StatusBadRequest
		message = "Some of your filters could not be used: " + publicMessage(qerr, http.StatusBadRequest) + ". Showing results without them."
	}
	res, err := s.opts.Searcher.Search(c.UserContext(), pageSearch(st))
	if err != nil {
		if statusOf(err) != http.StatusBadRequest {
			return err
		}
		// A filter value no notice has (an old bookmark, a withdrawn
		// partner) keeps the form as it was, its boxes ticked at zero, so
		// the visitor can untick them instead of starting again.
		res = &notice.Result{}
		status = http.StatusBadRequest
		message = "Nothing matches: " + publicMessage(err, http.StatusBadRequest) + "."
	}
	v := s.searchView(st, res)
	v.Section, v.Notice = "search", message
	return s.renderBlock(c, status, "search", block, v)
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
