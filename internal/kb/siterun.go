package kb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/feed"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/schedule"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// siteRunner does the scheduler's runs of registered sites (it implements
// schedule.Runner). Every run is staged, like an admin re-import: search
// serves the old data until the run commits, and a run that fails, is
// cancelled or dies leaves the knowledge base as it was.
type siteRunner struct {
	k     *KB
	hosts *crawl.Hosts
	guard *crawl.Guard
	demo  *demo.Site

	mu sync.Mutex
	// seen are URLs of each site that answered a redirect or 404 without
	// being stored: a check run does not ask for them again.
	seen map[string]map[string]bool
	// twins are list pages found to hold the same bytes as another list
	// page of their site (a list under a second URL, its query ignored):
	// check runs read only the first, also after it changed.
	twins map[string]map[string]bool
	// lists are each site's list pages as last found, until a run adds or
	// withdraws notices (new lists may have appeared, old ones gone).
	lists map[string][]string
}

// maxSeen bounds the URLs remembered per site.
const maxSeen = 10_000

// Run runs one site: robots.txt first (a site that shuts noticekb out of
// every start page is paused, nothing fetched), then what kind says.
func (r *siteRunner) Run(ctx context.Context, site notice.Site, kind string, progress func(notice.JobProgress)) (res schedule.Result) {
	res = schedule.Result{Kind: kind, Feed: site.Schedule.Feed}
	if site.Feed != "" && res.Feed.URL != site.Feed {
		res.Feed = notice.FeedState{URL: site.Feed}
	}
	c, err := r.crawler(site)
	if err != nil {
		res.Err = err
		return res
	}
	meter := newMeter(c, progress)
	defer meter.stop()
	defer func() { res.Requests, res.NotModified = meter.requests(), meter.notModified() }()

	if res.Blocked, res.Err = r.blocked(ctx, c, site.Starts); res.Err != nil || res.Blocked != "" {
		res.Dates, res.Notices = nil, site.Schedule.Notices
		return res
	}
	session, err := r.k.ingest.BeginStaged(ctx, fmt.Sprintf("run-%s-%d", site.ID, site.Schedule.LastRun))
	if err != nil {
		res.Err = err
		return res
	}
	w := &watchSink{CrawlSink: ingest.NewCrawlSink(session), starts: map[string]bool{}}
	switch kind {
	case notice.RunFeed:
		if err := r.feedRun(ctx, c, meter, site, &res, session); err == nil {
			w.read = true // the run stands on the feed, read or 304
			break
		}
		res.Kind = notice.RunCheck // the feed failed: the lists say what is new
		fallthrough
	case notice.RunCheck:
		err = r.checkRun(ctx, c, meter, site, w, session)
	default:
		res.Kind = notice.RunFull
		err = r.fullRun(ctx, c, meter, site, &res, w)
	}
	sum := session.Summary()
	if err == nil && !w.read {
		err = r.startFailure(site, sum)
	}
	if err != nil || ctx.Err() != nil {
		res.Summary, _ = session.Abort()
		res.Err = errors.Join(err, ctx.Err())
		return res
	}
	res.Summary, err = session.Close()
	s := res.Summary
	changed := s.Added+s.Updated+s.Withdrawn > 0
	if changed {
		// The commit brought the index up to date; settling also gives it
		// the partners the new notices named. A run that changed nothing
		// leaves the index as it is, its ETags included.
		err = errors.Join(err, r.k.settle(ctx))
	}
	if err != nil {
		res.Err = err
		return res
	}
	if res.Kind == notice.RunFull {
		r.discoverFeed(site, &res.Feed)
	}
	if res.Kind == notice.RunFull || changed || site.Schedule.Interval == 0 {
		res.Dates, res.Notices = r.published(site)
	} else {
		res.Dates, res.Notices = nil, site.Schedule.Notices // as they were: nothing changed
	}
	if res.Kind == notice.RunFull || s.Added+s.Withdrawn > 0 {
		r.forgetLists(site.ID)
	}
	return res
}

// crawler makes a run's crawler: paced with every crawl of the process,
// guarded against private addresses unless allowed.
func (r *siteRunner) crawler(site notice.Site) (*crawl.Crawler, error) {
	cc := crawl.Config{Delay: r.k.cfg.CrawlDelay, Concurrency: 2, Log: r.k.log, Guard: r.guard, Hosts: r.hosts,
		OnPage: func(ev crawl.Event) { r.note(site.ID, ev) }}
	var err error
	if cc.Include, err = compileAll(site.Include); err != nil {
		return nil, err
	}
	if cc.Exclude, err = compileAll(site.Exclude); err != nil {
		return nil, err
	}
	if u, err := url.Parse(site.Starts[0]); err == nil && u.Hostname() == demo.Host && r.demo != nil {
		cc.Transport, cc.Guard = r.demo.Transport(), nil
	}
	return crawl.New(cc), nil
}

