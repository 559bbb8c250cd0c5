package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// visit is what one page request came to, for the scheduler.
type visit struct {
	status    int
	result    string
	redirect  string        // the normalised Location of a redirect
	retryIn   time.Duration // > 0: try again after this long
	hostPause time.Duration // Retry-After: the whole host waits
	useful    bool          // a notice, a list or a redirect: the URL's pattern paid off
	links     []link
	candidate *candidate
}

// link is a URL found on a page, normalised.
type link struct {
	url       string
	item      bool // a list's link to one of its notices
	next      bool // pagination
	canonical bool // the page's declared canonical URL
}

// candidate is a page read without list evidence that a list's link would
// make a notice; if such a link turns up later, the page is promoted.
type candidate struct {
	page ingest.Page
	res  *extract.Result
}

// visitPage fetches one page (conditionally when it is known), hands it
// to the session and returns what to do next.
func (c *Crawler) visitPage(ctx context.Context, e entry, session *ingest.Session) visit {
	rec, known, _ := session.Known(e.url)
	revalidate := known && rec.Error == "" && rec.GoneAt.IsZero() && rec.ContentHash != ""
	var v visit
	resp, err := c.request(ctx, e.url, rec, revalidate)
	if err != nil {
		return c.failed(ctx, e, session, 0, err, transient(err))
	}
	defer func() {
		// Read what is left of a short answer (a redirect, a 404 page), so
		// the connection can be used again.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}()
	v.status = resp.StatusCode
	switch code := resp.StatusCode; {
	case code == http.StatusNotModified && revalidate:
		return c.unchanged(e, session, rec, resp, nil, v)
	case code >= 300 && code < 400 && resp.Header.Get("Location") != "":
		target, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err == nil {
			v.redirect, err = urlnorm.NormalizeURL(target)
		}
		if err != nil {
			return c.failed(ctx, e, session, code, fmt.Errorf("bad redirect: %w", err), false)
		}
		v.result, v.useful = "redirect", true
		return v
	case code == http.StatusNotFound || code == http.StatusGone:
		if err := session.Gone(e.url, code); err != nil {
			c.cfg.Log.Error("store write failed", "url", e.url, "err", err)
		}
		v.result = "gone"
		return v
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		if wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if wait > c.cfg.MaxRetryAfter || e.attempt >= c.cfg.Retries {
				return c.failed(ctx, e, session, code, fmt.Errorf("HTTP %d, Retry-After %s", code, wait.Round(time.Second)), false)
			}
			v.retryIn, v.hostPause, v.result = max(wait, c.cfg.RetryBackoff), wait, "retry"
			return v
		}
		return c.failed(ctx, e, session, code, httpError(code), true)
	case code >= 500:
		return c.failed(ctx, e, session, code, httpError(code), true)
	case code != http.StatusOK:
		return c.failed(ctx, e, session, code, httpError(code), false)
	}
	return c.readPage(ctx, e, session, rec, revalidate, resp, v)
}

// readPage reads a 200 answer's body: unchanged bytes cost nothing more,
// new ones are extracted and handed to the session.
func (c *Crawler) readPage(ctx context.Context, e entry, session *ingest.Session, rec store.PageRecord, revalidate bool, resp *http.Response, v visit) visit {
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil && !isHTMLType(mt) {
		session.Skip()
		v.result = "skipped"
		return v
	}
	if resp.ContentLength > c.cfg.MaxBodySize {
		return c.failed(ctx, e, session, v.status, fmt.Errorf("page of %d bytes is larger than %d", resp.ContentLength, c.cfg.MaxBodySize), false)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodySize+1))
	if err != nil {
		return c.failed(ctx, e, session, v.status, fmt.Errorf("read body: %w", err), transient(err))
	}
	if int64(len(body)) > c.cfg.MaxBodySize {
		return c.failed(ctx, e, session, v.status, fmt.Errorf("page is larger than %d bytes", c.cfg.MaxBodySize), false)
	}
	if revalidate && store.HashBytes(body) == rec.ContentHash {
		return c.unchanged(e, session, rec, resp, body, v)
	}
	page := c.page(e, resp, body)
	res, xerr := session.Extract(page)
	if err := session.Add(page, res, xerr); err != nil {
		c.cfg.Log.Error("store write failed", "url", e.url, "err", err)
	}
	return c.read(e, page, res, v)
}

func (c *Crawler) page(e entry, resp *http.Response, body []byte) ingest.Page {
	return ingest.Page{
		URL: e.url, FetchURL: e.url, Body: body, ContentType: resp.Header.Get("Content-Type"), Status: resp.StatusCode,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Origin: e.origin, Depth: e.depth,
	}
}

