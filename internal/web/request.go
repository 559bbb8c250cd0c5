package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// queryFromRequest reads the search parameters shared by the page, the API
// and the feed. Fiber reuses its request buffers after the handler returns,
// so every value is copied (string(b) copies) before it is kept.
func queryFromRequest(c *fiber.Ctx) (notice.Query, error) {
	args := c.Context().QueryArgs()
	get := func(key string) string { return strings.TrimSpace(string(args.Peek(key))) }
	q := notice.Query{Text: get("q"), Sort: notice.Sort(get("sort")), Filters: map[string][]string{}}
	for _, f := range notice.FilterFacets {
		for _, v := range args.PeekMulti(f) {
			if s := strings.TrimSpace(string(v)); s != "" {
				q.Filters[f] = append(q.Filters[f], s)
			}
		}
	}
	for _, v := range args.PeekMulti("after") {
		q.After = append(q.After, string(v))
	}
	q.Months = get("months") == "1" || get("months") == "true"
	q.Verbatim = get("verbatim") == "1" || get("verbatim") == "true"
	for _, f := range notice.FilterFacets {
		if p := get(f + "_prefix"); p != "" {
			if q.FacetPrefix == nil {
				q.FacetPrefix = map[string]string{}
			}
			q.FacetPrefix[f] = p
		}
	}
	if get("facet_size") == "all" {
		q.FacetTop = notice.FacetAll
	}
	var err error
	if q.From, err = notice.ParseDateBound(get("from"), false); err != nil {
		return q, fmt.Errorf("from: %w", err)
	}
	if q.To, err = notice.ParseDateBound(get("to"), true); err != nil {
		return q, fmt.Errorf("to: %w", err)
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &q.Page}, {"size", &q.Size}, {"facet_size", &q.FacetTop}} {
		if raw := get(p.name); raw != "" && !(p.name == "facet_size" && raw == "all") {
			n, err := strconv.Atoi(raw)
			if err != nil {
				return q, fmt.Errorf("%w: %s must be a whole number", notice.ErrInvalidQuery, p.name)
			}
			if n < 1 {
				return q, fmt.Errorf("%w: %s must be at least 1", notice.ErrInvalidQuery, p.name)
			}
			*p.dst = n
		}
	}
	return q, q.Normalize()
}
