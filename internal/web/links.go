package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"noticekb/internal/notice"
)

// searchURL writes a query as the URL of the search page, parameters in a
// fixed order so every state has one shareable address.
func searchURL(path string, q notice.Query) string {
	v := url.Values{}
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	for _, f := range notice.FilterFacets {
		for _, val := range q.Filters[f] {
			v.Add(f, val)
		}
	}
	if !q.From.IsZero() {
		v.Set("from", q.From.String())
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.String())
	}
	if q.Sort != "" && q.Sort != defaultSort(q) {
		v.Set("sort", string(q.Sort))
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Size != 0 && q.Size != notice.DefaultPageSize {
		v.Set("size", strconv.Itoa(q.Size))
	}
	if len(v) == 0 {
		return path
	}
	// %20 rather than "+" for spaces: it reads the same in every decoder.
	return path + "?" + strings.ReplaceAll(v.Encode(), "+", "%20")
}

func defaultSort(q notice.Query) notice.Sort {
	if q.Text == "" {
		return notice.SortNewest
	}
	return notice.SortRelevance
}

// clone copies a query deeply, so a link can change it freely.
func clone(q notice.Query) notice.Query {
	out := q
	out.Filters = make(map[string][]string, len(q.Filters))
	for f, vals := range q.Filters {
		out.Filters[f] = slices.Clone(vals)
	}
	out.After = nil
	return out
}

// with returns the query changed by fn, back on page 1.
func with(q notice.Query, fn func(*notice.Query)) notice.Query {
	out := clone(q)
	out.Page = 1
	fn(&out)
	return out
}

// toggled adds a facet value to the query, or removes it if selected.
func toggled(q notice.Query, facet, value string) notice.Query {
	return with(q, func(q *notice.Query) {
		vals := q.Filters[facet]
		if i := slices.Index(vals, value); i >= 0 {
			q.Filters[facet] = slices.Delete(vals, i, i+1)
		} else {
			q.Filters[facet] = append(vals, value)
		}
	})
}

// only is a search for one facet value alone, the target of a chip.
func only(facet, value string) string {
	return searchURL("/", notice.Query{Filters: map[string][]string{facet: {value}}})
}