// read finishes a visit to a page that was extracted.
func (c *Crawler) read(e entry, page ingest.Page, res *extract.Result, v visit) visit {
	v.result = "read"
	if res == nil {
		return v
	}
	notice := ingest.IsNotice(res, page.Origin)
	v.useful = notice || res.Kind == extract.KindList
	if !notice && page.Origin != ingest.OriginList && ingest.IsNotice(res, ingest.OriginList) {
		page.Body = nil // the store has it
		v.candidate = &candidate{page: page, res: res}
	}
	v.links = links(res)
	return v
}

// unchanged handles a page that answered 304 or sent its stored bytes. A
// notice page costs nothing more. A list or other page is read again from
// the stored bytes, since its links are needed to go on and a list's link
// may now make it a notice.
func (c *Crawler) unchanged(e entry, session *ingest.Session, rec store.PageRecord, resp *http.Response, body []byte, v visit) visit {
	c.stats.notModified.Add(1)
	page := c.page(e, resp, nil)
	page.Status = rec.Status
	if ingest.Stronger(ingest.Origin(rec.Origin), page.Origin) {
		page.Origin = ingest.Origin(rec.Origin)
	}
	v.result, v.useful = "unchanged", true
	if rec.NoticeID != "" {
		if err := session.Unchanged(page); err != nil {
			c.cfg.Log.Error("store write failed", "url", e.url, "err", err)
		}
		return v
	}
	if body == nil {
		stored, err := session.Raw(e.url)
		if err != nil {
			if err := session.Unchanged(page); err != nil {
				c.cfg.Log.Error("store write failed", "url", e.url, "err", err)
			}
			return v
		}
		body = stored
	}
	page.Body, page.ContentType = body, rec.ContentType
	res, err := session.Extract(page)
	if err == nil && ingest.IsNotice(res, page.Origin) {
		err = session.Add(page, res, nil) // newly a notice: a list links to it now
	} else {
		err = session.Unchanged(page)
	}
	if err != nil {
		c.cfg.Log.Error("store write failed", "url", e.url, "err", err)
	}
	if res == nil {
		return v
	}
	v = c.read(e, page, res, v)
	v.result = "unchanged"
	return v
}

// failed retries a request that may succeed later, or records the failure.
func (c *Crawler) failed(ctx context.Context, e entry, session *ingest.Session, status int, err error, retryable bool) visit {
	v := visit{status: status, result: "failed"}
	if ctx.Err() != nil {
		v.result = "cancelled"
		return v
	}
	if retryable && e.attempt < c.cfg.Retries {
		v.retryIn, v.result = c.backoff(e.attempt), "retry"
		return v
	}
	c.stats.errors.Add(1)
	session.Fail(e.url, reason(err))
	return v
}

// request GETs a page without following redirects, conditionally when
// the store has its validators.
func (c *Crawler) request(ctx context.Context, rawURL string, rec store.PageRecord, conditional bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	if conditional {
		if rec.ETag != "" {
			req.Header.Set("If-None-Match", rec.ETag)
		}
		if rec.LastModified != "" {
			req.Header.Set("If-Modified-Since", rec.LastModified)
		}
	}
	return c.pages.Do(req)
}

// links turns an extraction's links into normalised URLs to consider. On
// a list, a content link with a title for its text counts as one of the
// list's notices even when its URL has another shape than its neighbours
// (a notice moved to another path, a pinned one): whether it is a notice
// is still judged on the page itself.
func links(res *extract.Result) []link {
	list := res.Kind == extract.KindList
	out := make([]link, 0, len(res.Links)+1)
	for _, l := range res.Links {
		u, err := urlnorm.Normalize(l.URL)
		if err != nil {
			continue
		}
		titled := !l.Chrome && !l.Next && utf8.RuneCountInString(strings.TrimSpace(l.Text)) >= minTitleRunes
		out = append(out, link{url: u, item: list && (l.Item || titled), next: l.Next})
	}
	if res.Canonical != "" {
		if u, err := urlnorm.Normalize(res.Canonical); err == nil {
			out = append(out, link{url: u, canonical: true})
		}
	}
	return out
}

// minTitleRunes is the anchor text of a link to a notice: a title, not "more".
const minTitleRunes = 12

func httpError(code int) error { return fmt.Errorf("HTTP %d", code) }

// reason says briefly why a request failed, without Go's URL prefix.
func reason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return err.Error()
}

// transient reports whether a request error may go away by itself: a
// timeout or a connection cut short. A refused connection or an unknown
// host is not retried: the site is down or does not exist.
func transient(err error) bool {
	var ne net.Error
	return (errors.As(err, &ne) && ne.Timeout()) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	if h == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// isHTMLType accepts what may hold a page; the extractor sniffs the bytes
// (binary served as text/html is refused there).
func isHTMLType(mt string) bool {
	return mt == "text/html" || mt == "application/xhtml+xml" || mt == "text/plain" || mt == "application/octet-stream" || mt == ""
}
