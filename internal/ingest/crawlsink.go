package ingest

import (
	"context"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// CrawlSink takes one crawl's pages into a session: it is where the
// crawler's pages are judged (notice, list, other) and stored, and where a
// judgement is revised when a list's link to a page turns up after the
// page was read.
type CrawlSink struct {
	s *Session

	mu sync.Mutex
	// candidates are pages read without a list's link that such a link
	// would make notices; the crawler calls Listed when one turns up.
	candidates map[string]candidate
}

// candidate is a page read without list evidence, kept to be judged again.
type candidate struct {
	page Page
	res  *extract.Result
}

// NewCrawlSink returns a sink writing to s. One sink serves one crawl.
func NewCrawlSink(s *Session) *CrawlSink {
	return &CrawlSink{s: s, candidates: map[string]candidate{}}
}

var _ crawl.Sink = (*CrawlSink)(nil)

// Known gives the validators of a stored page that was read without error
// and is still there, so the crawler asks for it conditionally.
func (c *CrawlSink) Known(url string) (crawl.Validators, bool) {
	rec, known, _ := c.s.g.store.Page(url)
	if !known || !revalidates(rec) {
		return crawl.Validators{}, false
	}
	return crawl.Validators{ETag: rec.ETag, LastModified: rec.LastModified}, true
}

// revalidates reports whether a stored page can answer "not modified":
// it was read, without error, and has not disappeared since.
func revalidates(rec store.PageRecord) bool {
	return rec.Error == "" && rec.GoneAt.IsZero() && rec.ContentHash != ""
}

// Page reads a fetched page: unchanged bytes cost nothing more, new ones
// are extracted, judged and queued for the store.
func (c *CrawlSink) Page(_ context.Context, f crawl.Fetched) (crawl.Verdict, error) {
	rec, known, _ := c.s.g.store.Page(f.URL)
	page := Page{
		URL: f.URL, FetchURL: f.URL, Body: f.Body, ContentType: f.ContentType, Status: f.Status,
		ETag: f.ETag, LastModified: f.LastModified, Origin: OriginCrawl, Depth: f.Depth,
	}
	if f.Listed {
		page.Origin = OriginList
	}
	if known && Stronger(Origin(rec.Origin), page.Origin) {
		page.Origin = Origin(rec.Origin) // what was learned of the page before counts
	}
	if known && (f.NotModified || revalidates(rec) && store.HashBytes(f.Body) == rec.ContentHash) {
		return c.unchanged(rec, page, f.Body)
	}
	res, xerr := c.s.Extract(page)
	err := c.s.Add(page, res, xerr)
	return c.verdict(page, res), err
}

// unchanged handles a page that answered 304 or sent its stored bytes. A
// notice page costs nothing more. A list or other page is read again from
// the stored bytes, since its links are needed to go on and a list's link
// may now make it a notice.
func (c *CrawlSink) unchanged(rec store.PageRecord, page Page, body []byte) (crawl.Verdict, error) {
	page.Body, page.Status = nil, rec.Status
	v := crawl.Verdict{Unchanged: true, Useful: true}
	if rec.NoticeID != "" {
		return v, c.s.Unchanged(page)
	}
	if body == nil {
		stored, err := c.s.g.store.RawPage(page.URL)
		if err != nil {
			return v, c.s.Unchanged(page)
		}
		body = stored
	}
	page.Body, page.ContentType = body, rec.ContentType
	res, err := c.s.Extract(page)
	if err == nil && IsNotice(res, page.Origin) {
		err = c.s.Add(page, res, nil) // newly a notice: a list links to it now
	} else {
		err = c.s.Unchanged(page)
	}
	if res == nil {
		return v, err
	}
	v = c.verdict(page, res)
	v.Unchanged = true
	return v, err
}

// verdict says what the crawler should make of an extracted page. A page
// that only lacks a list's link to be a notice is kept as a candidate.
func (c *CrawlSink) verdict(page Page, res *extract.Result) crawl.Verdict {
	var v crawl.Verdict
	if res == nil {
		return v
	}
	notice := IsNotice(res, page.Origin)
	v.Useful = notice || res.Kind == extract.KindList
	if !notice && page.Origin != OriginList && IsNotice(res, OriginList) {
		page.Body = nil // the store has it
		c.mu.Lock()
		c.candidates[page.URL] = candidate{page: page, res: res}
		c.mu.Unlock()
		v.WantsListed = true
	}
	v.Links = links(res)
	return v
}

// Listed judges a candidate again now that a list links to it.
func (c *CrawlSink) Listed(url string) error {
	c.mu.Lock()
	cand, ok := c.candidates[url]
	delete(c.candidates, url)
	c.mu.Unlock()
	if !ok {
		return nil
	}
	cand.page.Origin = OriginList
	return c.s.Promote(cand.page, cand.res)
}

// Gone records a page that answered 404 or 410.
func (c *CrawlSink) Gone(url string, status int) error { return c.s.Gone(url, status) }

// Skipped records a page that is not HTML.
func (c *CrawlSink) Skipped(string) { c.s.Skip() }

// Failed records a page that could not be fetched.
func (c *CrawlSink) Failed(url, reason string) { c.s.Fail(url, reason) }

// Revisits lists the stored pages of host that hold notices still on
// their site, so a re-crawl checks each (a 304 costs little) and
// withdraws those that are gone.
func (c *CrawlSink) Revisits(host string, visit func(crawl.Seed)) error {
	return c.s.g.store.EachPageOfHost(host, func(rec store.PageRecord) error {
		if rec.NoticeID != "" && rec.GoneAt.IsZero() {
			visit(crawl.Seed{URL: rec.URL, Depth: rec.Depth, Listed: Origin(rec.Origin) == OriginList})
		}
		return nil
	})
}

// links turns an extraction's links into normalised URLs to consider. On
// a list, a content link with a title for its text counts as one of the
// list's notices even when its URL has another shape than its neighbours
// (a notice moved to another path, a pinned one): whether it is a notice
// is still judged on the page itself.
func links(res *extract.Result) []crawl.Link {
	list := res.Kind == extract.KindList
	out := make([]crawl.Link, 0, len(res.Links)+1)
	for _, l := range res.Links {
		u, err := urlnorm.Normalize(l.URL)
		if err != nil {
			continue
		}
		titled := !l.Chrome && !l.Next && utf8.RuneCountInString(strings.TrimSpace(l.Text)) >= minTitleRunes
		out = append(out, crawl.Link{URL: u, Item: list && (l.Item || titled), Next: l.Next})
	}
	if res.Canonical != "" {
		if u, err := urlnorm.Normalize(res.Canonical); err == nil {
			out = append(out, crawl.Link{URL: u, Canonical: true})
		}
	}
	return out
}

// minTitleRunes is the anchor text of a link to a notice: a title, not "more".
const minTitleRunes = 12
