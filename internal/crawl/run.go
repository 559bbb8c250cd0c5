package crawl

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"noticekb/internal/ingest"
	"noticekb/internal/store"
	"noticekb/internal/urlnorm"
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
	origin    ingest.Origin
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
	origin     ingest.Origin
	prio       priority
	dispatched bool
	listLinked bool // a list linked to it as one of its notices
	candidate  *candidate
}

type jobKind int

const (
	jobPage jobKind = iota
	jobRobots
	jobSitemap
)

type job struct {
	kind jobKind
	host *host
	e    entry
	url  string // the sitemap
}

type outcome struct {
	job      job
	v        visit
	robots   *robotsRules
	pages    []string
	sitemaps []string
	err      error
}

// maxSitemaps bounds the sitemap files read per host.
const maxSitemaps = 100

// run is one crawl's scheduler state; only its loop goroutine touches it.
type run struct {
	c        *Crawler
	session  *ingest.Session
	single   bool // one page: no links, sitemaps or stored pages
	sites    map[string]bool
	hosts    map[string]*host
	order    []*host
	rr       int
	seen     map[string]*urlState
	budget   *budget
	fetched  int
	inFlight int
	results  chan outcome
	limitHit bool
}

// Run crawls from the start URLs: their sites' sitemaps and the pages of
// those sites already in the store are queued too, so a re-crawl checks
// every known notice (304s cost little) and notices whose pages are gone
// are withdrawn. It ends when nothing is left to fetch, MaxPages is reached
// or ctx ends; pages go to the session.
func (c *Crawler) Run(ctx context.Context, starts []string, session *ingest.Session) error {
	r, err := c.newRun(starts, session, false)
	if err != nil {
		return err
	}
	if err := r.seedKnown(); err != nil {
		return err
	}
	return r.loop(ctx)
}

// RunPage fetches one page (and the redirects it leads to on its site),
// following no links: the admin's re-import of a single page.
func (c *Crawler) RunPage(ctx context.Context, pageURL string, session *ingest.Session) error {
	r, err := c.newRun([]string{pageURL}, session, true)
	if err != nil {
		return err
	}
	return r.loop(ctx)
}

func (c *Crawler) newRun(starts []string, session *ingest.Session, single bool) (*run, error) {
	c.resetStats()
	r := &run{
		c: c, session: session, single: single, sites: map[string]bool{}, hosts: map[string]*host{},
		seen: map[string]*urlState{}, budget: newBudget(c.cfg.PatternBudget), results: make(chan outcome, 64),
	}
	for _, s := range starts {
		u, err := urlnorm.Normalize(s)
		if err != nil {
			return nil, fmt.Errorf("crawl: start URL %q: %w", s, err)
		}
		r.sites[siteOf(u)] = true
	}
	for _, s := range starts {
		u, _ := urlnorm.Normalize(s)
		h := r.host(u)
		h.want = !single && !c.cfg.NoSitemaps
		r.offer(entry{url: u, origin: ingest.OriginCrawl, prio: prioHigh, start: true})
	}
	return r, nil
}

