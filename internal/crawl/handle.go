package crawl

import (
	"time"

	"github.com/noticekb/noticekb/internal/urlnorm"
)

// handle takes a job's outcome into the scheduler's state.
func (r *run) handle(o outcome) {
	h := o.job.host
	switch o.job.kind {
	case jobRobots:
		h.loading = false
		if o.err != nil {
			r.sink.Failed(h.base+"/robots.txt", o.err.Error())
			r.c.cfg.Log.Error("robots.txt unavailable: host skipped", "host", h.name, "err", o.err)
		} else if r.c.cfg.Hosts != nil {
			r.c.cfg.Hosts.keepRobots(h.name, o.robots, time.Now())
		}
		r.useRobots(h, o.robots)
		h.next = maxTime(h.next, time.Now().Add(h.delay))
	case jobSitemap:
		if o.err != nil {
			r.c.cfg.Log.Info("sitemap not read", "url", o.job.url, "err", o.err)
		}
		for _, p := range o.pages {
			if u, err := urlnorm.Normalize(p); err == nil {
				r.offer(entry{url: u, prio: prioLow, depth: 1})
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

// useRobots takes a host's robots.txt rules: its delay, and its sitemaps
// if the crawl reads them.
func (r *run) useRobots(h *host, rules *robotsRules) {
	h.robots = rules
	h.delay = max(r.c.cfg.Delay, rules.delay)
	if h.want && !rules.deny {
		h.sitemaps = r.sitemapsOf(h, rules.sitemaps)
		if len(h.sitemaps) == 0 && rules.allowed("/sitemap.xml") {
			h.sitemaps = []string{h.base + "/sitemap.xml"}
		}
		h.maps = len(h.sitemaps)
	}
}

// cachedRobots returns the rules another crawl of the process read lately.
func (r *run) cachedRobots(h *host, now time.Time) *robotsRules {
	if r.c.cfg.Hosts == nil {
		return nil
	}
	return r.c.cfg.Hosts.robots(h.name, now)
}

func (r *run) handlePage(h *host, e entry, v visit) {
	st := r.seen[e.url]
	if v.hostPause > 0 {
		h.next = maxTime(h.next, time.Now().Add(v.hostPause))
		if r.c.cfg.Hosts != nil {
			r.c.cfg.Hosts.pause(h.name, h.next)
		}
	}
	if v.retryIn > 0 {
		r.c.stats.retries.Add(1)
		e.attempt++
		e.notBefore = time.Now().Add(v.retryIn)
		h.retries = append(h.retries, e)
		return
	}
	st.noteVisit(v)
	r.budget.note(pattern(e.url), v.useful)
	if v.wantsListed && !e.listed {
		st.wantsListed = true
		if st.listed { // a list's link came while the page was in flight
			r.tellListed(e.url, st)
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
		next := entry{url: l.URL, depth: e.depth + 1, prio: prioNormal}
		switch {
		case l.Item:
			next.listed, next.prio = true, prioHigh
		case l.Next:
			next.depth, next.prio = e.depth, prioHigh
		case l.Canonical:
			next.depth, next.listed, next.prio = e.depth, e.listed, e.prio
		}
		r.offer(next)
	}
}

// redirected queues a redirect's target as the same kind of link; a
// target off the site fails the page, since its notice cannot be read here.
func (r *run) redirected(e entry, target string) {
	if e.hops >= 10 {
		r.seen[e.url].failure = "more than 10 redirects"
		r.sink.Failed(e.url, "more than 10 redirects")
		return
	}
	next := entry{url: target, depth: e.depth, listed: e.listed, prio: prioHigh, hops: e.hops + 1, start: e.start}
	if !r.sites[siteOf(target)] {
		r.c.stats.errors.Add(1)
		r.seen[e.url].failure = "redirected off the site to " + target
		r.sink.Failed(e.url, "redirected off the site to "+target)
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
