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

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/schedule"
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
	// skips are each site's URLs that check runs need not ask for.
	skips map[string]*skipList
	// lists are each site's list pages as last found, until a run adds or
	// withdraws notices (new lists may have appeared, old ones gone).
	lists map[string][]string
	// cpu bounds the pages the runs read at once to half the CPUs, so a
	// cycle in which every site changed leaves search a core of its own.
	cpu chan struct{}
}

// watch wraps the run's sink for one of its crawls, its reading bounded
// with every run's. All the crawls of a run share one ingest.CrawlSink, so
// its judge learns from all of them and Finish judges the run as a whole.
func (r *siteRunner) watch(sink *ingest.CrawlSink) *watchSink {
	return &watchSink{CrawlSink: sink, cpu: r.cpu}
}

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
	full := kind != notice.RunFeed && kind != notice.RunCheck
	if full {
		r.forgetSkips(site.ID) // every URL is asked for again
	}
	defer r.saveSkips(site.ID, full)
	sink := ingest.NewCrawlSink(session)
	w := r.watch(sink)
	switch kind {
	case notice.RunFeed:
		if err := r.feedRun(ctx, c, meter, site, &res, sink); err == nil {
			w.read = true // the run stands on the feed, read or 304
			break
		}
		res.Kind = notice.RunCheck // the feed failed: the lists say what is new
		fallthrough
	case notice.RunCheck:
		err = r.checkRun(ctx, c, meter, site, w)
	default:
		res.Kind = notice.RunFull
		err = r.fullRun(ctx, c, meter, site, &res, w)
	}
	if err == nil && !w.read {
		err = r.startFailure(site, session.Summary())
	}
	if err == nil && ctx.Err() == nil {
		// Every page of the run judged again with all it learned and the
		// store's other pages of the site, as after any crawl: a template
		// found to be of notices promotes a page, one of archives demotes.
		err = w.finish(ctx)
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
	if res.Kind == notice.RunFull && r.discoverFeed(site, &res.Feed) {
		// Read a feed just found once now, so the next run knows whether
		// it works (a link to a feed that answers 404 is common).
		if _, n, err := r.readFeed(ctx, c, site, &res.Feed); err == nil {
			res.FeedItems = n
		}
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
	return m.crawl(func() error { return c.Run(ctx, starts, w) })
}

// checkRun reads the start pages and list pages, following links only to
// pages the store does not have. When a list changed, the notices that no
// list links to any more are checked again, so those taken down are
// withdrawn.
func (r *siteRunner) checkRun(ctx context.Context, c *crawl.Crawler, m *meter, site notice.Site, w *watchSink) error {
	lists, err := r.listPages(site)
	if err != nil {
		return err
	}
	w.lazy = func(u string) bool {
		rec, ok, _ := r.k.store.Page(u)
		return ok && rec.Kind == "list" && rec.NoticeID == ""
	}
	known := func(u string) bool {
		if _, ok, _ := r.k.store.Page(u); ok {
			return true
		}
		return r.skipped(site.ID, u)
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
	return m.crawl(func() error { return c.RunSeeds(ctx, dropped, r.watch(w.CrawlSink)) })
}

// maxListPages bounds the list pages a check run reads.
const maxListPages = 5000
