package index

import (
	"container/list"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Common words are in most queries and in many notices: reading and
// weighing their postings was most of a search's time. Each snapshot's
// view keeps, for the common terms recently searched, every notice's BM25
// weight of the term and the notices having it, so the next search adds
// up array entries instead. A term is common from commonTermShare of the
// notices (and commonTermMin); the weights of all kept terms together
// take at most maxTermScoreBytes.
const (
	commonTermShare   = 100 // one notice in a hundred
	commonTermMin     = 1000
	maxTermScoreBytes = 64 << 20
)

// termWeights is one common term's weights, by document number (0 where
// the notice lacks the term), and the notices having it.
type termWeights struct {
	term   string
	weight []float32
	docs   *roaring.Bitmap
}

// termCache keeps the weights of recent common terms, least recently
// used dropped first.
type termCache struct {
	mu      sync.Mutex
	order   *list.List // of *termWeights, most recent first
	entries map[string]*list.Element
	bytes   int
}

func (c *termCache) get(term string) *termWeights {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[term]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*termWeights)
}

func (c *termCache) put(w *termWeights) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries, c.order = map[string]*list.Element{}, list.New()
	}
	if _, ok := c.entries[w.term]; ok {
		return
	}
	c.entries[w.term] = c.order.PushFront(w)
	c.bytes += 4 * len(w.weight)
	for c.bytes > maxTermScoreBytes && c.order.Len() > 1 {
		last := c.order.Back()
		old := last.Value.(*termWeights)
		c.order.Remove(last)
		delete(c.entries, old.term)
		c.bytes -= 4 * len(old.weight)
	}
}

// commonTerm returns the weights of a common term, computing them on
// first use; nil for a term that is not common.
func (r *reader) commonTerm(term string) *termWeights {
	df := r.df(term)
	if df < commonTermMin || df < r.view.live.GetCardinality()/commonTermShare {
		return nil
	}
	if w := r.view.terms.get(term); w != nil {
		return w
	}
	w := &termWeights{term: term, weight: make([]float32, len(r.view.day)), docs: r.termDocs(term)}
	idf := r.idf(df)
	var it segment.PostingsIterator
	r.postings(fieldText, term, func(_ int, offset uint32, pl segment.PostingsList) {
		it = pl.Iterator(true, false, false, it)
		for p, err := it.Next(); p != nil && err == nil; p, err = it.Next() {
			doc := offset + uint32(p.Number())
			w.weight[doc] = float32(r.bm25(idf, p.Frequency(), doc))
		}
	})
	r.view.terms.put(w)
	return w
}
