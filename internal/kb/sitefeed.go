package kb

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/feed"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/schedule"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// feedRun reads the feed and fetches the notices it lists that the store
// does not have (or that the feed says changed since they were read).
func (r *siteRunner) feedRun(ctx context.Context, c *crawl.Crawler, m *meter, site notice.Site, res *schedule.Result, sink *ingest.CrawlSink) error {
	seeds, n, err := r.readFeed(ctx, c, site, &res.Feed)
	if err != nil {
		return err
	}
	res.FeedItems = n
	if len(seeds) == 0 {
		return nil
	}
	return m.crawl(func() error { return c.RunSeeds(ctx, seeds, r.watch(sink)) })
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

// discoverFeed looks for a feed on the site's start pages and list pages,
// then on a few notice pages (their stored bytes), unless one was given
// at registration. It reports whether it found one not known before. A feed
// found on another site is not taken: give it at registration.
func (r *siteRunner) discoverFeed(site notice.Site, st *notice.FeedState) bool {
	if site.Feed != "" || (st.URL != "" && !st.Discovered) {
		return false
	}
	pages, err := r.listPages(site)
	if err != nil {
		return false
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
			if u == st.URL {
				return false
			}
			*st = notice.FeedState{URL: u, Discovered: true}
			r.k.log.Info("site feed found", "site", site.ID, "feed", u, "on", p)
			return true
		}
	}
	return false
}
