package index

import (
	"container/heap"
	"fmt"
	"slices"
	"strconv"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// Hits are ordered by relevance (score, then newest, then ID) or by date
// (then ID); undated notices come last either way. The ID breaks ties, so
// the order is total and a page can continue after any hit: its sort key
// is [score, date, id] or [date, id], with "" for an undated notice.

// sortKey is a parsed "after" key.
type sortKey struct {
	score float64
	day   int32 // noDay when undated
	id    string
}

func parseSortKey(parts []string, byScore bool) (*sortKey, error) {
	bad := fmt.Errorf("%w: after must be the sort_key of a hit of the same search", notice.ErrInvalidQuery)
	k := &sortKey{day: noDay}
	if byScore {
		if len(parts) != 3 {
			return nil, bad
		}
		f, err := strconv.ParseFloat(parts[0], 64)
		if err != nil {
			return nil, bad
		}
		k.score, parts = f, parts[1:]
	}
	if len(parts) != 2 || parts[1] == "" {
		return nil, bad
	}
	if parts[0] != "" {
		d, err := notice.ParseDate(parts[0])
		if err != nil {
			return nil, bad
		}
		k.day = dayNumber(d.Time())
	}
	k.id = parts[1]
	return k, nil
}

func (s *searcher) sortKeyOf(doc uint32, score float64) []string {
	date := ""
	if d := s.view.day[doc]; d != noDay {
		date = dayTime(d).Format("2006-01-02")
	}
	if s.byScore() {
		return []string{strconv.FormatFloat(score, 'g', -1, 64), date, s.idOf(doc)}
	}
	return []string{date, s.idOf(doc)}
}

// laterDay reports whether day a sorts before day b in the given
// direction; undated notices sort last.
func laterDay(a, b int32, newest bool) (before, equal bool) {
	switch {
	case a == b:
		return false, true
	case a == noDay:
		return false, false
	case b == noDay:
		return true, false
	case newest:
		return a > b, false
	}
	return a < b, false
}

// scoreRank keeps the best hits by relevance while the text query runs.
type scoreRank struct {
	s     *searcher
	keep  int
	items []scored // a heap whose root is the worst kept hit
}

type scored struct {
	doc   uint32
	score float64
}

func (s *searcher) newScoreRank() *scoreRank {
	keep := s.q.Size
	if s.after == nil {
		keep += (s.q.Page - 1) * s.q.Size
	}
	return &scoreRank{s: s, keep: keep}
}

// before reports whether a ranks before b.
func (r *scoreRank) before(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if first, equal := laterDay(r.s.view.day[a.doc], r.s.view.day[b.doc], true); !equal {
		return first
	}
	return r.s.idOf(a.doc) < r.s.idOf(b.doc)
}

// afterKey reports whether a hit comes after the "after" key.
func (r *scoreRank) afterKey(c scored) bool {
	k := r.s.after
	if c.score != k.score {
		return c.score < k.score
	}
	if first, equal := laterDay(k.day, r.s.view.day[c.doc], true); !equal {
		return first
	}
	return r.s.idOf(c.doc) > k.id
}

func (r *scoreRank) offer(doc uint32, score float64) {
	c := scored{doc, score}
	if r.s.after != nil && !r.afterKey(c) {
		return
	}
	if len(r.items) < r.keep {
		heap.Push(r, c)
		return
	}
	if r.keep > 0 && r.before(c, r.items[0]) {
		r.items[0] = c
		heap.Fix(r, 0)
	}
}

// heap.Interface, worst first.
func (r *scoreRank) Len() int           { return len(r.items) }
func (r *scoreRank) Less(i, j int) bool { return r.before(r.items[j], r.items[i]) }
func (r *scoreRank) Swap(i, j int)      { r.items[i], r.items[j] = r.items[j], r.items[i] }
func (r *scoreRank) Push(x any)         { r.items = append(r.items, x.(scored)) }
func (r *scoreRank) Pop() any {
	last := r.items[len(r.items)-1]
	r.items = r.items[:len(r.items)-1]
	return last
}

// page returns the documents of one page, best first.
func (r *scoreRank) page(page, size int, after bool) []uint32 {
	slices.SortFunc(r.items, func(a, b scored) int {
		if r.before(a, b) {
			return -1
		}
		if r.before(b, a) {
			return 1
		}
		return 0
	})
	from := 0
	if !after {
		from = (page - 1) * size
	}
	var docs []uint32
	for _, c := range r.items[min(from, len(r.items)):] {
		docs = append(docs, c.doc)
	}
	return docs
}

func (r *scoreRank) scoreOf(doc uint32) float64 {
	for _, c := range r.items {
		if c.doc == doc {
			return c.score
		}
	}
	return 0
}

// topByDate returns one page of hits in date order. It takes whole months
// in order until they hold enough hits, so only those are sorted, and
// looks up IDs only to order notices of the same day.
func (s *searcher) topByDate(hits *roaring.Bitmap, newest bool) []uint32 {
	from := (s.q.Page - 1) * s.q.Size
	if s.after != nil {
		from = 0
	}
	need := from + s.q.Size
	var cands []uint32
	months := s.view.months
	if newest {
		months = slices.Clone(months)
		slices.Reverse(months)
	}
	k := s.after
	for _, m := range months {
		if len(cands) >= need {
			break
		}
		if k != nil && (k.day == noDay || (newest && m.first > k.day) || (!newest && m.last < k.day)) {
			continue // wholly before the page to continue after
		}
		in := roaring.And(hits, m.docs)
		if k != nil && k.day >= m.first && k.day <= m.last {
			in = s.afterInMonth(in, newest)
		}
		cands = append(cands, in.ToArray()...)
	}
	if len(cands) < need {
		undated := roaring.And(hits, s.view.undated)
		for _, doc := range undated.ToArray() {
			if k == nil || k.day != noDay || s.idOf(doc) > k.id {
				cands = append(cands, doc)
			}
		}
	}
	s.sortByDate(cands, newest, from, need)
	if from >= len(cands) {
		return nil
	}
	return cands[from:min(need, len(cands))]
}

// afterInMonth keeps the notices of the month that come after the key.
func (s *searcher) afterInMonth(in *roaring.Bitmap, newest bool) *roaring.Bitmap {
	out := roaring.New()
	k := s.after
	it := in.Iterator()
	for it.HasNext() {
		doc := it.Next()
		first, equal := laterDay(k.day, s.view.day[doc], newest)
		if first || (equal && s.idOf(doc) > k.id) {
			out.Add(doc)
		}
	}
	return out
}

// sortByDate orders candidates by day; notices of the same day that fall
// within [from, need) are ordered by ID.
func (s *searcher) sortByDate(cands []uint32, newest bool, from, need int) {
	day := s.view.day
	slices.SortFunc(cands, func(a, b uint32) int {
		if first, equal := laterDay(day[a], day[b], newest); !equal {
			if first {
				return -1
			}
			return 1
		}
		return 0
	})
	for i := 0; i < len(cands) && i < need; {
		j := i + 1
		for j < len(cands) && day[cands[j]] == day[cands[i]] {
			j++
		}
		if j > from && j-i > 1 {
			group := cands[i:j]
			slices.SortFunc(group, func(a, b uint32) int {
				switch ia, ib := s.idOf(a), s.idOf(b); {
				case ia < ib:
					return -1
				case ia > ib:
					return 1
				}
				return 0
			})
		}
		i = j
	}
}
