package crawl

import (
	"net/url"
	"path"
	"strings"
	"time"
)

// priority orders a host's queue: a list's notices and its next pages
// first, so pages are judged with the best evidence; then other links;
// then sitemap entries and stored pages to re-check, which mostly turn out
// to be seen already.
type priority int

const (
	prioHigh priority = iota
	prioNormal
	prioLow
	nPrio
)

// entry is one URL waiting to be fetched.
type entry struct {
	url       string
	depth     int
	listed    bool // a list linked to it as one of its items
	prio      priority
	attempt   int
	hops      int // redirects followed to get here
	notBefore time.Time
	start     bool // a start URL: include patterns do not apply
}

// host is one host's queue and politeness state.
type host struct {
	name     string // host[:port], as in URLs
	base     string // scheme://host
	queues   [nPrio][]entry
	retries  []entry
	inFlight int
	next     time.Time // earliest start of the next request
	delay    time.Duration
	robots   *robotsRules // nil until read
	loading  bool         // robots.txt is being read
	sitemaps []string     // sitemap URLs to read
	maps     int          // sitemaps read or queued
	want     bool         // read this host's sitemaps
}

func (h *host) waiting() bool {
	if h.loading || len(h.sitemaps) > 0 || len(h.retries) > 0 {
		return true
	}
	for _, q := range h.queues {
		if len(q) > 0 {
			return true
		}
	}
	return false
}

// urlState is what the crawl knows about one URL.
type urlState struct {
	prio       priority
	dispatched bool
	listed     bool // a list linked to it as one of its items
	// wantsListed: the sink asked to hear of a list's link to the page,
	// which it read without one.
	wantsListed bool
	// What came of the URL, for Unread: read (a page handed to the
	// sink), the target it redirected to, or why it was not read.
	read              bool
	redirect, failure string
}

func (r *run) host(u string) *host {
	pu, _ := url.Parse(u)
	name := strings.ToLower(pu.Host)
	h := r.hosts[name]
	if h == nil {
		h = &host{name: name, base: pu.Scheme + "://" + name, delay: r.c.cfg.Delay}
		r.hosts[name] = h
		r.order = append(r.order, h)
	}
	return h
}

// inScope applies the site, asset and include/exclude rules.
func (r *run) inScope(e entry) bool {
	if len(e.url) > 2048 || !r.sites[siteOf(e.url)] || isAsset(e.url) {
		return false
	}
	if langs := r.languages[siteOf(e.url)]; langs != nil && !e.start {
		if lang := languageSegment(e.url); lang != "" && !langs[lang] {
			return false
		}
	}
	for _, re := range r.c.cfg.Exclude {
		if re.MatchString(e.url) {
			return false
		}
	}
	if e.start || len(r.c.cfg.Include) == 0 {
		return true
	}
	for _, re := range r.c.cfg.Include {
		if re.MatchString(e.url) {
			return true
		}
	}
	return false
}

// offer queues a URL unless it is out of scope or already handled; a URL
// met again with better evidence is upgraded (or, if it was read already
// and its sink asked to hear of a list's link, the sink is told).
func (r *run) offer(e entry) {
	if !r.inScope(e) {
		return
	}
	if e.depth > r.c.cfg.MaxDepth {
		r.c.stats.trapped.Add(1)
		return
	}
	st := r.seen[e.url]
	if st == nil && r.known != nil && !e.start && r.known(e.url) {
		r.seen[e.url] = &urlState{prio: e.prio, listed: e.listed, dispatched: true}
		return // a check run reads only new pages
	}
	if st == nil {
		r.seen[e.url] = &urlState{prio: e.prio, listed: e.listed}
		r.push(e)
		return
	}
	if e.listed && !st.listed {
		st.listed = true
		if st.wantsListed {
			r.tellListed(e.url, st)
		}
	}
	if st.dispatched {
		return
	}
	if e.prio < st.prio { // queue it again, sooner; the later copy is skipped
		st.prio = e.prio
		r.push(e)
	}
}

func (r *run) push(e entry) {
	h := r.host(e.url)
	h.queues[e.prio] = append(h.queues[e.prio], e)
	r.c.stats.queued.Add(1)
}

// tellListed passes a list's link to a page already read on to the sink,
// which may judge the page again.
func (r *run) tellListed(url string, st *urlState) {
	st.wantsListed = false
	if err := r.sink.Listed(url); err != nil {
		r.c.cfg.Log.Error("store write failed", "url", url, "err", err)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

var assetExtensions = map[string]bool{
	".css": true, ".js": true, ".png": true, ".jpg": true, ".jpeg": true, ".gif": true,
	".svg": true, ".ico": true, ".webp": true, ".pdf": true, ".zip": true, ".doc": true,
	".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true, ".hwp": true,
	".hwpx": true, ".mp3": true, ".mp4": true, ".avi": true, ".mov": true, ".woff": true,
	".woff2": true, ".ttf": true, ".eot": true, ".rss": true, ".atom": true, ".json": true,
	".xml": true, ".gz": true, ".txt": true,
}

func isAsset(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	return assetExtensions[strings.ToLower(path.Ext(u.Path))]
}

// siteOf is the site a URL belongs to: its host and port, without "www.".
func siteOf(raw string) string {
	return strings.TrimPrefix(hostOf(raw), "www.")
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

func pathAndQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "/"
	}
	return u.RequestURI()
}
