package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/noticekb/noticekb/internal/notice"
)

// state is what a search page shows: the query, and which facet lists are
// open in full. Every link on the page is built from a state, so each view
// has one shareable address.
type state struct {
	notice.Query
	// Expand names the facets listed in full ("show all"), in URL order.
	Expand []string
}

// expandable are the facets a page can list in full.
var expandable = []string{notice.FacetPartner, notice.FacetTopic, notice.FacetPublisher, notice.FacetSDG, notice.FacetSection}

func (st state) expanded(facet string) bool { return slices.Contains(st.Expand, facet) }

// params are URL parameters in the order they were added, so addresses
// read naturally ("?q=smart&partner=KLID") and each state has one.
type params []Param

func (p *params) Add(key, value string) { *p = append(*p, Param{key, value}) }
func (p *params) Set(key, value string) { p.Del(key); p.Add(key, value) }

func (p *params) Del(key string) {
	*p = slices.DeleteFunc(*p, func(kv Param) bool { return kv.Name == key })
}

// Encode writes the parameters, spaces as %20 rather than "+": it reads
// the same in every decoder.
func (p params) Encode() string {
	var b strings.Builder
	for i, kv := range p {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv.Name))
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(url.QueryEscape(kv.Value), "+", "%20"))
	}
	return b.String()
}

// values writes a state as URL parameters; page says whether the page
// number belongs in them (a feed has no pages).
func (st state) values(page bool) params {
	q := st.Query
	var v params
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	for _, f := range notice.FilterFacets {
		for _, val := range q.Filters[f] {
			v.Add(f, val)
		}
	}
	if !q.From.IsZero() {
		v.Set("from", q.From.String())
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.String())
	}
	if q.Sort != "" && q.Sort != defaultSort(q) {
		v.Set("sort", string(q.Sort))
	}
	if page && q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Size != 0 && q.Size != notice.DefaultPageSize {
		v.Set("size", strconv.Itoa(q.Size))
	}
	if q.FacetTop != 0 && q.FacetTop != notice.DefaultFacetTop {
		v.Set("facet_size", strconv.Itoa(q.FacetTop))
	}
	if q.Verbatim {
		v.Set("verbatim", "1")
	}
	for _, f := range st.Expand {
		v.Add("expand", f)
	}
	return v
}

// SearchURL writes a query as the URL of path, the way the search page
// and the API read it back.
func SearchURL(path string, q notice.Query) string {
	return searchURL(path, state{Query: q})
}

// searchURL writes a state as the URL of path.
func searchURL(path string, st state) string {
	return withParams(path, st.values(true))
}

func withParams(path string, v params) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

func defaultSort(q notice.Query) notice.Sort {
	if q.Text == "" {
		return notice.SortNewest
	}
	return notice.SortRelevance
}

// clone copies a state deeply, so a link can change it freely.
func clone(st state) state {
	out := st
	out.Filters = make(map[string][]string, len(st.Filters))
	for f, vals := range st.Filters {
		out.Filters[f] = slices.Clone(vals)
	}
	out.After = nil
	out.Expand = slices.Clone(st.Expand)
	return out
}

// with returns the state changed by fn, back on page 1.
func with(st state, fn func(*state)) state {
	out := clone(st)
	out.Page = 1
	fn(&out)
	return out
}

// toggled adds a facet value to the state, or removes it if selected.
func toggled(st state, facet, value string) state {
	return with(st, func(st *state) {
		vals := st.Filters[facet]
		if i := slices.Index(vals, value); i >= 0 {
			st.Filters[facet] = slices.Delete(vals, i, i+1)
		} else {
			st.Filters[facet] = append(vals, value)
		}
	})
}

// toggledExpand opens a facet list in full, or closes it.
func toggledExpand(st state, facet string) state {
	out := clone(st)
	if i := slices.Index(out.Expand, facet); i >= 0 {
		out.Expand = slices.Delete(out.Expand, i, i+1)
	} else {
		out.Expand = append(out.Expand, facet)
	}
	return out
}

// only is a search for one facet value alone, the target of a chip.
func only(facet, value string) string {
	return searchURL("/", state{Query: notice.Query{Filters: map[string][]string{facet: {value}}}})
}

// both is a search for a partner and a topic together, a map cell's target.
func both(base state, partner, topic string) string {
	return searchURL("/", with(base, func(st *state) {
		st.Filters[notice.FacetPartner] = []string{partner}
		st.Filters[notice.FacetTopic] = []string{topic}
		st.Expand = nil
	}))
}