// seedKnown queues the stored pages of the start sites that hold notices,
// so a re-crawl re-checks them even where no link leads any more.
func (r *run) seedKnown() error {
	hosts := make([]string, 0, len(r.hosts))
	for name := range r.hosts {
		hosts = append(hosts, name)
	}
	sort.Strings(hosts)
	for _, name := range hosts {
		err := r.session.KnownPages(name, func(rec store.PageRecord) error {
			if rec.NoticeID == "" || !rec.GoneAt.IsZero() {
				return nil
			}
			origin := ingest.Origin(rec.Origin)
			if origin == "" {
				origin = ingest.OriginCrawl
			}
			r.offer(entry{url: rec.URL, origin: origin, prio: prioLow, depth: rec.Depth})
			return nil
		})
		if err != nil {
			return fmt.Errorf("crawl: stored pages of %s: %w", name, err)
		}
	}
	return nil
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
// met again with better evidence is upgraded (or promoted, if it was read
// already and only lacked a list's link to be a notice).
func (r *run) offer(e entry) {
	if !r.inScope(e) {
		return
	}
	if e.depth > r.c.cfg.MaxDepth {
		r.c.stats.trapped.Add(1)
		return
	}
	st := r.seen[e.url]
	if st == nil {
		r.seen[e.url] = &urlState{origin: e.origin, prio: e.prio, listLinked: e.origin == ingest.OriginList}
		r.push(e)
		return
	}
	if e.origin == ingest.OriginList && !st.listLinked {
		st.listLinked = true
		if st.candidate != nil {
			r.promote(st)
		}
	}
	if st.dispatched {
		return
	}
	if ingest.Stronger(e.origin, st.origin) {
		st.origin = e.origin
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

func (r *run) promote(st *urlState) {
	cand := st.candidate
	st.candidate = nil
	cand.page.Origin = ingest.OriginList
	if err := r.session.Promote(cand.page, cand.res); err != nil {
		r.c.cfg.Log.Error("store write failed", "url", cand.page.URL, "err", err)
	}
}

// loop dispatches jobs as hosts allow and handles their outcomes until
// nothing is left or ctx ends (then it waits for requests in flight).
func (r *run) loop(ctx context.Context) error {
	done := ctx.Done()
	stopping := false
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var wake time.Time
		if !stopping {
			wake = r.dispatch(ctx, time.Now())
		}
		if r.inFlight == 0 && (stopping || !r.waiting()) {
			break
		}
		var tick <-chan time.Time
		if !wake.IsZero() {
			timer.Reset(time.Until(wake))
			tick = timer.C
		}
		select {
		case o := <-r.results:
			r.inFlight--
			o.job.host.inFlight--
			r.handle(o)
		case <-tick:
		case <-done:
			stopping, done = true, nil
		}
		if !wake.IsZero() && !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
	if r.limitHit {
		r.c.cfg.Log.Warn("crawl stopped at the page limit", "max_pages", r.c.cfg.MaxPages)
	}
	return ctx.Err()
}

func (r *run) waiting() bool {
	for _, h := range r.order {
		if h.waiting() {
			return true
		}
	}
	return false
}

// dispatch starts every job a host is ready for, and returns when the
// next one that must wait (for a delay or a retry) becomes ready.
func (r *run) dispatch(ctx context.Context, now time.Time) time.Time {
	var wake time.Time
	later := func(t time.Time) {
		if wake.IsZero() || t.Before(wake) {
			wake = t
		}
	}
	n := len(r.order)
	for i := range n {
		h := r.order[(r.rr+i)%n]
		for h.inFlight < r.c.cfg.Concurrency && !h.loading {
			if now.Before(h.next) {
				later(h.next)
				break
			}
			j, ok, due := r.nextJob(h, now)
			if !ok {
				if !due.IsZero() {
					later(due)
				}
				break
			}
			h.next = now.Add(h.delay)
			h.inFlight++
			r.inFlight++
			go r.work(ctx, j)
		}
	}
	r.rr++
	return wake
}

// nextJob picks a host's next job: robots.txt first, then sitemaps,
// retries that are due, and the queues by priority. It drops queued URLs
// that robots.txt, the page limit or their pattern's budget rule out.
func (r *run) nextJob(h *host, now time.Time) (job, bool, time.Time) {
	if h.robots == nil {
		h.loading = true
		return job{kind: jobRobots, host: h}, true, time.Time{}
	}
	if len(h.sitemaps) > 0 {
		u := h.sitemaps[0]
		h.sitemaps = h.sitemaps[1:]
		return job{kind: jobSitemap, host: h, url: u}, true, time.Time{}
	}
	var due time.Time
	if len(h.retries) > 0 {
		sort.Slice(h.retries, func(i, j int) bool { return h.retries[i].notBefore.Before(h.retries[j].notBefore) })
		if e := h.retries[0]; !now.Before(e.notBefore) {
			h.retries = h.retries[1:]
			return job{kind: jobPage, host: h, e: e}, true, time.Time{}
		}
		due = h.retries[0].notBefore
	}
	for p := range h.queues {
		for len(h.queues[p]) > 0 {
			e := h.queues[p][0]
			h.queues[p] = h.queues[p][1:]
			r.c.stats.queued.Add(-1)
			if r.admit(h, &e) {
				return job{kind: jobPage, host: h, e: e}, true, time.Time{}
			}
		}
	}
	return job{}, false, due
}

// admit decides, at the last moment, whether a queued URL is fetched.
func (r *run) admit(h *host, e *entry) bool {
	st := r.seen[e.url]
	if st.dispatched {
		return false
	}
	if r.fetched >= r.c.cfg.MaxPages {
		r.limitHit = true
		return false
	}
	if !h.robots.allowed(pathAndQuery(e.url)) {
		r.c.stats.disallowed.Add(1)
		st.dispatched = true
		return false
	}
	p := pattern(e.url)
	if r.budget.spent(p) {
		if !r.budget.reported[p] {
			r.budget.reported[p] = true
			r.c.cfg.Log.Warn("URL pattern budget spent: skipping the rest of it (a calendar or search trap?)", "pattern", p)
		}
		r.c.stats.trapped.Add(1)
		st.dispatched = true
		return false
	}
	st.dispatched = true
	e.origin = st.origin
	r.fetched++
	return true
}

// work runs one job on a worker goroutine.
func (r *run) work(ctx context.Context, j job) {
	o := outcome{job: j}
	switch j.kind {
	case jobRobots:
		o.robots, o.err = r.c.fetchRobots(ctx, j.host.base)
	case jobSitemap:
		o.pages, o.sitemaps, o.err = r.c.fetchSitemap(ctx, j.url)
	case jobPage:
		start := time.Now()
		o.v = r.c.visitPage(ctx, j.e, r.session)
		r.c.stats.fetched.Add(1)
		if r.c.cfg.OnPage != nil {
			r.c.cfg.OnPage(Event{URL: j.e.url, Status: o.v.status, Result: o.v.result, Attempt: j.e.attempt, Took: time.Since(start)})
		}
	}
	r.results <- o
}

// handle takes a job's outcome into the scheduler's state.
func (r *run) handle(o outcome) {
	h := o.job.host
	switch o.job.kind {
	case jobRobots:
		h.loading, h.robots = false, o.robots
		if o.err != nil {
			r.session.Fail(h.base+"/robots.txt", o.err.Error())
			r.c.cfg.Log.Error("robots.txt unavailable: host skipped", "host", h.name, "err", o.err)
		}
		h.delay = max(r.c.cfg.Delay, h.robots.delay)
		h.next = maxTime(h.next, time.Now().Add(h.delay))
		if h.want && !h.robots.deny {
			h.sitemaps = r.sitemapsOf(h, h.robots.sitemaps)
			if len(h.sitemaps) == 0 && h.robots.allowed("/sitemap.xml") {
				h.sitemaps = []string{h.base + "/sitemap.xml"}
			}
			h.maps = len(h.sitemaps)
		}
	case jobSitemap:
		if o.err != nil {
			r.c.cfg.Log.Info("sitemap not read", "url", o.job.url, "err", o.err)
		}
		for _, p := range o.pages {
			if u, err := urlnorm.Normalize(p); err == nil {
				r.offer(entry{url: u, origin: ingest.OriginCrawl, prio: prioLow, depth: 1})
			}
		}
		for _, s := range r.sitemapsOf(h, o.sitemaps) {
			if h.maps < maxSitemaps {
				h.sitemaps = append(h.sitemaps, s)
				h.maps++
			}
		}
	case jobPage:
		r.handlePage(h, o.job.e, o.v)
	}
}

func (r *run) handlePage(h *host, e entry, v visit) {
	st := r.seen[e.url]
	if v.hostPause > 0 {
		h.next = maxTime(h.next, time.Now().Add(v.hostPause))
	}
	if v.retryIn > 0 {
		r.c.stats.retries.Add(1)
		e.attempt++
		e.notBefore = time.Now().Add(v.retryIn)
		h.retries = append(h.retries, e)
		return
	}
	r.budget.note(pattern(e.url), v.useful)
	if v.candidate != nil {
		st.candidate = v.candidate
		if st.listLinked {
			r.promote(st)
		}
	}
	if v.redirect != "" {
		r.redirected(e, v.redirect)
		return
	}
	if r.single {
		return
	}
	for _, l := range v.links {
		next := entry{url: l.url, depth: e.depth + 1, origin: ingest.OriginCrawl, prio: prioNormal}
		switch {
		case l.item:
			next.origin, next.prio = ingest.OriginList, prioHigh
		case l.next:
			next.depth, next.prio = e.depth, prioHigh
		case l.canonical:
			next.depth, next.origin, next.prio = e.depth, e.origin, e.prio
		}
		r.offer(next)
	}
}

// redirected queues a redirect's target as the same kind of link; a
// target off the site fails the page, since its notice cannot be read here.
func (r *run) redirected(e entry, target string) {
	if e.hops >= 10 {
		r.session.Fail(e.url, "more than 10 redirects")
		return
	}
	next := entry{url: target, depth: e.depth, origin: e.origin, prio: prioHigh, hops: e.hops + 1, start: e.start}
	if !r.sites[siteOf(target)] {
		r.c.stats.errors.Add(1)
		r.session.Fail(e.url, "redirected off the site to "+target)
		return
	}
	r.offer(next)
}

// sitemapsOf keeps the sitemap URLs on the host's site.
func (r *run) sitemapsOf(h *host, raw []string) []string {
	var out []string
	for _, s := range raw {
		u, err := urlnorm.Normalize(s)
		if err == nil && urlnorm.SameSite(hostOf(u), h.name) {
			out = append(out, u)
		}
	}
	return out
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
