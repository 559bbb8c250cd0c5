package crawl

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/noticekb/noticekb/internal/urlnorm"
)

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
	c      *Crawler
	sink   Sink
	single bool // given pages only: no links, sitemaps or stored pages
	// known, when set, tells the pages the store has: links to them are
	// not followed (a check run reads only its start pages and new pages).
	known func(url string) bool
	sites map[string]bool
	// languages holds, for a site whose every start URL begins with a
	// language (/ko/news/), those languages: the site's pages in its other
	// languages are translations, another site's worth of pages.
	languages map[string]map[string]bool
	hosts     map[string]*host
	order     []*host
	rr        int
	seen      map[string]*urlState
	budget    *budget
	fetched   int
	inFlight  int
	results   chan outcome
	limitHit  bool
}

// Run crawls from the start URLs: their sites' sitemaps and the pages of
// those sites already in the store are queued too, so a re-crawl checks
// every known notice (304s cost little) and notices whose pages are gone
// are withdrawn. It ends when nothing is left to fetch, MaxPages is reached
// or ctx ends; pages go to the sink.
func (c *Crawler) Run(ctx context.Context, starts []string, sink Sink) error {
	r, err := c.newRun(startEntries(starts), sink, false)
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
func (c *Crawler) RunPage(ctx context.Context, pageURL string, sink Sink) error {
	r, err := c.newRun(startEntries([]string{pageURL}), sink, true)
	if err != nil {
		return err
	}
	return r.loop(ctx)
}

// RunCheck reads the start URLs (conditionally, when the sink knows them)
// and follows their links only to pages known says the store does not
// have, on and on: a cheap look for what is new on a site whose list
// pages are the start URLs. Sitemaps and stored pages are not read; a
// list page that did not change costs one 304.
func (c *Crawler) RunCheck(ctx context.Context, starts []string, sink Sink, known func(url string) bool) error {
	r, err := c.newRun(startEntries(starts), sink, false)
	if err != nil {
		return err
	}
	r.known = known
	for _, h := range r.hosts {
		h.want = false
	}
	return r.loop(ctx)
}

// RunSeeds fetches the given pages (conditionally, when the sink knows
// them) and the redirects they lead to on their sites, following no other
// links: the notices a feed lists, or stored notices to check again.
func (c *Crawler) RunSeeds(ctx context.Context, seeds []Seed, sink Sink) error {
	entries := make([]entry, 0, len(seeds))
	for _, s := range seeds {
		entries = append(entries, entry{url: s.URL, depth: s.Depth, listed: s.Listed, prio: prioHigh, start: true})
	}
	r, err := c.newRun(entries, sink, true)
	if err != nil {
		return err
	}
	return r.loop(ctx)
}

func startEntries(starts []string) []entry {
	out := make([]entry, 0, len(starts))
	for _, s := range starts {
		out = append(out, entry{url: s, prio: prioHigh, start: true})
	}
	return out
}

func (c *Crawler) newRun(starts []entry, sink Sink, single bool) (*run, error) {
	c.resetStats()
	r := &run{
		c: c, sink: sink, single: single, sites: map[string]bool{}, hosts: map[string]*host{},
		seen: map[string]*urlState{}, budget: newBudget(c.cfg.PatternBudget), results: make(chan outcome, 64),
	}
	for i, s := range starts {
		u, err := urlnorm.Normalize(s.url)
		if err != nil {
			return nil, fmt.Errorf("crawl: start URL %q: %w", s.url, err)
		}
		starts[i].url = u
		r.sites[siteOf(u)] = true
	}
	r.languages = startLanguages(starts)
	for _, e := range starts {
		h := r.host(e.url)
		h.want = !single && !c.cfg.NoSitemaps
		r.offer(e)
	}
	return r, nil
}

// seedKnown queues the stored pages of the start sites the sink would
// check again, so a re-crawl re-checks them even where no link leads any more.
func (r *run) seedKnown() error {
	hosts := make([]string, 0, len(r.hosts))
	for name := range r.hosts {
		hosts = append(hosts, name)
	}
	sort.Strings(hosts)
	for _, name := range hosts {
		err := r.sink.Revisits(name, func(s Seed) {
			r.offer(entry{url: s.URL, listed: s.Listed, prio: prioLow, depth: s.Depth})
		})
		if err != nil {
			return fmt.Errorf("crawl: stored pages of %s: %w", name, err)
		}
	}
	return nil
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
			if r.c.cfg.Hosts != nil {
				r.c.cfg.Hosts.done(o.job.host.name)
			}
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
	r.c.lastSeen = r.seen
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
			shared, prev := r.c.cfg.Hosts, time.Time{}
			if shared != nil {
				ok, retry, p := shared.take(h.name, now, h.delay, r.c.cfg.Concurrency)
				if !ok {
					later(retry)
					break
				}
				prev = p
			}
			j, ok, due := r.nextJob(h, now)
			if !ok {
				if shared != nil {
					shared.give(h.name, prev)
				}
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
		if cached := r.cachedRobots(h, now); cached != nil {
			r.useRobots(h, cached)
		} else {
			h.loading = true
			return job{kind: jobRobots, host: h}, true, time.Time{}
		}
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
		st.dispatched, st.failure = true, h.robots.refusal()
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
	e.listed = st.listed
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
		o.v = r.c.visitPage(ctx, j.e, r.sink)
		r.c.stats.fetched.Add(1)
		if r.c.cfg.OnPage != nil {
			r.c.cfg.OnPage(Event{URL: j.e.url, Status: o.v.status, Result: o.v.result, Attempt: j.e.attempt, Took: time.Since(start)})
		}
	}
	r.results <- o
}
