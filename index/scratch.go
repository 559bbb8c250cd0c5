package index

import (
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// scratch holds one ranking's per-notice arrays, indexed by document
// number. They are as long as the index has documents, so they are kept
// for the next search rather than allocated each time, and only the
// entries a search touched are cleared.
type scratch struct {
	cands   *roaring.Bitmap
	isCand  []uint64  // bit set of the candidates
	score   []float32 // BM25, summed over the words
	quality []uint8   // how loosely the words matched, summed
	// The current word's best match per notice: its quality (noMatch
	// when none yet) and score, and the notices it matched.
	bestQuality []uint8
	best        []float32
	touched     []uint32
}

const noMatch = 255

type scratchPool struct{ pool sync.Pool }

func (p *scratchPool) get(n int) *scratch {
	sc, _ := p.pool.Get().(*scratch)
	if sc == nil || len(sc.score) < n {
		sc = &scratch{
			isCand: make([]uint64, (n+63)/64), score: make([]float32, n), quality: make([]uint8, n),
			bestQuality: make([]uint8, n), best: make([]float32, n),
		}
		for i := range sc.bestQuality {
			sc.bestQuality[i] = noMatch
		}
	}
	return sc
}

// put clears what the search touched and keeps the arrays.
func (p *scratchPool) put(sc *scratch) {
	if sc.cands != nil {
		it := sc.cands.Iterator()
		for it.HasNext() {
			doc := it.Next()
			sc.isCand[doc/64] = 0
			sc.score[doc], sc.quality[doc] = 0, 0
		}
		sc.cands = nil
	}
	sc.endWord(0)
	p.pool.Put(sc)
}

// mark sets the candidates, the only notices scored.
func (sc *scratch) mark(cands *roaring.Bitmap) {
	sc.cands = cands
	it := cands.Iterator()
	for it.HasNext() {
		doc := it.Next()
		sc.isCand[doc/64] |= 1 << (doc % 64)
	}
}

func (sc *scratch) isCandidate(doc uint32) bool {
	return int(doc/64) < len(sc.isCand) && sc.isCand[doc/64]&(1<<(doc%64)) != 0
}

// offer records one way a notice matches the current word: the most
// exact way wins, then the highest score. A loose way weighs less.
func (sc *scratch) offer(doc uint32, quality uint8, score float32) {
	score /= float32(1 + int(quality))
	q := sc.bestQuality[doc]
	if q == noMatch {
		sc.touched = append(sc.touched, doc)
	}
	if quality < q || quality == q && score > sc.best[doc] {
		sc.bestQuality[doc], sc.best[doc] = quality, score
	}
}

// endWord adds the current word's best matches, weight times (the
// number of times the query has the word), to the notices' sums.
func (sc *scratch) endWord(weight float32) {
	for _, doc := range sc.touched {
		sc.score[doc] += weight * sc.best[doc]
		sc.quality[doc] = uint8(min(int(sc.quality[doc])+int(sc.bestQuality[doc]), noMatch-1))
		sc.bestQuality[doc], sc.best[doc] = noMatch, 0
	}
	sc.touched = sc.touched[:0]
}