func compileAll(patterns []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("%w: pattern %q: %v", notice.ErrInvalidQuery, p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// blocked says why robots.txt keeps noticekb out of every start page, or
// gives the error that kept robots.txt from being read (a failed run).
func (r *siteRunner) blocked(ctx context.Context, c *crawl.Crawler, starts []string) (string, error) {
	for _, s := range starts {
		ok, err := c.Allowed(ctx, s)
		if err != nil {
			return "", err
		}
		if ok {
			return "", nil
		}
	}
	return fmt.Sprintf("robots.txt disallows every start page (%s) for noticekb: the site is paused and its notices are kept; it goes on when robots.txt lets noticekb in", strings.Join(starts, ", ")), nil
}

// startFailure fails a run in which no start page (nor anything reached
// from one without a link) could be read, with the start's own reason.
func (r *siteRunner) startFailure(site notice.Site, sum notice.RunSummary) error {
	for _, f := range sum.Failures {
		if !slices.Contains(site.Starts, f.URL) {
			continue
		}
		if target, ok := strings.CutPrefix(f.Reason, "redirected off the site to "); ok {
			return fmt.Errorf("the start page %s redirects to another site (%s): the site has moved; register the new address (noticekb sites add %s) and remove this one", f.URL, target, target)
		}
		return fmt.Errorf("the start page %s could not be read: %s", f.URL, f.Reason)
	}
	if sum.Failed > 0 {
		return fmt.Errorf("no start page could be read (%d pages failed; the first: %s: %s)", sum.Failed, sum.Failures[0].URL, sum.Failures[0].Reason)
	}
	return errors.New("no start page could be read")
}

// fullRun re-crawls the whole site; the feed, if any, is read too (its
// items join the start URLs), so a feed that failed gets another chance.
func (r *siteRunner) fullRun(ctx context.Context, c *crawl.Crawler, m *meter, site notice.Site, res *schedule.Result, w *watchSink) error {
	starts := slices.Clone(site.Starts)
	if res.Feed.URL != "" {
		seeds, n, err := r.readFeed(ctx, c, site, &res.Feed)
		if err == nil {
			res.FeedItems = n
			for _, s := range seeds {
				starts = append(starts, s.URL)
			}
		}
	}
	w.noteStarts(starts)
	return m.crawl(func() error { return c.Run(ctx, starts, w) })
}

// feedRun reads the feed and fetches the notices it lists that the store
// does not have (or that the feed says changed since they were read).
func (r *siteRunner) feedRun(ctx context.Context, c *crawl.Crawler, m *meter, site notice.Site, res *schedule.Result, session *ingest.Session) error {
	seeds, n, err := r.readFeed(ctx, c, site, &res.Feed)
	if err != nil {
		return err
	}
	res.FeedItems = n
	if len(seeds) == 0 {
		return nil
	}
	return m.crawl(func() error { return c.RunSeeds(ctx, seeds, ingest.NewCrawlSink(session)) })
}

// readFeed reads the site's feed conditionally and returns the pages to
// fetch: items on the site the store does not have, or has from before
// the item's date. Items elsewhere (another site, a private address) are
// never followed. The feed's state records how it went.
func (r *siteRunner) readFeed(ctx context.Context, c *crawl.Crawler, site notice.Site, st *notice.FeedState) ([]crawl.Seed, int, error) {
	doc, err := c.Fetch(ctx, st.URL, crawl.Validators{ETag: st.ETag, LastModified: st.LastModified}, feed.Accept, feed.MaxBytes)
	now := time.Now().UTC()
	st.Checked = now
	if err == nil && !doc.NotModified {
		var f feed.Feed
		if f, err = feed.Parse(doc.Body, doc.URL, now); err == nil {
			st.ETag, st.LastModified, st.Error = doc.ETag, doc.LastModified, ""
			return r.newItems(site, f), len(f.Items), nil
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			st.Error, st.ETag, st.LastModified = err.Error(), "", ""
			r.k.log.Warn("site feed not read; the site's lists are read instead", "site", site.ID, "feed", st.URL, "err", err)
		}
		return nil, 0, err
	}
	st.Error = ""
	return nil, 0, nil
}

func (r *siteRunner) newItems(site notice.Site, f feed.Feed) []crawl.Seed {
	var seeds []crawl.Seed
	offSite := 0
	for _, it := range f.Items {
		u, err := urlnorm.Normalize(it.URL)
		if err != nil || siteID(u) != site.ID {
			offSite++
			continue
		}
		rec, known, _ := r.k.store.Page(u)
		changed := known && rec.GoneAt.IsZero() && rec.Error == "" && laterThan(it, rec.FetchedAt)
		if !known || changed || rec.Error != "" {
			seeds = append(seeds, crawl.Seed{URL: u, Depth: 1, Listed: true})
		}
	}
	if offSite > 0 {
		r.k.log.Info("feed items off the site not followed", "site", site.ID, "items", offSite)
	}
	return seeds
}

// laterThan reports whether the feed dates an item after t: its page may
// have changed since it was read.
func laterThan(it feed.Item, t time.Time) bool {
	return it.Updated.After(t) || it.Published.After(t)
}

// checkRun reads the start pages and list pages, following links only to
// pages the store does not have. When a list changed, the notices that no
// list links to any more are checked again, so those taken down are
// withdrawn.
func (r *siteRunner) checkRun(ctx context.Context, c *crawl.Crawler, m *meter, site notice.Site, w *watchSink, session *ingest.Session) error {
	lists, err := r.listPages(site)
	if err != nil {
		return err
	}
	w.noteStarts(lists)
	w.lazy = func(u string) bool {
		rec, ok, _ := r.k.store.Page(u)
		return ok && rec.Kind == "list" && rec.NoticeID == ""
	}
	known := func(u string) bool {
		if _, ok, _ := r.k.store.Page(u); ok {
			return true
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.seen[site.ID][u]
	}
	err = m.crawl(func() error { return c.RunCheck(ctx, lists, w, known) })
	if err != nil || !w.changed() {
		return err
	}
	if err := w.readDeferred(ctx); err != nil {
		return err
	}
	dropped, err := r.unlisted(site, w.itemNotices(r.k.store))
	if err != nil || len(dropped) == 0 {
		return err
	}
	return m.crawl(func() error { return c.RunSeeds(ctx, dropped, ingest.NewCrawlSink(session)) })
}

// maxListPages bounds the list pages a check run reads.
const maxListPages = 5000

// listPages are the start URLs and the stored list pages of the site,
// one URL for each content: the same list under several URLs is read
// once (and its twins are remembered, since after it changes their
// stored bytes no longer match).
func (r *siteRunner) listPages(site notice.Site) ([]string, error) {
	r.mu.Lock()
	cached, ok := r.lists[site.ID]
	r.mu.Unlock()
	if ok && slices.Equal(cached[:min(len(cached), len(site.Starts))], site.Starts) {
		return cached, nil
	}
	out, err := r.findLists(site)
	if err == nil {
		r.mu.Lock()
		if r.lists == nil {
			r.lists = map[string][]string{}
		}
		r.lists[site.ID] = out
		r.mu.Unlock()
	}
	return out, err
}

// forgetLists drops a site's list pages found before.
func (r *siteRunner) forgetLists(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.lists, id)
}

func (r *siteRunner) findLists(site notice.Site) ([]string, error) {
	out := slices.Clone(site.Starts)
	hashes := map[string]bool{}
	var lists []store.PageRecord
	err := r.eachPageOfSite(site.ID, func(rec store.PageRecord) error {
		if rec.Kind == "list" && rec.GoneAt.IsZero() && rec.Error == "" {
			if slices.Contains(site.Starts, rec.URL) {
				hashes[rec.ContentHash] = true
			} else {
				lists = append(lists, rec)
			}
		}
		return nil
	})
	slices.SortFunc(lists, func(a, b store.PageRecord) int {
		if a.Depth != b.Depth {
			return a.Depth - b.Depth
		}
		if len(a.URL) != len(b.URL) {
			return len(a.URL) - len(b.URL)
		}
		return strings.Compare(a.URL, b.URL)
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.twins == nil {
		r.twins = map[string]map[string]bool{}
	}
	twins := r.twins[site.ID]
	if twins == nil {
		twins = map[string]bool{}
		r.twins[site.ID] = twins
	}
	for _, rec := range lists {
		if len(out) >= maxListPages {
			break
		}
		switch {
		case twins[rec.URL]:
		case rec.ContentHash != "" && hashes[rec.ContentHash]:
			if len(twins) < maxSeen {
				twins[rec.URL] = true
			}
		default:
			hashes[rec.ContentHash] = true
			out = append(out, rec.URL)
		}
	}
	return out, err
}

// unlisted are the site's notices that no list read in this run links to
// (any more, or ever: those found through a sitemap): they may have been
// taken down. Checking one costs a 304 when it is still there.
func (r *siteRunner) unlisted(site notice.Site, listed map[string]bool) ([]crawl.Seed, error) {
	var out []crawl.Seed
	err := r.eachPageOfSite(site.ID, func(rec store.PageRecord) error {
		own := rec.NoticeID != "" && rec.NoticeID == notice.IDForURL(rec.URL)
		if own && rec.GoneAt.IsZero() && !listed[rec.NoticeID] && len(out) < maxListPages {
			out = append(out, crawl.Seed{URL: rec.URL, Depth: rec.Depth, Listed: true})
		}
		return nil
	})
	return out, err
}

// eachPageOfSite calls fn for the stored pages on every host of the site
// (with and without "www.").
func (r *siteRunner) eachPageOfSite(id string, fn func(store.PageRecord) error) error {
	hosts, err := r.k.store.Sites()
	if err != nil {
		return err
	}
	for _, h := range hosts {
		if strings.TrimPrefix(h, "www.") != id {
			continue
		}
		if err := r.k.store.EachPageOfHost(h, fn); err != nil {
			return err
		}
	}
	return nil
}

// note remembers URLs that answered a redirect or 404 without a page to
// store, so check runs do not ask for them again.
func (r *siteRunner) note(site string, ev crawl.Event) {
	r.k.log.Debug("page", "site", site, "url", ev.URL, "status", ev.Status, "result", ev.Result, "ms", ev.Took.Milliseconds())
	if ev.Result != "redirect" && ev.Result != "gone" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]map[string]bool{}
	}
	m := r.seen[site]
	if m == nil {
		m = map[string]bool{}
		r.seen[site] = m
	}
	if len(m) < maxSeen {
		m[ev.URL] = true
	}
}

// discoverFeed looks for a feed on the site's start pages and list pages,
// then on a few notice pages (their stored bytes), unless one was given
// at registration. A feed
// found on another site is not taken: give it at registration.
func (r *siteRunner) discoverFeed(site notice.Site, st *notice.FeedState) {
	if site.Feed != "" || (st.URL != "" && !st.Discovered) {
		return
	}
	pages, err := r.listPages(site)
	if err != nil {
		return
	}
	pages = pages[:min(len(pages), 20)]
	// Some sites advertise their feed on article pages only: look at one
	// notice page of each section (first path segment), ten at most.
	sections := map[string]bool{}
	_ = r.eachPageOfSite(site.ID, func(rec store.PageRecord) error {
		u, err := url.Parse(rec.URL)
		if err != nil || rec.NoticeID == "" || len(sections) >= 10 {
			return nil
		}
		section, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		if !sections[section] {
			sections[section] = true
			pages = append(pages, rec.URL)
		}
		return nil
	})
	for _, p := range pages {
		raw, err := r.k.store.RawPage(p)
		if err != nil {
			continue
		}
		for _, f := range feed.Discover(raw, p) {
			u, err := urlnorm.Normalize(f)
			if err != nil || siteID(u) != site.ID {
				continue
			}
			if u != st.URL {
				*st = notice.FeedState{URL: u, Discovered: true}
				r.k.log.Info("site feed found", "site", site.ID, "feed", u, "on", p)
			}
			return
		}
	}
}

// published returns the publication dates of the site's notices in
// search and how many there are, for the scheduler's interval.
func (r *siteRunner) published(site notice.Site) ([]time.Time, int) {
	dates := []time.Time{} // not nil: the dates were read
	n := 0
	_ = r.eachPageOfSite(site.ID, func(rec store.PageRecord) error {
		if rec.NoticeID == "" || rec.NoticeID != notice.IDForURL(rec.URL) || !rec.GoneAt.IsZero() {
			return nil
		}
		nt, err := r.k.store.Notice(rec.NoticeID)
		if err != nil || nt.Withdrawn() {
			return nil
		}
		n++
		if !nt.Date.IsZero() {
			dates = append(dates, nt.Date.Time())
		}
		return nil
	})
	return dates, n
}

// siteID is the site a URL is on: its host and port, without "www.".
func siteID(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Host), "www.")
}

