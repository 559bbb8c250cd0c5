package index

import (
	"context"
	"fmt"
	"html"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	htmlhl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"

	"noticekb/internal/notice"
)

// facetFetch is how many values a term facet asks Bleve for. Counting
// costs the same whatever the size; a large size keeps selected values and
// "show all" lists exact, and the top N are cut in Go.
const facetFetch = notice.MaxFacetTop

var hitFields = []string{fieldTitle, fieldURL, fieldDate, fieldPublisher, fieldPartner, fieldTopic, fieldSummary}

// Search answers a query: one page of hits, exact total, facet counts and
// the year histogram. Facet counts are disjunctive: each facet with a
// selection is counted by its own search without that selection, so
// choosing one partner still shows every other partner's true count.
func (ix *Index) Search(ctx context.Context, q notice.Query) (*notice.Result, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	start := time.Now()
	key := cacheKey(&q)
	gen := ix.generation.Load()
	if r, ok := ix.cache.get(key, gen); ok {
		return r, nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return nil, fmt.Errorf("index: closed")
	}
	s := &searcher{idx: ix.idx, q: &q, labels: ix.labels.Load()}
	s.text = ix.textQuery(ix.idx, q.Text, s.labels)
	res, err := s.run(ctx)
	if err != nil {
		return nil, err
	}
	res.Took = time.Since(start)
	ix.cache.put(key, gen, res)
	return res, nil
}

// searcher is one search in progress.
type searcher struct {
	idx    bleve.Index
	q      *notice.Query
	labels *Labels
	text   query.Query
}

func (s *searcher) run(ctx context.Context) (*notice.Result, error) {
	main := s.mainRequest()
	// Bleve does not validate a request itself, and a search-after key
	// of another length than the sort order panics inside it.
	if err := main.Validate(); err != nil {
		return nil, fmt.Errorf("index: %w: %v", notice.ErrInvalidQuery, err)
	}
	requests := []*bleve.SearchRequest{main}
	var countFacets []string
	for _, f := range notice.FilterFacets {
		if len(s.q.Selected(f)) > 0 {
			requests = append(requests, s.countRequest(f))
			countFacets = append(countFacets, f)
		}
	}
	if s.hasDateFilter() {
		requests = append(requests, s.countRequest(notice.FacetYear))
		countFacets = append(countFacets, notice.FacetYear)
	}
	results := make([]*bleve.SearchResult, len(requests))
	errs := make([]error, len(requests))
	var wg sync.WaitGroup
	for i, req := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A panic here would end the process, out of reach of the
			// web server's recovery: make it this search's error.
			defer func() {
				if r := recover(); r != nil {
					errs[i] = fmt.Errorf("panic: %v", r)
				}
			}()
			results[i], errs[i] = s.idx.SearchInContext(ctx, req)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("index: search: %w", err)
		}
	}
	facets := results[0].Facets
	for i, f := range countFacets {
		facets[f] = results[i+1].Facets[f]
	}
	return s.result(results[0], facets), nil
}

// filters builds the query for every selection except those of skip.
func (s *searcher) filters(skip string) query.Query {
	var must []query.Query
	if s.text != nil {
		must = append(must, s.text)
	}
	for _, f := range notice.FilterFacets {
		values := s.q.Selected(f)
		if f == skip || len(values) == 0 {
			continue
		}
		var any []query.Query
		for _, v := range values {
			any = append(any, termQuery(facetField[f], s.labels.canonicalFilter(f, v)))
		}
		must = append(must, bleve.NewDisjunctionQuery(any...))
	}
	if skip != notice.FacetYear && s.hasDateFilter() {
		must = append(must, s.dateQuery())
	}
	if len(must) == 0 {
		return bleve.NewMatchAllQuery()
	}
	if len(must) == 1 {
		return must[0]
	}
	return bleve.NewConjunctionQuery(must...)
}

func (s *searcher) hasDateFilter() bool { return !s.q.From.IsZero() || !s.q.To.IsZero() }

func (s *searcher) dateQuery() query.Query {
	var from, to time.Time
	inclusive, exclusive := true, false
	if !s.q.From.IsZero() {
		from = s.q.From.Time()
	}
	if !s.q.To.IsZero() {
		to = s.q.To.Time().AddDate(0, 0, 1)
	}
	q := bleve.NewDateRangeInclusiveQuery(from, to, &inclusive, &exclusive)
	q.SetField(fieldDate)
	return q
}

func (s *searcher) mainRequest() *bleve.SearchRequest {
	q := s.q
	req := bleve.NewSearchRequestOptions(s.filters(""), q.Size, (q.Page-1)*q.Size, false)
	req.Fields = hitFields
	req.SortByCustom(sortOrder(q.Sort, s.text != nil))
	if len(q.After) > 0 {
		req.From = 0
		req.SetSearchAfter(q.After)
	}
	if s.text != nil {
		req.Highlight = bleve.NewHighlightWithStyle(htmlhl.Name)
		req.Highlight.AddField(fieldBody)
	} else {
		req.Score = bleve.ScoreNone
	}
	for _, f := range notice.FilterFacets {
		if len(q.Selected(f)) == 0 {
			req.AddFacet(f, bleve.NewFacetRequest(facetField[f], facetFetch))
		}
	}
	if !s.hasDateFilter() {
		req.AddFacet(notice.FacetYear, bleve.NewFacetRequest(fieldYear, facetFetch))
	}
	if q.Months {
		req.AddFacet(notice.FacetMonth, bleve.NewFacetRequest(fieldMonth, facetFetch))
	}
	return req
}

