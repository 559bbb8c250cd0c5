package notice

import (
	"errors"
	"strings"
	"testing"
)

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Normalize fills the defaults a query leaves out.
func TestNormalizeDefaults(t *testing.T) {
	tests := []struct {
		name string
		q    Query
		want Query
	}{
		{"empty: newest first", Query{}, Query{Page: 1, Size: DefaultPageSize, FacetTop: DefaultFacetTop, Sort: SortNewest}},
		{"words: by relevance", Query{Text: "  smart city "}, Query{Text: "smart city", Page: 1, Size: DefaultPageSize, FacetTop: DefaultFacetTop, Sort: SortRelevance}},
		{"given values kept", Query{Text: "x", Page: 3, Size: 50, FacetTop: FacetAll, Sort: SortOldest},
			Query{Text: "x", Page: 3, Size: 50, FacetTop: FacetAll, Sort: SortOldest}},
		{"largest bounds", Query{Page: MaxPage, Size: MaxPageSize, FacetTop: MaxFacetTop, Text: strings.Repeat("가", MaxQueryLength)},
			Query{Page: MaxPage, Size: MaxPageSize, FacetTop: MaxFacetTop, Text: strings.Repeat("가", MaxQueryLength), Sort: SortRelevance}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			if err := q.Normalize(); err != nil {
				t.Fatal(err)
			}
			if q.Text != tt.want.Text || q.Page != tt.want.Page || q.Size != tt.want.Size || q.FacetTop != tt.want.FacetTop || q.Sort != tt.want.Sort {
				t.Errorf("got %+v, want %+v", q, tt.want)
			}
		})
	}
}

// A query no search can answer is refused with ErrInvalidQuery and a
// reason a visitor can act on.
func TestNormalizeRefuses(t *testing.T) {
	tests := []struct {
		name   string
		q      Query
		reason string
	}{
		{"text too long", Query{Text: strings.Repeat("a", MaxQueryLength+1)}, "query longer than"},
		{"page zero after default", Query{Page: -1}, "page must be between"},
		{"page too deep", Query{Page: MaxPage + 1}, "page must be between"},
		{"size too large", Query{Size: MaxPageSize + 1}, "size must be between"},
		{"negative size", Query{Size: -5}, "size must be between"},
		{"facet size", Query{FacetTop: MaxFacetTop + 1}, "facet size must be"},
		{"facet prefix", Query{FacetPrefix: map[string]string{FacetPartner: strings.Repeat("k", MaxPrefixLength+1)}}, "partner prefix longer"},
		{"unknown sort", Query{Sort: "random"}, "sort must be"},
		{"dates reversed", Query{From: mustDate(t, "2020-02-01"), To: mustDate(t, "2020-01-01")}, "is after to"},
		{"after too long a key", Query{After: []string{"a", "b", "c", "d"}}, "after must be"},
		{"after value too long", Query{After: []string{strings.Repeat("z", 201)}}, "after must be"},
		{"too many filter values", Query{Filters: map[string][]string{FacetTopic: make([]string, MaxFilterValues+1)}}, "more than 20 topic values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			err := q.Normalize()
			if !errors.Is(err, ErrInvalidQuery) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("Normalize() = %v, want ErrInvalidQuery saying %q", err, tt.reason)
			}
		})
	}
}

// The same day as bounds: from and to equal is one day, not an error.
func TestNormalizeOneDayRange(t *testing.T) {
	d := mustDate(t, "2021-06-30")
	q := Query{From: d, To: d}
	if err := q.Normalize(); err != nil {
		t.Errorf("a one-day range: %v", err)
	}
}
