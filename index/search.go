package index

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum/levenshtein"

	"github.com/noticekb/noticekb/internal/notice"
)

// Search answers a query: one page of hits, the exact total, facet counts
// and the year (and month) histogram.
//
// The words are matched and ranked on the snapshot's postings (query.go
// reads them, expand.go finds their typos and beginnings, score.go ranks
// by BM25); filters, facet counts and dates are bitmaps of the index
// snapshot's view. Facet counts are disjunctive: each facet is counted
// over the notices matching everything except that facet's own
// selection, so choosing one partner still shows every other partner's
// true count; the histograms likewise ignore the date range. A query with
// a word no notice has as typed gets a "did you mean" built from the
// index's own words; when no notice has the words as typed (not even
// allowing for typos), the results are the correction's, marked so,
// unless the query asks for its words verbatim.
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
	res, err := ix.withSnapshot(func(r *reader) (*notice.Result, error) {
		s, err := r.newSearcher(&q)
		if err != nil {
			return nil, err
		}
		res, err := s.run(ctx)
		if err != nil {
			return nil, err
		}
		return r.respell(ctx, s, res)
	})
	if err != nil {
		return nil, err
	}
	res.Took = time.Since(start)
	ix.cache.put(key, gen, res)
	return res, nil
}

// reader is one snapshot of the index with its view, for the length of
// one request.
type reader struct {
	idx      bleve.Index
	snap     *scorch.IndexSnapshot
	view     *view
	labels   *Labels
	analyzer analysis.Analyzer
	lev      [2]*levenshtein.LevenshteinAutomatonBuilder
	scratch  *scratchPool
	// Looked up once per request.
	dicts map[dictKey]segment.TermDictionary
	dfs   map[string]uint64
	stems map[string]string
}

// withSnapshot runs fn on the current snapshot of the index.
func (ix *Index) withSnapshot(fn func(r *reader) (*notice.Result, error)) (*notice.Result, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	r, err := ix.openReader()
	if err != nil {
		return nil, err
	}
	defer r.snap.Close()
	return fn(r)
}

func (ix *Index) openReader() (*reader, error) {
	if ix.idx == nil {
		return nil, fmt.Errorf("index: closed")
	}
	// The generation is read before the snapshot is taken, so a view is
	// never labelled with a later generation than the notices it holds.
	generation := ix.generation.Load()
	adv, err := ix.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	ir, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("index: reader: %w", err)
	}
	snap, ok := ir.(*scorch.IndexSnapshot)
	if !ok {
		ir.Close()
		return nil, fmt.Errorf("index: %T is not a scorch snapshot", ir)
	}
	v, snap, err := ix.views.get(ix.idx, snap, generation)
	if err != nil {
		snap.Close()
		return nil, err
	}
	lev, err := ix.levenshtein()
	if err != nil {
		snap.Close()
		return nil, err
	}
	return &reader{
		idx: ix.idx, snap: snap, view: v, labels: ix.labels.Load(), analyzer: ix.idx.Mapping().AnalyzerNamed(analyzerName),
		lev: lev, scratch: &ix.scratch,
		dicts: map[dictKey]segment.TermDictionary{}, dfs: map[string]uint64{}, stems: map[string]string{},
	}, nil
}

const analyzerName = "en"

// searcher is one search in progress.
type searcher struct {
	*reader
	q *notice.Query
	// selected are the filter values as the index holds them, by facet.
	selected map[string][]int
	plan     *textPlan
	match    *wordMatch // what the words matched, once run
	after    *sortKey
	ids      map[uint32]string // external IDs looked up so far
}

