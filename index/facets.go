package index

import (
	"cmp"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// countFacets fills the result's facets. matched are the notices matching
// the words, dates those in the date range (nil: no range), sel the
// selections by facet and hits the notices matching everything.
func (s *searcher) countFacets(res *notice.Result, matched, dates *roaring.Bitmap, sel map[string]*roaring.Bitmap, hits *roaring.Bitmap) {
	for _, f := range notice.FilterFacets {
		base := hits
		if sel[f] != nil && !s.q.FacetsOfHits { // disjunctive: everything but this facet's own selection
			others := []*roaring.Bitmap{matched, dates}
			for g, b := range sel {
				if g != f {
					others = append(others, b)
				}
			}
			base = and(others...)
		}
		res.Facets[f], res.FacetSizes[f] = s.termFacet(f, s.counts(base, s.view.facets[f]))
	}
	// The histograms ignore the date range, so the years around it stay
	// visible and a range can be widened.
	base := and(append(values(sel), matched)...)
	if s.q.FacetsOfHits {
		base = hits
	}
	res.Facets[notice.FacetYear] = s.histogram(s.view.years, base)
	if s.q.Months {
		res.Facets[notice.FacetMonth] = s.histogram(s.view.months, base)
	}
}

// counts counts a base set's notices with each value of a facet: by
// intersecting the base with each value's notices, or, when that costs
// more (a small base, a facet of many values), by reading each of its
// notices' values.
func (s *searcher) counts(base *roaring.Bitmap, col *facetColumn) []uint64 {
	out := make([]uint64, len(col.docs))
	if base == s.view.live {
		for i, d := range col.docs {
			out[i] = d.GetCardinality()
		}
		return out
	}
	// Reading values costs about a step per notice and value; a bitmap
	// intersection about a word per 64 notices of the index, per value.
	docs := float64(len(s.view.day))
	if read := float64(base.GetCardinality()) * (docs + float64(col.total)) / docs; read > float64(len(col.docs))*docs/64 {
		for i, d := range col.docs {
			out[i] = base.AndCardinality(d)
		}
		return out
	}
	it := base.Iterator()
	for it.HasNext() {
		d := it.Next()
		for _, v := range col.values[col.start[d]:col.start[d+1]] {
			out[v]++
		}
	}
	return out
}

// termFacet lists a facet's values with their counts: the values with
// notices, most first, cut to the top N (and to those matching the
// facet's prefix, when one is given); selected values always, even at
// zero, so a visitor can see and undo every selection. It also returns how
// many values there were before the cut.
func (s *searcher) termFacet(facet string, counts []uint64) ([]notice.FacetValue, int) {
	col := s.view.facets[facet]
	selected := map[int]bool{}
	for _, i := range s.selected[facet] {
		selected[i] = true
	}
	prefix := words.Key(s.q.FacetPrefix[facet])
	var values []notice.FacetValue
	for i, n := range counts {
		if n == 0 && !selected[i] {
			continue
		}
		v := notice.FacetValue{Value: col.terms[i], Count: n, Selected: selected[i]}
		if facet == notice.FacetPartner {
			v.Label = s.labels.Partner[v.Value]
		}
		if prefix != "" && !selected[i] && !hasWordPrefix(v.Value, prefix) && !hasWordPrefix(v.Label, prefix) {
			continue
		}
		values = append(values, v)
	}
	slices.SortStableFunc(values, func(a, b notice.FacetValue) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	size := len(values)
	top := s.q.FacetTop
	if top == notice.FacetAll || top > len(values) {
		top = len(values)
	}
	out := values[:top:top]
	for _, v := range values[top:] {
		if v.Selected {
			out = append(out, v)
		}
	}
	if out == nil {
		out = []notice.FacetValue{}
	}
	return out, size
}

// histogram counts the base set in each bucket, in time order; every
// bucket of the index's range is listed, empty ones included. Buckets
// overlapping the date range are marked selected.
func (s *searcher) histogram(buckets []bucket, base *roaring.Bitmap) []notice.FacetValue {
	out := make([]notice.FacetValue, 0, len(buckets))
	from, to := s.dateBounds()
	for _, b := range buckets {
		n := b.docs.GetCardinality()
		if base != s.view.live {
			n = base.AndCardinality(b.docs)
		}
		selected := s.hasDateFilter() && (from == noDay || b.last >= from) && (to == noDay || b.first <= to)
		out = append(out, notice.FacetValue{Value: b.key, Count: n, Selected: selected})
	}
	return out
}

// resolve finds the value a filter names as the index holds it: exactly,
// through a partner's other names, or by its key (words.Key: case, accents,
// spacing, punctuation and "&"/"and" aside).
func (r *reader) resolve(facet, value string) (int, bool) {
	col := r.view.facets[facet]
	if i, ok := col.byTerm[value]; ok {
		return i, true
	}
	if facet == notice.FacetPartner {
		if i, ok := col.byTerm[r.labels.canonicalPartner(value)]; ok {
			return i, true
		}
	}
	want := words.Key(value)
	for i, t := range col.terms {
		if words.Key(t) == want {
			return i, true
		}
	}
	return 0, false
}

// hasWordPrefix reports whether a name (folded) has a word starting with
// the folded prefix, which may itself span words ("un d" finds "UN DESA").
func hasWordPrefix(name, prefix string) bool {
	f := words.Key(name)
	for {
		if strings.HasPrefix(f, prefix) {
			return true
		}
		i := strings.IndexByte(f, ' ')
		if i < 0 {
			return false
		}
		f = f[i+1:]
	}
}
