package web

import (
	"context"
	"errors"
	"sync"

	"github.com/noticekb/noticekb/internal/notice"
)

// The partners, topics and map pages count across facets. The index
// answers one faceted search at a time, so these pages ask several: one
// per year for the sparklines, one per topic for the map. Each is one
// cached search in the index, and a new import makes them fresh again.

// searchParallel bounds how many of a page's searches run at once; each
// search already runs one request per selected facet.
const searchParallel = 2

// searchAll runs queries concurrently, results in the order of queries.
func (s *Server) searchAll(ctx context.Context, qs []notice.Query) ([]*notice.Result, error) {
	results := make([]*notice.Result, len(qs))
	errs := make([]error, len(qs))
	sem := make(chan struct{}, searchParallel)
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = s.opts.Searcher.Search(ctx, q)
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

// countQuery asks for facet counts only: one hit (the least a query may
// ask), every facet value.
func countQuery(base notice.Query) notice.Query {
	q := base
	q.Sort, q.Page, q.After, q.Months = "", 1, nil, false
	q.Size, q.FacetTop = 1, notice.MaxFacetTop
	return q
}

// yearly is a facet's values with their counts overall and per year.
type yearly struct {
	years   []string                     // every year from the first to the last, in order
	values  []notice.FacetValue          // by count, highest first
	perYear map[string]map[string]uint64 // value -> year -> count
}

// yearlyCounts counts facet values per year: one search for the years,
// then one per year with notices.
func (s *Server) yearlyCounts(ctx context.Context, facet string) (yearly, error) {
	all, err := s.opts.Searcher.Search(ctx, countQuery(notice.Query{}))
	if err != nil {
		return yearly{}, err
	}
	y := yearly{values: all.Facets[facet], perYear: map[string]map[string]uint64{}}
	var qs []notice.Query
	var asked []string
	for _, b := range all.Facets[notice.FacetYear] {
		y.years = append(y.years, b.Value)
		if b.Count == 0 {
			continue
		}
		q := countQuery(notice.Query{})
		q.From, _ = notice.ParseDateBound(b.Value, false)
		q.To, _ = notice.ParseDateBound(b.Value, true)
		qs = append(qs, q)
		asked = append(asked, b.Value)
	}
	results, err := s.searchAll(ctx, qs)
	if err != nil {
		return yearly{}, err
	}
	for i, r := range results {
		for _, v := range r.Facets[facet] {
			if y.perYear[v.Value] == nil {
				y.perYear[v.Value] = map[string]uint64{}
			}
			y.perYear[v.Value][asked[i]] = v.Count
		}
	}
	return y, nil
}

// matrix counts partners against topics over the notices of base.
type matrix struct {
	partners, topics []notice.FacetValue // by count, highest first
	counts           map[[2]string]uint64
}

func (s *Server) cooperation(ctx context.Context, base notice.Query) (matrix, error) {
	all, err := s.opts.Searcher.Search(ctx, countQuery(base))
	if err != nil {
		return matrix{}, err
	}
	m := matrix{counts: map[[2]string]uint64{}}
	for _, v := range all.Facets[notice.FacetPartner] {
		if v.Count > 0 {
			m.partners = append(m.partners, v)
		}
	}
	var qs []notice.Query
	for _, t := range all.Facets[notice.FacetTopic] {
		if t.Count == 0 {
			continue
		}
		m.topics = append(m.topics, t)
		q := countQuery(clone(state{Query: base}).Query)
		q.Filters[notice.FacetTopic] = []string{t.Value}
		qs = append(qs, q)
	}
	results, err := s.searchAll(ctx, qs)
	if err != nil {
		return matrix{}, err
	}
	for i, r := range results {
		for _, p := range r.Facets[notice.FacetPartner] {
			m.counts[[2]string{p.Value, m.topics[i].Value}] = p.Count
		}
	}
	return m, nil
}
