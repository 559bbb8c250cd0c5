package web

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/noticekb/noticekb/internal/notice"
)

// SearchView is everything the search page shows.
type SearchView struct {
	Page
	Total      uint64
	Notice     string
	Suggestion *Suggestion
	// Corrected is set when the hits are for a correction, because no
	// notice had the words as typed.
	Corrected *Correction
	// Relaxed says no hit has every word of the query.
	Relaxed  bool
	Hits     []HitView
	Facets   []FacetView
	Years    *Histogram
	Months   *Histogram
	Active   []ActiveFilter
	ClearURL string
	Pager    *Pager
	Sorts    []Option
	// Keep is the state the search form carries that has no visible control.
	Keep     []Param
	From, To string
	// URL is this view's address; MapURL the cooperation map of the same search.
	URL, MapURL string
}

type Suggestion struct{ Text, URL string }

// Correction says what was typed, what is shown instead, and where to
// search exactly what was typed.
type Correction struct{ Typed, Shown, TypedURL string }

type HitView struct {
	Title, URL, Date, DateISO, Publisher string
	Snippet                              template.HTML
	Partners, Topics                     []Chip
}

type Chip struct{ Label, Title, URL string }

// FacetView is one facet as a list of checkboxes.
type FacetView struct {
	Name, Title string
	Values      []FacetValueView
	// Hidden is how many values the list leaves out; ToggleURL opens the
	// list in full, or closes it when Expanded.
	Hidden      int
	ToggleURL   string
	ToggleLabel string
	Expanded    bool
	Filterable  bool
}

type FacetValueView struct {
	ID, Value, Title string
	Count            uint64
	Selected         bool
}

type ActiveFilter struct{ Label, URL string }

type Pager struct {
	Prev, Next string
	Page       int
	Pages      int
	Links      []PageLink
}

// PageLink is one numbered page; a Gap stands for the pages left out.
type PageLink struct {
	Number  int
	URL     string
	Current bool
	Gap     bool
}

type Option struct {
	Value, Label string
	Selected     bool
}

type Param struct{ Name, Value string }

var facetTitles = map[string]string{
	notice.FacetPartner: "Partner", notice.FacetTopic: "Cooperation topic",
	notice.FacetPublisher: "Publisher", notice.FacetSDG: "SDG", notice.FacetSection: "Site section",
}

// facetPlural names a facet's values in "show all 42 partners".
var facetPlural = map[string]string{
	notice.FacetPartner: "partners", notice.FacetTopic: "topics", notice.FacetPublisher: "publishers", notice.FacetSDG: "SDGs",
	notice.FacetSection: "sections",
}

// filterableAt is the length from which a facet list gets a filter box.
const filterableAt = 12

// partnerNames gives chips and facet values their full names: the one
// route by which a partner's full name reaches a page (Options.Partners,
// the organisations extraction knows). The index's facet labels come from
// the same list and serve the JSON API and facet-prefix matching.
type partnerNames map[string]string

func (s *Server) partnerNames() partnerNames {
	names := partnerNames{}
	if s.opts.Partners != nil {
		for _, p := range s.opts.Partners() {
			names[p.Name] = p.FullName
		}
	}
	return names
}