// watchSink is a run's sink with notes on what the crawler handed it:
// whether a start page was read, the list items seen, and whether any
// page changed.
//
// In a check run (lazy set), a list page that answered 304 is not read
// again from its stored bytes: its links are the ones already followed,
// so it costs its request and nothing more. Only when some page changed
// are such lists read (readDeferred), for the items that are still listed.
type watchSink struct {
	*ingest.CrawlSink
	lazy     func(url string) bool
	mu       sync.Mutex
	starts   map[string]bool
	read     bool
	items    []string
	changes  int
	deferred []crawl.Fetched
}

func (w *watchSink) noteStarts(urls []string) {
	for _, u := range urls {
		if n, err := urlnorm.Normalize(u); err == nil {
			w.starts[n] = true
		}
	}
}

// Page notes what the sink made of a page.
func (w *watchSink) Page(ctx context.Context, f crawl.Fetched) (crawl.Verdict, error) {
	if f.NotModified && w.lazy != nil && w.lazy(f.URL) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.read = w.read || f.Depth == 0
		w.deferred = append(w.deferred, f)
		return crawl.Verdict{Unchanged: true, Useful: true}, nil
	}
	v, err := w.CrawlSink.Page(ctx, f)
	w.note(f, v)
	return v, err
}

func (w *watchSink) note(f crawl.Fetched, v crawl.Verdict) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.read = w.read || f.Depth == 0
	if !v.Unchanged {
		w.changes++
	}
	for _, l := range v.Links {
		if l.Item {
			w.items = append(w.items, l.URL)
		}
	}
}

