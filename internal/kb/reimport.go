package kb

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// Reimporter runs admin re-import jobs (it implements jobs.Reimporter):
// each in a staged ingest session, so search serves the old data until the
// job commits and a failed or cancelled job leaves the knowledge base as
// it was. Who may re-import what is decided here (Check).
type Reimporter struct {
	k     *KB
	guard *crawl.Guard
	demo  *demo.Site
	// sites, when set, takes re-imports of registered sites into their
	// queue (one run of a site at a time) and paces every crawl together.
	sites *Sites
	// crawls add up the jobs' crawls, for /metrics.
	crawls crawlCounters
}

// Through sends re-imports of registered sites through the sites' queue:
// a whole-site re-import is a full run of the site, recorded in its
// history; a page's waits for any run of its site to end.
func (r *Reimporter) Through(s *Sites) { r.sites = s }

// NewReimporter returns the re-importer of k. The bundled demo site, when
// given, is re-imported in-process.
func NewReimporter(k *KB, site *demo.Site) *Reimporter {
	return &Reimporter{k: k, guard: &crawl.Guard{AllowPrivate: k.cfg.AllowPrivate}, demo: site}
}

// CrawlTotals adds up the crawls of the jobs run since start, the running
// one included.
func (r *Reimporter) CrawlTotals() crawl.Stats { return r.crawls.totals() }

// Check lets through sites in the store or allowed by --allow, on public
// addresses unless --allow-private.
func (r *Reimporter) Check(ctx context.Context, kind, raw string) error {
	if kind == notice.JobReextract {
		return nil // reads the store only
	}
	norm, err := urlnorm.Normalize(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", notice.ErrInvalidQuery, err)
	}
	u, _ := url.Parse(norm)
	host := strings.ToLower(u.Host)
	if u.Hostname() == demo.Host {
		return nil // served in-process
	}
	known, err := r.k.store.Sites()
	if err != nil {
		return err
	}
	site := func(h string) string { return strings.TrimPrefix(h, "www.") }
	_, registered := r.registered(norm)
	ok := registered || slices.ContainsFunc(known, func(k string) bool { return site(k) == site(host) }) ||
		slices.ContainsFunc(r.k.cfg.Allow, func(a string) bool { return site(a) == site(host) || site(a) == site(u.Hostname()) })
	if !ok {
		return fmt.Errorf("reimport: %s is not a site in the knowledge base nor allowed with --allow: %w", host, notice.ErrForbidden)
	}
	checkCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return r.guard.CheckHost(checkCtx, u.Hostname())
}

// Reimport runs one job. A job in which every page failed counts as
// failed: nothing is kept.
func (r *Reimporter) Reimport(ctx context.Context, job notice.Job, progress func(notice.JobProgress)) (notice.RunSummary, error) {
	if job.Kind == notice.JobReextract {
		return r.reextract(ctx, job, progress)
	}
	id, registered := r.registered(job.URL)
	switch {
	case registered && job.Kind == notice.JobSite && r.sites.Scheduling():
		run, err := r.sites.RunNow(ctx, id, true, notice.TriggerAdmin, progress)
		return run.Summary, err
	case registered:
		var sum notice.RunSummary
		err := r.sites.Exclusive(ctx, id, func(ctx context.Context) error {
			var err error
			sum, err = r.crawlJob(ctx, job, progress)
			return err
		})
		return sum, err
	}
	return r.crawlJob(ctx, job, progress)
}

// registered returns the registered site of a URL, when re-imports go
// through the sites' queue.
func (r *Reimporter) registered(rawURL string) (string, bool) {
	if r.sites == nil {
		return "", false
	}
	return r.sites.Registered(rawURL)
}

// crawlJob re-imports a page or a site in a staged session of its own.
func (r *Reimporter) crawlJob(ctx context.Context, job notice.Job, progress func(notice.JobProgress)) (notice.RunSummary, error) {
	session, err := r.k.ingest.BeginStaged(ctx, "job-"+job.ID)
	if err != nil {
		return notice.RunSummary{}, err
	}
	cc := crawl.Config{Delay: r.k.cfg.CrawlDelay, Concurrency: 2, Log: r.k.log, Guard: r.guard}
	if r.sites != nil {
		cc.Hosts = r.sites.hosts
	}
	if u, err := url.Parse(job.URL); err == nil && u.Hostname() == demo.Host {
		cc.Transport, cc.Guard = r.demo.Transport(), nil
	}
	crawler := crawl.New(cc)
	r.crawls.start(crawler)
	defer r.crawls.finish(crawler)
	stop := make(chan struct{})
	go reportProgress(crawler, progress, stop)
	sink := ingest.NewCrawlSink(session)
	if job.Kind == notice.JobPage {
		err = crawler.RunPage(ctx, job.URL, sink)
	} else {
		err = crawler.Run(ctx, []string{job.URL}, sink)
	}
	close(stop)
	if err == nil && ctx.Err() == nil {
		err = sink.Finish()
	}
	sum := session.Summary()
	if err == nil && sum.Pages > 0 && sum.Failed == sum.Pages {
		err = fmt.Errorf("reimport: no page could be read (%d failed)", sum.Failed)
	}
	if err != nil || ctx.Err() != nil {
		sum, abortErr := session.Abort()
		return sum, errors.Join(err, ctx.Err(), abortErr)
	}
	sum, err = session.Close()
	return sum, errors.Join(err, r.k.settle(ctx))
}

func reportProgress(c *crawl.Crawler, progress func(notice.JobProgress), stop chan struct{}) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		s := c.Stats()
		p := notice.JobProgress{Fetched: s.Fetched, NotModified: s.NotModified, Queued: s.Queued, Errors: s.Errors}
		if took := time.Since(s.Started).Seconds(); took > 0 {
			p.Rate = float64(s.Fetched) / took
		}
		progress(p)
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// reextract reads every stored page again with the knowledge in use, as
// `noticekb reextract` does, staged like a re-import.
func (r *Reimporter) reextract(ctx context.Context, job notice.Job, progress func(notice.JobProgress)) (notice.RunSummary, error) {
	start := time.Now()
	sum, err := r.k.ingest.ReextractStaged(ctx, "job-"+job.ID, func(read, total int) {
		p := notice.JobProgress{Fetched: int64(read), Queued: int64(total - read)}
		if took := time.Since(start).Seconds(); took > 0 {
			p.Rate = float64(read) / took
		}
		progress(p)
	})
	if err != nil {
		return sum, err
	}
	return sum, r.k.settle(ctx)
}

// crawlCounters adds up the crawls of admin jobs: the totals of finished
// jobs plus the running one's counts.
type crawlCounters struct {
	mu      sync.Mutex
	done    crawl.Stats
	current *crawl.Crawler
}

func (cc *crawlCounters) start(c *crawl.Crawler) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.current = c
}

func (cc *crawlCounters) finish(c *crawl.Crawler) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.done = cc.done.Add(c.Stats())
	if cc.current == c {
		cc.current = nil
	}
}

func (cc *crawlCounters) totals() crawl.Stats {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.current == nil {
		return cc.done
	}
	return cc.done.Add(cc.current.Stats())
}
