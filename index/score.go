package index

import (
	"cmp"
	"context"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// wordMatch is what a query's text matches in a snapshot.
type wordMatch struct {
	// docs is the result set: the notices with every word, or, when that
	// is how the query is read (see keywordWords), those with any.
	docs *roaring.Bitmap
	// all are the notices with every word (ranked first).
	all   *roaring.Bitmap
	words []*qword // the words searched and ranked
}

// matchWords expands the query's words against the snapshot and finds the
// notices they match. The field:value clauses must match, the excluded
// words must not.
func (s *searcher) matchWords(ctx context.Context) (*wordMatch, error) {
	base := s.view.live
	for _, q := range s.plan.must {
		docs, err := s.bitmapOf(ctx, q)
		if err != nil {
			return nil, err
		}
		base = roaring.And(base, docs)
	}
	for _, q := range s.plan.mustNot {
		docs, err := s.bitmapOf(ctx, q)
		if err != nil {
			return nil, err
		}
		base = roaring.AndNot(base, docs)
	}
	m := &wordMatch{docs: base, all: base}
	if len(s.plan.words) == 0 {
		return m, nil
	}
	for _, w := range s.plan.words {
		if err := s.expand(ctx, w, s.plan.tolerant()); err != nil {
			return nil, err
		}
		s.matchedBy(w)
		for _, a := range w.alts { // highlight what the word matched as
			for _, t := range a.terms {
				s.plan.marks[t] = true
			}
		}
	}
	m.words = rarest(s.plan.words, maxQueryWords)
	all := []*roaring.Bitmap{base}
	anyWord := make([]*roaring.Bitmap, 0, len(m.words))
	for _, w := range m.words {
		all = append(all, w.matched)
		anyWord = append(anyWord, w.matched)
	}
	m.all = roaring.FastAnd(all...)
	switch {
	case s.plan.partner != "":
		// A partner's name: its words as a name, or the partner.
		if docs := s.partnerDocs(s.plan.partner); docs != nil {
			m.all = roaring.Or(m.all, roaring.And(base, docs))
		}
		m.docs = m.all
	case len(m.words) <= keywordWords && !m.all.IsEmpty():
		m.docs = m.all
	default:
		m.docs = roaring.And(base, roaring.FastOr(anyWord...))
	}
	return m, nil
}

// matchedBy fills the notices a word matches, any way.
func (s *searcher) matchedBy(w *qword) {
	parts := make([]*roaring.Bitmap, 0, len(w.alts))
	w.idf = 0
	for _, a := range w.alts {
		switch {
		case a.docs != nil:
			parts = append(parts, a.docs)
		default:
			parts = append(parts, s.termDocs(a.terms[0]))
		}
		if a.quality == 0 {
			w.idf = max(w.idf, a.idf)
		}
	}
	w.matched = roaring.FastOr(parts...)
	if w.idf == 0 {
		w.idf = s.idf(w.matched.GetCardinality())
	}
}

// rarest keeps at most n words, those that weigh most (rarest first),
// in the query's order.
func rarest(ws []*qword, n int) []*qword {
	if len(ws) <= n {
		return ws
	}
	order := slices.Clone(ws)
	slices.SortStableFunc(order, func(a, b *qword) int { return cmp.Compare(b.idf, a.idf) })
	keep := map[*qword]bool{}
	for _, w := range order[:n] {
		keep[w] = true
	}
	return slices.DeleteFunc(slices.Clone(ws), func(w *qword) bool { return !keep[w] })
}

// Ranking. A notice's score is a tuple, written as one number so that a
// page can continue after any hit (its sort key): first whether it has
// every word of the query; among those that do, how exactly it matched
// them (every word as typed before a word's beginning or a word within a
// typo, fewer typos first); then BM25: each word's best way of matching
// weighed by its rarity, how often the notice has it and how long the
// notice is, the title counting three times (see titleWeight). A word
// matched loosely weighs less: half as a beginning, a third with one typo,
// a fifth with two.
const (
	bm25Span     = 1 << 16 // BM25 sums are below this
	qualitySteps = 64      // of exactness
)

// rank scores the candidate notices and offers them to the ranking.
func (s *searcher) rank(m *wordMatch, cands *roaring.Bitmap, ranked *scoreRank) {
	if cands.IsEmpty() {
		return
	}
	sc := s.scratch.get(len(s.view.day))
	defer s.scratch.put(sc)
	sc.mark(cands)
	for _, w := range m.words {
		for _, a := range w.alts {
			s.scoreAlt(sc, a)
		}
		sc.endWord(float32(w.count))
	}
	all := m.all
	it := cands.Iterator()
	for it.HasNext() {
		doc := it.Next()
		bucket := 0.0
		if all.Contains(doc) {
			bucket = 2*qualitySteps - 1 - float64(min(int(sc.quality[doc]), qualitySteps-1))
		}
		ranked.offer(doc, bucket*bm25Span+min(float64(sc.score[doc]), bm25Span-1))
	}
}

// scoreAlt scores the candidates an alternative of the current word
// matches, keeping each notice's best way of matching the word.
func (r *reader) scoreAlt(sc *scratch, a alt) {
	if len(a.terms) == 0 { // a partner or a Korean word: as one mention
		it := a.docs.Iterator()
		for it.HasNext() {
			if doc := it.Next(); sc.isCandidate(doc) {
				sc.offer(doc, a.quality, float32(a.idf))
			}
		}
		return
	}
	if a.docs != nil { // a phrase: the sum of its terms, where they are adjacent
		sum := map[uint32]float32{}
		for _, term := range a.terms {
			r.eachPosting(term, sc, func(doc uint32, tf uint64) {
				if a.docs.Contains(doc) {
					sum[doc] += float32(r.bm25(r.idf(r.df(term)), tf, doc))
				}
			})
		}
		for doc, v := range sum {
			sc.offer(doc, a.quality, v)
		}
		return
	}
	if w := r.commonTerm(a.terms[0]); w != nil {
		it := roaring.And(w.docs, sc.cands).Iterator()
		for it.HasNext() {
			doc := it.Next()
			sc.offer(doc, a.quality, w.weight[doc])
		}
		return
	}
	r.eachPosting(a.terms[0], sc, func(doc uint32, tf uint64) {
		sc.offer(doc, a.quality, float32(r.bm25(a.idf, tf, doc)))
	})
}

func (r *reader) bm25(idf float64, tf uint64, doc uint32) float64 {
	f := float64(tf)
	norm := 1 - bm25B + bm25B*float64(r.view.length[doc])/r.view.avgLen
	return idf * f * (bm25K1 + 1) / (f + bm25K1*norm)
}

// eachPosting calls fn with every candidate notice having a term in the
// text field, and how often it has it. Where the candidates are few
// beside the term's notices (every word required, or a filter), the
// postings are skipped to each candidate instead of read one by one.
func (r *reader) eachPosting(term string, sc *scratch, fn func(doc uint32, tf uint64)) {
	var it segment.PostingsIterator
	r.postings(fieldText, term, func(seg int, offset uint32, pl segment.PostingsList) {
		end := offset + uint32(r.snap.Segments()[seg].Count())
		cands := rangeCardinality(sc.cands, offset, end)
		if cands == 0 {
			return
		}
		it = pl.Iterator(true, false, false, it)
		if cands*skipRatio < pl.Count() {
			skipTo(it, sc.cands, offset, end, fn)
			return
		}
		for p, err := it.Next(); p != nil && err == nil; p, err = it.Next() {
			if doc := offset + uint32(p.Number()); sc.isCandidate(doc) {
				fn(doc, p.Frequency())
			}
		}
	})
}

// skipRatio: postings are skipped to the candidates when a term has this
// many times more notices in a segment than there are candidates there.
const skipRatio = 8

// skipTo reads the postings of the candidates in [offset, end) only.
func skipTo(it segment.PostingsIterator, cands *roaring.Bitmap, offset, end uint32, fn func(doc uint32, tf uint64)) {
	ci := cands.Iterator()
	ci.AdvanceIfNeeded(offset)
	var at, freq uint64 // the posting the iterator is on
	started := false
	for ci.HasNext() {
		doc := ci.Next()
		if doc >= end {
			return
		}
		local := uint64(doc - offset)
		if !started || at < local {
			p, err := it.Advance(local)
			if err != nil || p == nil {
				return
			}
			at, freq, started = p.Number(), p.Frequency(), true
		}
		if at == local {
			fn(doc, freq)
		}
	}
}

// rangeCardinality counts a bitmap's members in [from, to).
func rangeCardinality(b *roaring.Bitmap, from, to uint32) uint64 {
	if to == 0 {
		return 0
	}
	n := b.Rank(to - 1)
	if from > 0 {
		n -= b.Rank(from - 1)
	}
	return n
}