// readDeferred reads the unchanged lists passed over, for their items.
func (w *watchSink) readDeferred(ctx context.Context) error {
	w.mu.Lock()
	deferred := w.deferred
	w.deferred = nil
	w.mu.Unlock()
	for _, f := range deferred {
		v, err := w.CrawlSink.Page(ctx, f)
		if err != nil {
			return err
		}
		w.note(f, v)
	}
	return nil
}

// Gone notes a page taken down.
func (w *watchSink) Gone(url string, status int) error {
	w.mu.Lock()
	w.changes++
	w.mu.Unlock()
	return w.CrawlSink.Gone(url, status)
}

func (w *watchSink) changed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changes > 0
}

// itemNotices are the notices the lists' item links lead to (through the
// stored pages they name).
func (w *watchSink) itemNotices(st *store.Store) map[string]bool {
	w.mu.Lock()
	items := slices.Clone(w.items)
	w.mu.Unlock()
	out := map[string]bool{}
	for _, u := range items {
		if rec, ok, _ := st.Page(u); ok && rec.NoticeID != "" {
			out[rec.NoticeID] = true
		}
		out[notice.IDForURL(u)] = true
	}
	return out
}

// meter adds up a run's crawler counts over its crawls (each crawl of a
// crawler starts its counts again; robots.txt and feed requests do not)
// and reports progress while the run goes on.
type meter struct {
	c        *crawl.Crawler
	mu       sync.Mutex
	done     crawl.Stats // the crawls before the current one
	last     crawl.Stats // the crawler's counts when last folded
	stopped  chan struct{}
	finished chan struct{}
}

