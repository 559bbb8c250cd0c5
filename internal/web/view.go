package web

import (
	"fmt"
	"html/template"
	"strconv"

	"noticekb/internal/notice"
)

// SearchView is everything the search page shows.
type SearchView struct {
	Page
	Total         uint64
	Notice        string
	Suggestion    *Suggestion
	Hits          []HitView
	Facets        []FacetView
	Years         *Histogram
	Active        []ActiveFilter
	ClearURL      string
	Pager         *Pager
	Sorts         []Option
	Hidden        []Param // the state kept by the sort form
	HiddenNoDates []Param // the state kept by the date form
	From, To      string
}

type Suggestion struct{ Text, URL string }

type HitView struct {
	Title, URL, Date, DateISO, Publisher string
	Snippet                              template.HTML
	Partners, Topics                     []Chip
}

type Chip struct{ Label, Title, URL string }

type FacetView struct {
	Name, Title string
	Values      []FacetValueView
}

type FacetValueView struct {
	Label, Title, URL string
	Count             uint64
	Selected          bool
}

type ActiveFilter struct{ Label, URL string }

type Pager struct {
	Page, Pages int
	Prev, Next  string
}

type Option struct {
	Value, Label string
	Selected     bool
}

type Param struct{ Name, Value string }

// Histogram is the year facet drawn as SVG bars.
type Histogram struct {
	Width       int
	First, Last string
	Bars        []Bar
}

type Bar struct {
	Label, URL string
	Count      uint64
	X, Y, W, H int
	Selected   bool
}

var facetTitles = map[string]string{
	notice.FacetPartner: "Partner", notice.FacetTopic: "Cooperation topic",
	notice.FacetPublisher: "Publisher", notice.FacetSDG: "SDG",
}

// partnerNames gives chips and facet values their full names.
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

func (s *Server) searchView(q notice.Query, r *notice.Result) SearchView {
	names := s.partnerNames()
	v := SearchView{
		Page:  Page{Title: "Search", Query: q.Text},
		Total: r.Total,
		From:  q.From.String(), To: q.To.String(),
	}
	if q.Text == "" {
		v.Title = "News and notices"
	}
	if r.Suggestion != "" {
		v.Suggestion = &Suggestion{Text: r.Suggestion, URL: searchURL("/", with(q, func(q *notice.Query) { q.Text = r.Suggestion }))}
	}
	for _, h := range r.Hits {
		v.Hits = append(v.Hits, hitView(h, names))
	}
	for _, f := range []string{notice.FacetPartner, notice.FacetTopic, notice.FacetPublisher} {
		if fv := facetView(q, f, r.Facets[f], names); len(fv.Values) > 0 {
			v.Facets = append(v.Facets, fv)
		}
	}
	v.Years = histogram(q, r.Facets[notice.FacetYear])
	v.Active, v.ClearURL = activeFilters(q), searchURL("/", notice.Query{Text: q.Text})
	v.Pager = pager(q, r.Total)
	v.Sorts = sortOptions(q)
	v.Hidden = hiddenParams(q, true)
	v.HiddenNoDates = hiddenParams(q, false)
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

func facetView(q notice.Query, facet string, values []notice.FacetValue, names partnerNames) FacetView {
	fv := FacetView{Name: facet, Title: facetTitles[facet]}
	for _, val := range values {
		if val.Count == 0 && !val.Selected {
			continue
		}
		item := FacetValueView{Label: val.Value, Count: val.Count, Selected: val.Selected, URL: searchURL("/", toggled(q, facet, val.Value))}
		if facet == notice.FacetPartner {
			item.Title = firstNonEmpty(val.Label, names[val.Value])
		}
		fv.Values = append(fv.Values, item)
	}
	return fv
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

const barWidth, barGap, chartHeight = 12, 2, 60

func histogram(q notice.Query, years []notice.FacetValue) *Histogram {
	if len(years) == 0 {
		return nil
	}
	var top uint64 = 1
	for _, y := range years {
		top = max(top, y.Count)
	}
	h := &Histogram{Width: len(years) * (barWidth + barGap), First: years[0].Value, Last: years[len(years)-1].Value}
	for i, y := range years {
		height := int(float64(y.Count) / float64(top) * chartHeight)
		if y.Count > 0 && height < 2 {
			height = 2
		}
		onlyThisYear := q.From.String() == y.Value+"-01-01" && q.To.String() == y.Value+"-12-31"
		target := with(q, func(q *notice.Query) {
			if onlyThisYear {
				q.From, q.To = notice.Date{}, notice.Date{}
				return
			}
			q.From, _ = notice.ParseDateBound(y.Value, false)
			q.To, _ = notice.ParseDateBound(y.Value, true)
		})
		h.Bars = append(h.Bars, Bar{
			Label: y.Value, URL: searchURL("/", target), Count: y.Count, Selected: y.Selected,
			X: i * (barWidth + barGap), Y: 64 - height, W: barWidth, H: height,
		})
	}
	return h
}

func activeFilters(q notice.Query) []ActiveFilter {
	var out []ActiveFilter
	for _, f := range notice.FilterFacets {
		for _, val := range q.Filters[f] {
			out = append(out, ActiveFilter{Label: facetTitles[f] + ": " + val, URL: searchURL("/", toggled(q, f, val))})
		}
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		label := fmt.Sprintf("Date: %s – %s", orDots(q.From.String()), orDots(q.To.String()))
		out = append(out, ActiveFilter{Label: label, URL: searchURL("/", with(q, func(q *notice.Query) { q.From, q.To = notice.Date{}, notice.Date{} }))})
	}
	return out
}

func orDots(s string) string {
	if s == "" {
		return "…"
	}
	return s
}

func pager(q notice.Query, total uint64) *Pager {
	pages := int((total + uint64(q.Size) - 1) / uint64(q.Size))
	pages = min(pages, notice.MaxPage)
	if pages <= 1 {
		return nil
	}
	p := &Pager{Page: q.Page, Pages: pages}
	at := func(page int) string {
		n := clone(q)
		n.Page = page
		return searchURL("/", n)
	}
	if q.Page > 1 {
		p.Prev = at(q.Page - 1)
	}
	if q.Page < pages {
		p.Next = at(q.Page + 1)
	}
	return p
}

func sortOptions(q notice.Query) []Option {
	opts := []Option{{Value: "relevance", Label: "Best match"}, {Value: "newest", Label: "Newest first"}, {Value: "oldest", Label: "Oldest first"}}
	for i := range opts {
		opts[i].Selected = notice.Sort(opts[i].Value) == q.Sort
	}
	return opts
}

// hiddenParams are the state a small form must carry along: everything
// but the field it edits.
func hiddenParams(q notice.Query, withDates bool) []Param {
	var out []Param
	if q.Text != "" {
		out = append(out, Param{"q", q.Text})
	}
	for _, f := range notice.FilterFacets {
		for _, val := range q.Filters[f] {
			out = append(out, Param{f, val})
		}
	}
	if withDates {
		if !q.From.IsZero() {
			out = append(out, Param{"from", q.From.String()})
		}
		if !q.To.IsZero() {
			out = append(out, Param{"to", q.To.String()})
		}
	} else if q.Sort != defaultSort(q) {
		out = append(out, Param{"sort", string(q.Sort)})
	}
	if q.Size != notice.DefaultPageSize && q.Size != 0 {
		out = append(out, Param{"size", strconv.Itoa(q.Size)})
	}
	return out
}
