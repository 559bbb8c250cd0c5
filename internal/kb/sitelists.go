package kb

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
)

// listPages are the start URLs and the stored list pages of the site,
// one URL for each content: the same list under several URLs is read
// once (its twins go on the skip list, since after it changes their
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
	for _, rec := range lists {
		if len(out) >= maxListPages {
			break
		}
		switch {
		case r.skipped(site.ID, rec.URL):
		case rec.ContentHash != "" && hashes[rec.ContentHash]:
			r.skip(site.ID, rec.URL, skipTwin)
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
	if ev.Result == "redirect" || ev.Result == "gone" {
		r.skip(site, ev.URL, ev.Result)
	}
}

// Why a check run skips a URL.
const skipTwin = "twin" // a list page with the same bytes as another

// skipList is a site's URLs that check runs need not ask for, as the
// store keeps them (store.SiteSkips), with those learned since written.
type skipList struct {
	all, fresh map[string]string
}

// skipsOf returns a site's skip list, read from the store the first time;
// r.mu is held.
func (r *siteRunner) skipsOf(id string) *skipList {
	if r.skips == nil {
		r.skips = map[string]*skipList{}
	}
	l := r.skips[id]
	if l == nil {
		all, err := r.k.store.SiteSkips(id)
		if err != nil {
			r.k.log.Warn("skip list unreadable; it is learned again", "site", id, "err", err)
			all = map[string]string{}
		}
		l = &skipList{all: all, fresh: map[string]string{}}
		r.skips[id] = l
	}
	return l
}

func (r *siteRunner) skip(id, url, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.skipsOf(id)
	if _, ok := l.all[url]; !ok && len(l.all) < store.MaxSkips {
		l.all[url], l.fresh[url] = why, why
	}
}

func (r *siteRunner) skipped(id, url string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.skipsOf(id).all[url]
	return ok
}

// saveSkips writes what a run learned of the site's skip list; a full run
// (clear) starts it anew, since it asked for every URL again.
func (r *siteRunner) saveSkips(id string, clear bool) {
	r.mu.Lock()
	l := r.skipsOf(id)
	fresh := l.fresh
	if clear {
		fresh = l.all
	}
	l.fresh = map[string]string{}
	r.mu.Unlock()
	if err := r.k.store.PutSiteSkips(id, fresh, clear); err != nil {
		r.k.log.Warn("skip list not written; it is learned again", "site", id, "err", err)
	}
}

// forgetSkips empties a site's skip list in memory (a full run relearns it).
func (r *siteRunner) forgetSkips(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.skips == nil {
		r.skips = map[string]*skipList{}
	}
	r.skips[id] = &skipList{all: map[string]string{}, fresh: map[string]string{}}
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
