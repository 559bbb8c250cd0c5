package web

import (
	"cmp"
	"context"
	"slices"

	"github.com/noticekb/noticekb/internal/notice"
)

// Related finds notices like a given one, for the notice page. The
// default asks the Searcher for notices that share a partner or a topic;
// an index with a better measure can take its place in Options.
type Related interface {
	Related(ctx context.Context, n notice.Notice, limit int) ([]notice.Hit, error)
}

// sharedFacets ranks notices by how many partners and topics they share
// with the notice (partners count double: they are rarer and more
// telling), then by date, newest first.
type sharedFacets struct{ search Searcher }

// relatedPool is how many candidates each facet contributes.
const relatedPool = 30

func (r sharedFacets) Related(ctx context.Context, n notice.Notice, limit int) ([]notice.Hit, error) {
	type scored struct {
		hit   notice.Hit
		score int
	}
	byID := map[string]*scored{}
	for _, sel := range []struct {
		facet  string
		values []string
	}{{notice.FacetPartner, n.Partners}, {notice.FacetTopic, n.Topics}} {
		if len(sel.values) == 0 {
			continue
		}
		values := sel.values[:min(len(sel.values), notice.MaxFilterValues)]
		q := notice.Query{Filters: map[string][]string{sel.facet: values}, Sort: notice.SortNewest, Size: relatedPool, FacetTop: 1}
		res, err := r.search.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			if h.ID == n.ID || byID[h.ID] != nil {
				continue
			}
			byID[h.ID] = &scored{hit: h, score: 2*overlap(h.Partners, n.Partners) + overlap(h.Topics, n.Topics)}
		}
	}
	all := make([]*scored, 0, len(byID))
	for _, s := range byID {
		all = append(all, s)
	}
	slices.SortFunc(all, func(a, b *scored) int {
		return cmp.Or(
			cmp.Compare(b.score, a.score),
			cmp.Compare(b.hit.Date.String(), a.hit.Date.String()),
			cmp.Compare(a.hit.ID, b.hit.ID),
		)
	})
	out := make([]notice.Hit, 0, limit)
	for _, s := range all[:min(len(all), limit)] {
		out = append(out, s.hit)
	}
	return out, nil
}

func overlap(a, b []string) int {
	n := 0
	for _, v := range a {
		if slices.Contains(b, v) {
			n++
		}
	}
	return n
}
