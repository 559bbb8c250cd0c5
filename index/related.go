package index

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"unicode"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// Related notices share partners, topics and distinctive words with a
// notice: any of them may match, and they are ranked by BM25 as a query's
// words are (see score.go), a shared partner counting as three shared
// words of its rarity and a shared topic as two.

const (
	maxRelated      = 50
	relatedTerms    = 12 // distinctive words of the notice searched for
	partnerBoost    = 3
	topicBoost      = 2
	relatedTitleMin = 3 // shortest title word searched for
)

// Related returns up to size notices most like the notice with the given
// ID. It returns an error wrapping notice.ErrNotFound when the index has
// no such notice.
func (ix *Index) Related(ctx context.Context, id string, size int) ([]notice.Hit, error) {
	if size < 1 || size > maxRelated {
		return nil, fmt.Errorf("%w: size must be between 1 and %d", notice.ErrInvalidQuery, maxRelated)
	}
	key := fmt.Sprintf("related|%q|%d", id, size)
	gen := ix.generation.Load()
	if r, ok := ix.cache.get(key, gen); ok {
		return r.Hits, nil
	}
	res, err := ix.withSnapshot(func(r *reader) (*notice.Result, error) {
		hits, err := r.related(ctx, id, size)
		return &notice.Result{Hits: hits}, err
	})
	if err != nil {
		return nil, err
	}
	ix.cache.put(key, gen, res)
	return res.Hits, nil
}

func (r *reader) related(ctx context.Context, id string, size int) ([]notice.Hit, error) {
	internal, err := r.snap.InternalID(id)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	if internal == nil {
		return nil, fmt.Errorf("index: notice %s: %w", id, notice.ErrNotFound)
	}
	self := uint32(internal.Value())
	d, err := r.loadDoc(self, true)
	if err != nil {
		return nil, err
	}
	var ws []*qword
	for _, f := range []struct {
		facet  string
		values []string
		boost  int
	}{{notice.FacetPartner, d.partners, partnerBoost}, {notice.FacetTopic, d.topics, topicBoost}} {
		col := r.view.facets[f.facet]
		for _, v := range f.values {
			if i, ok := col.byTerm[v]; ok {
				docs := col.docs[i]
				ws = append(ws, &qword{count: f.boost, alts: []alt{{docs: docs, idf: r.idf(docs.GetCardinality())}}, matched: docs})
			}
		}
	}
	s := &searcher{reader: r, q: &notice.Query{Size: size + 1, Page: 1, Sort: notice.SortRelevance}, plan: &textPlan{}, ids: map[uint32]string{}}
	for _, term := range r.distinctiveTerms(ctx, words.FoldText(d.title+"\n"+d.body)) {
		ws = append(ws, &qword{count: 1, alts: []alt{{terms: []string{term}, idf: r.idf(r.df(term))}}, matched: r.termDocs(term)})
	}
	if len(ws) == 0 {
		return []notice.Hit{}, nil
	}
	cands := roaring.New()
	for _, w := range ws {
		cands.Or(w.matched)
	}
	cands.Remove(self)
	ranked := s.newScoreRank()
	s.rank(&wordMatch{words: ws, all: roaring.New()}, cands, ranked)
	hits := []notice.Hit{}
	for _, doc := range ranked.page(1, size+1, false) {
		if doc == self || len(hits) == size {
			continue
		}
		d, err := r.loadDoc(doc, false)
		if err != nil {
			return nil, err
		}
		hits = append(hits, d.summaryHit())
	}
	return hits, nil
}

// distinctiveTerms are the analysed words of a text that weigh most:
// frequent in it, rare in the index (tf·idf).
func (r *reader) distinctiveTerms(ctx context.Context, text string) []string {
	tf := map[string]int{}
	for _, t := range r.analyzer.Analyze([]byte(text)) {
		term := string(t.Term)
		if len([]rune(term)) < relatedTitleMin || !hasLetter(term) {
			continue
		}
		tf[term]++
	}
	total := float64(max(r.view.live.GetCardinality(), 1))
	type weighted struct {
		term   string
		weight float64
	}
	var ws []weighted
	for term, n := range tf {
		df := float64(r.docFreq(ctx, fieldText, term))
		if df < 2 { // a word no other notice has relates to nothing
			continue
		}
		ws = append(ws, weighted{term, float64(n) * math.Log(total/df)})
	}
	slices.SortFunc(ws, func(a, b weighted) int {
		return cmp.Or(cmp.Compare(b.weight, a.weight), cmp.Compare(a.term, b.term))
	})
	var out []string
	for _, w := range ws[:min(len(ws), relatedTerms)] {
		out = append(out, w.term)
	}
	return out
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