func (s *Server) searchView(st state, r *notice.Result) SearchView {
	names := s.partnerNames()
	var corrected *Correction
	if r.Corrected && r.Suggestion != "" {
		// The page is the correction's: its links, pages and facets too.
		typed := with(st, func(st *state) { st.Verbatim = true })
		corrected = &Correction{Typed: st.Text, Shown: r.Suggestion, TypedURL: searchURL("/", typed)}
		st = with(st, func(st *state) { st.Text = r.Suggestion })
	}
	q := st.Query
	v := SearchView{
		Page:  Page{Title: "Search", Query: q.Text, FeedURL: feedURL(st)},
		Total: r.Total,
		From:  q.From.String(), To: q.To.String(),
		URL:    searchURL("/", st),
		MapURL: withParams("/map", mapParams(st)),
	}
	if q.Text == "" {
		v.Title = "News and notices"
	} else {
		v.Title = q.Text + " – search"
	}
	v.Corrected, v.Relaxed = corrected, r.Relaxed
	if r.Suggestion != "" && corrected == nil {
		v.Suggestion = &Suggestion{Text: r.Suggestion, URL: searchURL("/", with(st, func(st *state) { st.Text, st.Verbatim = r.Suggestion, false }))}
	}
	for _, h := range r.Hits {
		v.Hits = append(v.Hits, hitView(h, names))
	}
	shown := map[string]bool{}
	for _, f := range expandable {
		if fv := facetView(st, f, r.Facets[f], names); len(fv.Values) > 0 {
			v.Facets = append(v.Facets, fv)
			shown[f] = true
		}
	}
	v.Years = yearHistogram(st, r.Facets[notice.FacetYear])
	if year, ok := singleYear(q); ok {
		v.Months = monthHistogram(st, year, r.Facets[notice.FacetMonth])
	}
	v.Active, v.ClearURL = activeFilters(st), searchURL("/", state{Query: notice.Query{Text: q.Text}})
	v.Pager = pager(st, r.Total)
	v.Sorts = sortOptions(q)
	v.Keep = keepParams(st, shown)
	return v
}

func hitView(h notice.Hit, names partnerNames) HitView {
	hv := HitView{
		Title: h.Title, URL: "/notices/" + h.ID, Date: h.Date.Human(), DateISO: h.Date.String(),
		Publisher: h.Publisher, Snippet: safeSnippet(h.Snippet),
	}
	hv.Partners, hv.Topics = chips(h.Partners, h.Topics, names)
	return hv
}

func chips(partners, topics []string, names partnerNames) (p, t []Chip) {
	for _, name := range partners {
		p = append(p, Chip{Label: name, Title: names[name], URL: only(notice.FacetPartner, name)})
	}
	for _, label := range topics {
		t = append(t, Chip{Label: label, URL: only(notice.FacetTopic, label)})
	}
	return p, t
}

// facetView lists a facet's top values by count, or every value in
// alphabetical order when the list is open in full (easier to scan and
// to filter). Selected values are always listed, even at zero.
func facetView(st state, facet string, values []notice.FacetValue, names partnerNames) FacetView {
	fv := FacetView{Name: facet, Title: facetTitles[facet], Expanded: st.expanded(facet)}
	top := st.FacetTop
	if top == 0 {
		top = notice.DefaultFacetTop
	}
	var listed []notice.FacetValue
	ranked := 0 // values seen in count order, the selected ones aside
	for _, val := range values {
		if val.Count == 0 && !val.Selected {
			continue
		}
		switch {
		case fv.Expanded || val.Selected:
			listed = append(listed, val)
		case ranked < top:
			listed = append(listed, val)
			ranked++
		default:
			fv.Hidden++
		}
	}
	// A selection the index did not report (no notice has it) is listed
	// anyway, ticked at zero, so it can be unticked.
	for _, v := range st.Selected(facet) {
		if !slices.ContainsFunc(listed, func(l notice.FacetValue) bool { return l.Value == v }) {
			listed = append(listed, notice.FacetValue{Value: v, Selected: true})
		}
	}
	if fv.Expanded {
		slices.SortFunc(listed, func(a, b notice.FacetValue) int {
			return strings.Compare(strings.ToLower(a.Value), strings.ToLower(b.Value))
		})
	}
	for i, val := range listed {
		item := FacetValueView{ID: fmt.Sprintf("f-%s-%d", facet, i), Value: val.Value, Count: val.Count, Selected: val.Selected}
		if facet == notice.FacetPartner {
			item.Title = names[val.Value]
		}
		fv.Values = append(fv.Values, item)
	}
	switch {
	case fv.Expanded && len(fv.Values) > top:
		fv.ToggleURL, fv.ToggleLabel = searchURL("/", toggledExpand(st, facet)), fmt.Sprintf("Show the top %d", top)
	case fv.Hidden > 0:
		fv.ToggleURL = searchURL("/", toggledExpand(st, facet))
		fv.ToggleLabel = fmt.Sprintf("Show all %d %s", len(fv.Values)+fv.Hidden, facetPlural[facet])
	}
	fv.Filterable = fv.Expanded && len(fv.Values) >= filterableAt
	return fv
}

