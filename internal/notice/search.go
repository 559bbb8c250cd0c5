package notice

import (
	"fmt"
	"strings"
	"time"
)

// Sort orders search results.
type Sort string

const (
	SortRelevance Sort = "relevance"
	SortNewest    Sort = "newest"
	SortOldest    Sort = "oldest"
)

// Limits on what one query may ask for, so a visitor cannot make the server
// collect unbounded hits or facet values.
const (
	DefaultPageSize = 10
	MaxPageSize     = 100
	MaxPage         = 10000
	MaxQueryLength  = 4000 // characters: a pasted abstract, some 600 words
	MaxFilterValues = 20
	DefaultFacetTop = 10
	MaxFacetTop     = 1000
	// FacetAll as Query.FacetTop lists every value of each facet.
	FacetAll = -1
	// MaxPrefixLength bounds a facet prefix.
	MaxPrefixLength = 100
)

// Facet names; each is also a query parameter and a filter.
const (
	FacetPartner   = "partner"
	FacetTopic     = "topic"
	FacetPublisher = "publisher"
	FacetSDG       = "sdg"
	FacetSection   = "section"
	FacetYear      = "year"
	FacetMonth     = "month"
)

// FilterFacets are the facets a query can filter on with OR within a facet
// and AND across facets.
var FilterFacets = []string{FacetPartner, FacetTopic, FacetPublisher, FacetSDG, FacetSection}

// Query is one search: words, filters, order and page.
type Query struct {
	Text    string
	Filters map[string][]string // facet name -> selected values
	From    Date                // inclusive; zero means open
	To      Date                // inclusive; zero means open
	Sort    Sort
	Page    int // 1-based
	Size    int
	// FacetTop is how many values each term facet returns; 0 means the
	// default, FacetAll every value.
	FacetTop int
	// FacetPrefix keeps, per facet, only the values (or partner names)
	// with a word starting with the prefix, for searching long facets.
	FacetPrefix map[string]string
	// After continues a deep listing after the last hit of the previous
	// page (its SortKey) instead of counting pages from the start.
	After []string
	// Months asks for the month histogram too.
	Months bool
	// FacetsOfHits counts every facet and histogram over the hits alone,
	// so the counts and the total describe the same notices (a plain
	// listing such as the command line's). Without it facet counts are
	// disjunctive, for choosing: each facet ignores its own selection and
	// the histograms ignore the date range.
	FacetsOfHits bool
	// Verbatim searches the words as typed even when they find nothing:
	// no spelling correction is applied in their place (one may still be
	// suggested).
	Verbatim bool
}

// Selected returns the values selected for a facet.
func (q *Query) Selected(facet string) []string { return q.Filters[facet] }

// Normalize fills defaults and checks bounds. It returns ErrInvalidQuery
// (wrapped, with the reason) for a query no search can answer.
func (q *Query) Normalize() error {
	q.Text = strings.TrimSpace(q.Text)
	if len([]rune(q.Text)) > MaxQueryLength {
		return fmt.Errorf("%w: query longer than %d characters", ErrInvalidQuery, MaxQueryLength)
	}
	if q.Page == 0 {
		q.Page = 1
	}
	if q.Page < 1 || q.Page > MaxPage {
		return fmt.Errorf("%w: page must be between 1 and %d", ErrInvalidQuery, MaxPage)
	}
	if q.Size == 0 {
		q.Size = DefaultPageSize
	}
	if q.Size < 1 || q.Size > MaxPageSize {
		return fmt.Errorf("%w: size must be between 1 and %d", ErrInvalidQuery, MaxPageSize)
	}
	if q.FacetTop == 0 {
		q.FacetTop = DefaultFacetTop
	}
	if q.FacetTop != FacetAll && (q.FacetTop < 1 || q.FacetTop > MaxFacetTop) {
		return fmt.Errorf("%w: facet size must be between 1 and %d, or all", ErrInvalidQuery, MaxFacetTop)
	}
	for facet, p := range q.FacetPrefix {
		if len([]rune(p)) > MaxPrefixLength {
			return fmt.Errorf("%w: %s prefix longer than %d characters", ErrInvalidQuery, facet, MaxPrefixLength)
		}
	}
	switch q.Sort {
	case "":
		q.Sort = SortRelevance
		if q.Text == "" {
			q.Sort = SortNewest
		}
	case SortRelevance, SortNewest, SortOldest:
	default:
		return fmt.Errorf("%w: sort must be relevance, newest or oldest", ErrInvalidQuery)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return fmt.Errorf("%w: from (%s) is after to (%s)", ErrInvalidQuery, q.From, q.To)
	}
	if len(q.After) > 3 {
		return fmt.Errorf("%w: after must be the sort_key of a hit", ErrInvalidQuery)
	}
	for _, a := range q.After {
		if len(a) > 200 {
			return fmt.Errorf("%w: after must be the sort_key of a hit", ErrInvalidQuery)
		}
	}
	for facet, values := range q.Filters {
		if len(values) > MaxFilterValues {
			return fmt.Errorf("%w: more than %d %s values", ErrInvalidQuery, MaxFilterValues, facet)
		}
	}
	return nil
}

// Result is one page of hits with facet counts for the whole result set.
type Result struct {
	Total uint64 `json:"total"`
	Page  int    `json:"page"`
	Size  int    `json:"size"`
	Hits  []Hit  `json:"hits"`
	// Facets maps a facet name to its values.
	Facets map[string][]FacetValue `json:"facets"`
	// FacetSizes is, per term facet, how many values it has for this
	// result (before the top-N cut), so a page can offer "show all".
	FacetSizes map[string]int `json:"facet_sizes,omitempty"`
	// Suggestion is the query with its misspelt words corrected, offered
	// when some word was not found as typed.
	Suggestion string `json:"suggestion,omitempty"`
	// Corrected says the hits are for Suggestion, because the words as
	// typed found nothing.
	Corrected bool `json:"corrected,omitempty"`
	// Relaxed says no hit has every word of the query: the hits have
	// some of them.
	Relaxed bool          `json:"relaxed,omitempty"`
	Took    time.Duration `json:"-"`
}

// Hit is one matching notice, without its full body.
type Hit struct {
	ID        string   `json:"id"`
	URL       string   `json:"url"`
	Title     string   `json:"title"`
	Date      Date     `json:"date"`
	Publisher string   `json:"publisher"`
	Partners  []string `json:"partners"`
	Topics    []string `json:"topics"`
	// Snippet is HTML: the escaped body text with matches in <mark>.
	Snippet string `json:"snippet"`
	// SortKey lets the next request continue after this hit.
	SortKey []string `json:"sort_key,omitempty"`
}

// FacetValue is one value of a facet with the number of matching notices.
type FacetValue struct {
	Value    string `json:"value"`
	Label    string `json:"label,omitempty"`
	Count    uint64 `json:"count"`
	Selected bool   `json:"selected"`
}
