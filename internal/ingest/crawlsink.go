package ingest

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
	"github.com/noticekb/noticekb/internal/verdict"
)

// CrawlSink takes one crawl's pages into a session: it is where the
// crawler's pages are judged (notice, list, other) and stored. It judges
// each page on its own evidence and on what the crawl has learned of its
// site so far (the lists that link to it, the other pages of its
// template), revises a judgement when that knowledge grows, and at the
// end (Finish) judges every page of the crawl again with all of it.
type CrawlSink struct {
	s *Session
	j *siteJudge
}

// NewCrawlSink returns a sink writing to s. One sink serves one crawl;
// call Finish when the crawl ends, before closing the session.
func NewCrawlSink(s *Session) *CrawlSink {
	return &CrawlSink{s: s, j: newSiteJudge(s)}
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
	if xerr != nil {
		return crawl.Verdict{}, c.s.Add(page, nil, xerr)
	}
	v, err := c.j.read(page, res)
	return c.verdict(res, v), errors.Join(err, c.j.lists(res))
}

// unchanged handles a page that answered 304 or sent its stored bytes. A
// notice page costs nothing more: its stored evidence is what the crawl
// learns of it. A list or other page is read again from the stored bytes,
// since its links are needed to go on and what the crawl has learned may
// now make it a notice.
func (c *CrawlSink) unchanged(rec store.PageRecord, page Page, body []byte) (crawl.Verdict, error) {
	page.Body, page.Status = nil, rec.Status
	v := crawl.Verdict{Unchanged: true, Useful: true}
	if rec.NoticeID != "" && rec.Evidence != nil {
		c.j.storedNotice(page, rec)
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
	if err != nil {
		return v, c.s.Unchanged(page)
	}
	judged, err := c.j.readUnchanged(page, res, rec)
	v = c.verdict(res, judged)
	v.Unchanged = true
	return v, errors.Join(err, c.j.lists(res))
}

// verdict says what the crawler should make of a page: its links, and
// whether it paid off (a notice or a list).
func (c *CrawlSink) verdict(res *extract.Result, v verdict.Verdict) crawl.Verdict {
	return crawl.Verdict{
		Useful: v.Kind == verdict.Notice || res.Kind == extract.KindList,
		Links:  links(res),
	}
}

// Listed hears from the crawler that a list links to url as one of its
// entries. The sink reads the lists' links itself, with more detail (an
// entry shown with a date, or a mere link); this is for the links the
// crawler knows through redirects.
func (c *CrawlSink) Listed(url string) error { return c.j.listed(url, verdict.Linked) }

// Finish judges every page of the crawl again with all the crawl learned
// of its sites, and with the other pages the store holds of them: a
// template found to be of notices promotes the page of it that lacked
// evidence, one of archives or services demotes the page of it that showed
// a date. Call it when the crawl ends, before closing the session.
func (c *CrawlSink) Finish() error { return c.j.finish() }

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