func activeFilters(st state) []ActiveFilter {
	return filterChips(st, func(st state) string { return searchURL("/", st) })
}

// filterChips lists a state's filters, each linked by link to the state
// without it.
func filterChips(st state, link func(state) string) []ActiveFilter {
	var out []ActiveFilter
	q := st.Query
	for _, f := range notice.FilterFacets {
		for _, val := range q.Filters[f] {
			out = append(out, ActiveFilter{Label: facetTitles[f] + ": " + val, URL: link(toggled(st, f, val))})
		}
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		label := fmt.Sprintf("Date: %s – %s", orDots(q.From.String()), orDots(q.To.String()))
		out = append(out, ActiveFilter{Label: label, URL: link(with(st, func(st *state) { st.From, st.To = notice.Date{}, notice.Date{} }))})
	}
	return out
}

func orDots(s string) string {
	if s == "" {
		return "…"
	}
	return s
}

// pager links the first and last pages and two either side of the
// current one; a long result never gets a long row of numbers.
func pager(st state, total uint64) *Pager {
	q := st.Query
	pages := int((total + uint64(q.Size) - 1) / uint64(q.Size))
	pages = min(pages, notice.MaxPage)
	if pages <= 1 {
		return nil
	}
	at := func(page int) string {
		n := clone(st)
		n.Page = page
		return searchURL("/", n)
	}
	p := &Pager{Page: q.Page, Pages: pages}
	if q.Page > 1 {
		p.Prev = at(q.Page - 1)
	}
	if q.Page < pages {
		p.Next = at(q.Page + 1)
	}
	for n := 1; n <= pages; n++ {
		near := n == 1 || n == pages || (n >= q.Page-2 && n <= q.Page+2)
		switch {
		case near:
			p.Links = append(p.Links, PageLink{Number: n, URL: at(n), Current: n == q.Page})
		case len(p.Links) > 0 && !p.Links[len(p.Links)-1].Gap:
			p.Links = append(p.Links, PageLink{Gap: true})
		}
		if !near && n > q.Page {
			n = max(n, pages-1) // jump to the last page
		}
	}
	return p
}

// sortOptions offers the orders; the default one (best match with words,
// newest first without) has the empty value, so a new search from the
// same form gets its own default rather than the last one's.
func sortOptions(q notice.Query) []Option {
	opts := []Option{{Value: "relevance", Label: "Best match"}, {Value: "newest", Label: "Newest first"}, {Value: "oldest", Label: "Oldest first"}}
	def := defaultSort(q)
	for i := range opts {
		opts[i].Selected = notice.Sort(opts[i].Value) == q.Sort
		if notice.Sort(opts[i].Value) == def {
			opts[i].Value = ""
		}
	}
	return opts
}

// keepParams is the state the search form must carry as hidden fields:
// selections of facets the page shows no checkboxes for, page size, and
// which lists are open.
func keepParams(st state, shown map[string]bool) []Param {
	var out []Param
	for _, f := range notice.FilterFacets {
		if shown[f] {
			continue
		}
		for _, val := range st.Filters[f] {
			out = append(out, Param{f, val})
		}
	}
	if st.Size != notice.DefaultPageSize && st.Size != 0 {
		out = append(out, Param{"size", strconv.Itoa(st.Size)})
	}
	if st.FacetTop != notice.DefaultFacetTop && st.FacetTop != 0 {
		out = append(out, Param{"facet_size", strconv.Itoa(st.FacetTop)})
	}
	for _, f := range st.Expand {
		out = append(out, Param{"expand", f})
	}
	return out
}