// countRequest counts one facet over the results without its own selection.
func (s *searcher) countRequest(facet string) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(s.filters(facet), 0, 0, false)
	req.Score = bleve.ScoreNone
	req.AddFacet(facet, bleve.NewFacetRequest(facetField[facet], facetFetch))
	return req
}

func sortOrder(sort notice.Sort, hasText bool) search.SortOrder {
	byDate := func(desc bool) *search.SortField {
		return &search.SortField{Field: fieldDate, Desc: desc, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast}
	}
	id := &search.SortDocID{}
	switch {
	case sort == notice.SortOldest:
		return search.SortOrder{byDate(false), id}
	case sort == notice.SortNewest || !hasText:
		return search.SortOrder{byDate(true), id}
	default:
		return search.SortOrder{&search.SortScore{Desc: true}, byDate(true), id}
	}
}

func (s *searcher) result(r *bleve.SearchResult, facets search.FacetResults) *notice.Result {
	res := &notice.Result{
		Total:  r.Total,
		Page:   s.q.Page,
		Size:   s.q.Size,
		Hits:   make([]notice.Hit, 0, len(r.Hits)),
		Facets: map[string][]notice.FacetValue{},
	}
	for _, h := range r.Hits {
		res.Hits = append(res.Hits, hit(h))
	}
	for _, f := range notice.FilterFacets {
		res.Facets[f] = s.termFacet(f, facets[f])
	}
	res.Facets[notice.FacetYear] = s.histogram(facets[notice.FacetYear], 4, s.yearSelected)
	if s.q.Months {
		res.Facets[notice.FacetMonth] = s.histogram(facets[notice.FacetMonth], 7, s.monthSelected)
	}
	return res
}

func hit(h *search.DocumentMatch) notice.Hit {
	out := notice.Hit{
		ID:        h.ID,
		Title:     fieldString(h.Fields[fieldTitle]),
		URL:       fieldString(h.Fields[fieldURL]),
		Date:      dateOf(h.Fields[fieldDate]),
		Publisher: fieldString(h.Fields[fieldPublisher]),
		Partners:  fieldStrings(h.Fields[fieldPartner]),
		Topics:    fieldStrings(h.Fields[fieldTopic]),
		SortKey:   h.DecodedSort,
	}
	if frags := h.Fragments[fieldBody]; len(frags) > 0 {
		out.Snippet = strings.Join(frags, " … ")
	} else {
		out.Snippet = html.EscapeString(fieldString(h.Fields[fieldSummary]))
	}
	return out
}

func fieldString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		if len(t) > 0 {
			return fieldString(t[0])
		}
	}
	return ""
}

func fieldStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return []string{}
}

// termFacet keeps the top values by count, and always the selected ones,
// even at zero, so a visitor can see and undo every selection.
func (s *searcher) termFacet(facet string, fr *search.FacetResult) []notice.FacetValue {
	selected := s.q.Selected(facet)
	isSelected := func(v string) bool {
		for _, sel := range selected {
			if s.labels.canonicalFilter(facet, sel) == v {
				return true
			}
		}
		return false
	}
	var values []notice.FacetValue
	seen := map[string]bool{}
	if fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			values = append(values, notice.FacetValue{Value: t.Term, Count: uint64(t.Count), Selected: isSelected(t.Term)})
			seen[t.Term] = true
		}
	}
	sort.SliceStable(values, func(i, j int) bool {
		if values[i].Count != values[j].Count {
			return values[i].Count > values[j].Count
		}
		return values[i].Value < values[j].Value
	})
	top := values[:min(len(values), s.q.FacetTop)]
	for _, v := range values[len(top):] {
		if v.Selected {
			top = append(top, v)
		}
	}
	for _, sel := range selected {
		if v := s.labels.canonicalFilter(facet, sel); !seen[v] {
			top = append(top, notice.FacetValue{Value: v, Selected: true})
			seen[v] = true
		}
	}
	if facet == notice.FacetPartner {
		for i := range top {
			top[i].Label = s.labels.Partner[top[i].Value]
		}
	}
	return slices.Clip(top)
}

// histogram turns a facet over "2017" or "2017-08" values into buckets in
// time order, with empty buckets filled in between the first and the last.
func (s *searcher) histogram(fr *search.FacetResult, width int, selected func(string) bool) []notice.FacetValue {
	counts := map[string]uint64{}
	if fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			counts[t.Term] = uint64(t.Count)
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		if len(k) == width {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return []notice.FacetValue{}
	}
	sort.Strings(keys)
	var out []notice.FacetValue
	for k := keys[0]; k <= keys[len(keys)-1]; k = nextBucket(k) {
		out = append(out, notice.FacetValue{Value: k, Count: counts[k], Selected: selected(k)})
	}
	return out
}

func nextBucket(k string) string {
	if len(k) == 4 {
		y, _ := strconv.Atoi(k)
		return strconv.Itoa(y + 1)
	}
	t, _ := time.Parse("2006-01", k)
	return t.AddDate(0, 1, 0).Format("2006-01")
}

func (s *searcher) yearSelected(year string) bool {
	if !s.hasDateFilter() {
		return false
	}
	y, _ := strconv.Atoi(year)
	first := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
	return s.overlaps(first, last)
}

func (s *searcher) monthSelected(month string) bool {
	if !s.hasDateFilter() {
		return false
	}
	first, _ := time.Parse("2006-01", month)
	return s.overlaps(first, first.AddDate(0, 1, -1))
}

func (s *searcher) overlaps(first, last time.Time) bool {
	if !s.q.From.IsZero() && last.Before(s.q.From.Time()) {
		return false
	}
	if !s.q.To.IsZero() && first.After(s.q.To.Time()) {
		return false
	}
	return true
}
