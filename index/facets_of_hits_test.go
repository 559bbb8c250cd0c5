package index

import (
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

// With FacetsOfHits every facet and the histogram count the hits alone:
// a date range that finds nothing leaves no year with a count, and a
// selected partner leaves only the partners of the notices found.
func TestFacetsOfHitsDescribeTheHits(t *testing.T) {
	ix := MustIndex(t, corpus)
	empty := mustSearch(t, ix, notice.Query{Text: "smart", From: mustDate("2030-01-01"), FacetsOfHits: true})
	if empty.Total != 0 {
		t.Fatalf("total %d, want 0", empty.Total)
	}
	for _, f := range []string{notice.FacetYear, notice.FacetPartner, notice.FacetTopic} {
		for _, v := range empty.Facets[f] {
			if v.Count != 0 {
				t.Errorf("0 hits, yet %s %s counts %d", f, v.Value, v.Count)
			}
		}
	}
	q := notice.Query{Filters: map[string][]string{notice.FacetPartner: {"UN DESA"}}, From: mustDate("2019-01-01"), FacetsOfHits: true}
	res := mustSearch(t, ix, q)
	if res.Total != 1 { // c, 2020
		t.Fatalf("total %d, want 1", res.Total)
	}
	if got := counts(res.Facets[notice.FacetYear]); got["2018"] != 0 || got["2020"] != 1 {
		t.Errorf("years %v, want only 2020 (1)", got)
	}
	if got := counts(res.Facets[notice.FacetPartner]); got["KLID"] != 1 || got["UN DESA"] != 1 {
		t.Errorf("partners %v, want KLID 1 and UN DESA 1 (the one hit's)", got)
	}
	// The same query without it is disjunctive, and the cache keeps the two apart.
	q.FacetsOfHits = false
	if got := counts(mustSearch(t, ix, q).Facets[notice.FacetYear]); got["2018"] != 1 {
		t.Errorf("disjunctive years %v, want 2018 counted outside the range", got)
	}
}
