package verdict

import (
	"net/url"
	"strings"
	"sync"
)

// Knowledge is what a crawl has learned of its sites: each page's own
// evidence, what the lists say of it, and so what the pages of each
// template are. Pages of one template (same host, URL pattern and
// skeleton) are judged together: a template whose pages are notices on
// their own evidence lends that weight to the one that lacks some, and a
// template of archives, authors or services holds back the one page of
// it that shows a date. It is safe for concurrent use.
type Knowledge struct {
	mu        sync.Mutex
	pages     map[string]*known
	listings  map[string]Listing // by listingKey, for pages not read yet too
	templates map[string]*tally  // by templateKey
	patterns  map[string]*tally  // by host and URL pattern alone
	hosts     map[string]*tally  // notices, and those listed as entries
}

type known struct {
	page     Page
	host     string
	pattern  string // host and URL pattern
	template string // pattern and skeleton
	// alone is the page's verdict without its template's evidence, as
	// its template counts it; listed, that it is a notice so and a list
	// has it as an entry.
	alone, listed bool
}

// tally counts pages and notices (of a template, a pattern), or notices
// and listed notices (of a host).
type tally struct{ pages, notices int }

// NewKnowledge returns empty knowledge.
func NewKnowledge() *Knowledge {
	return &Knowledge{pages: map[string]*known{}, listings: map[string]Listing{},
		templates: map[string]*tally{}, patterns: map[string]*tally{}, hosts: map[string]*tally{}}
}

// Learn records a page's evidence under its URL, replacing what was known.
func (k *Knowledge) Learn(u string, p Page) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if old, ok := k.pages[u]; ok {
		k.uncount(old)
	}
	host := hostOf(u)
	pattern := host + Pattern(u)
	kn := &known{page: p, host: host, pattern: pattern, template: pattern + " " + p.Skeleton}
	k.pages[u] = kn
	k.count(kn, k.listings[listingKey(u)])
}

// List records that a list links to u in the way l says, and reports
// whether that raised what was known of u's listing.
func (k *Knowledge) List(u string, l Listing) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	key := listingKey(u)
	if l <= k.listings[key] {
		return false
	}
	k.listings[key] = l
	if kn, ok := k.pages[u]; ok {
		k.uncount(kn)
		k.count(kn, l)
	}
	return true
}

// Listing is what the lists seen so far say of u.
func (k *Knowledge) Listing(u string) Listing {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.listings[listingKey(u)]
}

// Knows reports whether u's evidence was learned.
func (k *Knowledge) Knows(u string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.pages[u]
	return ok
}

// Judge judges the page learned under u with all that is known of its
// site; ok is false for a page never learned.
func (k *Knowledge) Judge(u string) (v Verdict, ok bool) {
	k.mu.Lock()
	kn, ok := k.pages[u]
	var s Site
	if ok {
		s = k.siteLocked(u, kn)
	}
	k.mu.Unlock()
	if !ok {
		return Verdict{}, false
	}
	return Judge(kn.page, s), true
}

// URLs lists the pages learned.
func (k *Knowledge) URLs() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]string, 0, len(k.pages))
	for u := range k.pages {
		out = append(out, u)
	}
	return out
}

// siteLocked is what the site says of a known page: its listing, the
// other pages of its template and of its URL pattern, and whether its
// site lists its notices. Counts leave the page itself out.
func (k *Knowledge) siteLocked(u string, kn *known) Site {
	s := Site{Listing: k.listings[listingKey(u)]}
	self := 0
	if kn.alone {
		self = 1
	}
	t, p, h := k.templates[kn.template], k.patterns[kn.pattern], k.hosts[kn.host]
	s.Template = Template{Key: kn.template, Pages: t.pages - 1, Notices: t.notices - self}
	s.Pattern = Template{Key: kn.pattern, Pages: p.pages - 1, Notices: p.notices - s.Template.Notices - self}
	s.Pattern.Pages -= s.Template.Pages
	listedSelf := 0
	if kn.alone && s.Listing >= Item {
		listedSelf = 1
	}
	s.Lists = SiteLists{Notices: h.pages - self, Listed: h.notices - listedSelf}
	return s
}

func (k *Knowledge) count(kn *known, l Listing) {
	kn.alone = Judge(kn.page, Site{Listing: l}).Kind == Notice
	kn.listed = kn.alone && l >= Item
	add(k.templates, kn.template, 1, kn.alone)
	add(k.patterns, kn.pattern, 1, kn.alone)
	add(k.hosts, kn.host, b2i(kn.alone), kn.listed)
}

func (k *Knowledge) uncount(kn *known) {
	add(k.templates, kn.template, -1, kn.alone)
	add(k.patterns, kn.pattern, -1, kn.alone)
	add(k.hosts, kn.host, -b2i(kn.alone), kn.listed)
}

// add counts n pages into m[key], and as many notices if notice is set.
func add(m map[string]*tally, key string, n int, notice bool) {
	t := m[key]
	if t == nil {
		t = &tally{}
		m[key] = t
	}
	t.pages += n
	if notice {
		t.notices += n
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return strings.ToLower(u.Host)
	}
	return ""
}

// listingKey is the URL lists are matched on: a link to /a and the page
// /a/ it redirects to are one page.
func listingKey(u string) string { return strings.TrimSuffix(u, "/") }