func (r *reader) newSearcher(q *notice.Query) (*searcher, error) {
	s := &searcher{reader: r, q: q, selected: map[string][]int{}, ids: map[uint32]string{}}
	for _, f := range notice.FilterFacets {
		for _, v := range q.Selected(f) {
			i, ok := r.resolve(f, v)
			if !ok {
				return nil, fmt.Errorf("%w: no notice has the %s %q", notice.ErrInvalidQuery, f, v)
			}
			s.selected[f] = append(s.selected[f], i)
		}
	}
	var err error
	if s.plan, err = planText(r.analyzer, q.Text, r.labels); err != nil {
		return nil, err
	}
	if len(q.After) > 0 {
		if s.after, err = parseSortKey(q.After, s.byScore()); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// byScore reports whether hits are ranked by relevance.
func (s *searcher) byScore() bool {
	return s.q.Sort == notice.SortRelevance && len(s.plan.words) > 0
}

func (s *searcher) run(ctx context.Context) (*notice.Result, error) {
	sel := s.selections()
	var dates *roaring.Bitmap
	if s.hasDateFilter() {
		dates = s.view.dateMask(s.dateBounds())
	}
	filter := and(append(values(sel), dates)...) // nil: no filter
	matched := s.view.live
	var m *wordMatch
	if !s.plan.empty() {
		var err error
		if m, err = s.matchWords(ctx); err != nil {
			return nil, err
		}
		matched = m.docs
	}
	s.match = m
	hits := matched
	if filter != nil {
		hits = roaring.And(matched, filter)
	}
	res := &notice.Result{Total: hits.GetCardinality(), Page: s.q.Page, Size: s.q.Size, Facets: map[string][]notice.FacetValue{}, FacetSizes: map[string]int{}}
	s.countFacets(res, matched, dates, sel, hits)
	if len(s.plan.words) > 1 && !hits.IsEmpty() && !hits.Intersects(m.all) {
		res.Relaxed = true
	}
	var docs []uint32
	var ranked *scoreRank
	if s.byScore() {
		ranked = s.newScoreRank()
		s.rank(m, hits, ranked)
		docs = ranked.page(s.q.Page, s.q.Size, s.after != nil)
	} else {
		docs = s.topByDate(hits, s.q.Sort != notice.SortOldest)
	}
	var err error
	if res.Hits, err = s.loadHits(docs, ranked); err != nil {
		return nil, err
	}
	return res, nil
}

// selections are the bitmaps of each facet's selected values (OR within
// the facet), by facet.
func (s *searcher) selections() map[string]*roaring.Bitmap {
	sel := map[string]*roaring.Bitmap{}
	for f, idx := range s.selected {
		col := s.view.facets[f]
		parts := make([]*roaring.Bitmap, 0, len(idx))
		for _, i := range idx {
			parts = append(parts, col.docs[i])
		}
		sel[f] = roaring.FastOr(parts...)
	}
	return sel
}

func values(m map[string]*roaring.Bitmap) []*roaring.Bitmap {
	out := make([]*roaring.Bitmap, 0, len(m))
	for _, b := range m {
		out = append(out, b)
	}
	return out
}

// and intersects bitmaps, skipping nil ones; nil means no restriction.
func and(bs ...*roaring.Bitmap) *roaring.Bitmap {
	var out *roaring.Bitmap
	for _, b := range bs {
		switch {
		case b == nil:
		case out == nil:
			out = b
		default:
			out = roaring.And(out, b)
		}
	}
	return out
}

func (s *searcher) hasDateFilter() bool { return !s.q.From.IsZero() || !s.q.To.IsZero() }

func (s *searcher) dateBounds() (int32, int32) {
	from, to := int32(noDay), int32(noDay)
	if !s.q.From.IsZero() {
		from = dayNumber(s.q.From.Time())
	}
	if !s.q.To.IsZero() {
		to = dayNumber(s.q.To.Time())
	}
	return from, to
}

// bitmapOf runs a Bleve query on the snapshot and returns the notices
// it matches.
func (s *searcher) bitmapOf(ctx context.Context, q query.Query) (*roaring.Bitmap, error) {
	sr, err := q.Searcher(limitTerms(ctx), s.snap, s.idx.Mapping(), search.SearcherOptions{Score: "none"})
	if err != nil {
		// Bleve's term-searcher limit has no sentinel error to match,
		// only its message.
		if strings.Contains(err.Error(), "TooManyTermSearchers") {
			return nil, fmt.Errorf("%w: the query expands to too many terms", notice.ErrInvalidQuery)
		}
		return nil, fmt.Errorf("index: search: %w", err)
	}
	defer sr.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(sr.DocumentMatchPoolSize()+1, 0), IndexReader: s.snap}
	// Documents come in increasing order; a bitmap made from them at once
	// costs less than adding them one by one.
	docs := make([]uint32, 0, 1024)
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		dm, err := sr.Next(sctx)
		if err != nil {
			return nil, fmt.Errorf("index: search: %w", err)
		}
		if dm == nil {
			return roaring.BitmapOf(docs...), nil
		}
		docs = append(docs, uint32(dm.IndexInternalID.Value()))
		sctx.DocumentMatchPool.Put(dm)
	}
}

// maxClauseCount bounds how many terms one query may expand to (a prefix
// of a Korean syllable, say), per search: Bleve counts the term searchers
// a query builds against this limit, given in the context (its package
// variable for the same, unlimited by default, is left alone).
const maxClauseCount = 1024

func limitTerms(ctx context.Context) context.Context {
	return search.ContextWithTermSearchersCounter(context.WithValue(ctx, search.MaxTermSearchersKey, maxClauseCount))
}

// idOf is a notice's ID (Bleve's external ID) by its document number.
func (s *searcher) idOf(doc uint32) string {
	if id, ok := s.ids[doc]; ok {
		return id
	}
	seg, local := s.view.segmentOf(doc)
	b, err := s.snap.Segments()[seg].DocID(local)
	id := string(b)
	if err != nil {
		id = ""
	}
	s.ids[doc] = id
	return id
}

// respell offers a correction of the words no notice has as typed. When
// no notice has the words as typed (none at all, or only some of the
// words) and notices have the corrected words, the correction's results
// are returned, marked Corrected.
func (r *reader) respell(ctx context.Context, s *searcher, res *notice.Result) (*notice.Result, error) {
	fixed := r.suggest(s.plan)
	if fixed == "" {
		return res, nil
	}
	res.Suggestion = fixed
	if res.Total > 0 && !res.Relaxed || s.q.Verbatim || s.q.Page != 1 || len(s.q.After) > 0 {
		return res, nil
	}
	q := *s.q
	q.Text = fixed
	alt, err := r.newSearcher(&q)
	if err != nil {
		return res, nil // the correction is only a suggestion
	}
	altRes, err := alt.run(ctx)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return res, nil
	}
	if altRes.Total == 0 || altRes.Relaxed {
		return res, nil
	}
	altRes.Suggestion, altRes.Corrected = fixed, true
	return altRes, nil
}