func newMeter(c *crawl.Crawler, progress func(notice.JobProgress)) *meter {
	m := &meter{c: c, last: c.Stats(), stopped: make(chan struct{}), finished: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(m.finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			s := m.total()
			p := notice.JobProgress{Fetched: s.Fetched, NotModified: s.NotModified, Queued: m.c.Stats().Queued, Errors: s.Errors}
			if took := time.Since(start).Seconds(); took > 0 {
				p.Rate = float64(s.Fetched) / took
			}
			if progress != nil {
				progress(p)
			}
			select {
			case <-m.stopped:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// since is what the crawler counted since it was last folded.
func (m *meter) since(cur crawl.Stats) crawl.Stats {
	if !cur.Started.Equal(m.last.Started) {
		return cur // a crawl began since: its counts start from zero
	}
	return crawl.Stats{
		Fetched: cur.Fetched - m.last.Fetched, NotModified: cur.NotModified - m.last.NotModified, Errors: cur.Errors - m.last.Errors,
		Retries: cur.Retries - m.last.Retries, Disallowed: cur.Disallowed - m.last.Disallowed, Trapped: cur.Trapped - m.last.Trapped,
		Requests: cur.Requests - m.last.Requests,
	}
}

// crawl runs one crawl of the run, its counts kept.
func (m *meter) crawl(run func() error) error {
	m.fold()
	err := run()
	m.fold()
	return err
}

func (m *meter) fold() {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.c.Stats()
	m.done = m.done.Add(m.since(cur))
	m.last = cur
}

func (m *meter) total() crawl.Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.done.Add(m.since(m.c.Stats()))
}

func (m *meter) requests() int64    { return m.total().Requests }
func (m *meter) notModified() int64 { return m.total().NotModified }

func (m *meter) stop() {
	close(m.stopped)
	<-m.finished
}
