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
	"syscall"
	"time"

	"github.com/noticekb/noticekb/internal/urlnorm"
)

// visit is what one page request came to, for the scheduler.
type visit struct {
	status      int
	result      string
	redirect    string        // the normalised Location of a redirect
	retryIn     time.Duration // > 0: try again after this long
	hostPause   time.Duration // Retry-After: the whole host waits
	useful      bool          // a notice, a list or a redirect: the URL's pattern paid off
	links       []Link
	wantsListed bool   // the sink asks to hear of a list's link to the page
	reason      string // why a page that failed was not read
}

// visitPage fetches one page (conditionally when the sink knows it),
// hands the answer to the sink and returns what to do next.
func (c *Crawler) visitPage(ctx context.Context, e entry, sink Sink) visit {
	known, revalidate := sink.Known(e.url)
	var v visit
	resp, err := c.request(ctx, e.url, known, revalidate)
	if err != nil {
		return c.failed(ctx, e, sink, 0, err, transient(err))
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
		f := c.fetched(e, resp, nil)
		f.NotModified = true
		return c.handOver(ctx, sink, f, v)
	case code >= 300 && code < 400 && resp.Header.Get("Location") != "":
		target, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err == nil {
			v.redirect, err = urlnorm.NormalizeURL(target)
		}
		if err != nil {
			return c.failed(ctx, e, sink, code, fmt.Errorf("bad redirect: %w", err), false)
		}
		v.result, v.useful = "redirect", true
		return v
	case code == http.StatusNotFound || code == http.StatusGone:
		if err := sink.Gone(e.url, code); err != nil {
			c.cfg.Log.Error("store write failed", "url", e.url, "err", err)
		}
		v.result = "gone"
		return v
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		if wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if wait > c.cfg.MaxRetryAfter || e.attempt >= c.cfg.Retries {
				return c.failed(ctx, e, sink, code, fmt.Errorf("HTTP %d, Retry-After %s", code, wait.Round(time.Second)), false)
			}
			v.retryIn, v.hostPause, v.result = max(wait, c.cfg.RetryBackoff), wait, "retry"
			return v
		}
		return c.failed(ctx, e, sink, code, httpError(code), true)
	case code >= 500:
		return c.failed(ctx, e, sink, code, httpError(code), true)
	case code != http.StatusOK:
		return c.failed(ctx, e, sink, code, httpError(code), false)
	}
	return c.readPage(ctx, e, sink, resp, v)
}

// readPage reads a 200 answer's body and hands it to the sink.
func (c *Crawler) readPage(ctx context.Context, e entry, sink Sink, resp *http.Response, v visit) visit {
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil && !isHTMLType(mt) {
		sink.Skipped(e.url)
		v.result = "skipped"
		return v
	}
	if resp.ContentLength > c.cfg.MaxBodySize {
		return c.failed(ctx, e, sink, v.status, fmt.Errorf("page of %d bytes is larger than %d", resp.ContentLength, c.cfg.MaxBodySize), false)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodySize+1))
	if err != nil {
		return c.failed(ctx, e, sink, v.status, fmt.Errorf("read body: %w", err), transient(err))
	}
	if int64(len(body)) > c.cfg.MaxBodySize {
		return c.failed(ctx, e, sink, v.status, fmt.Errorf("page is larger than %d bytes", c.cfg.MaxBodySize), false)
	}
	return c.handOver(ctx, sink, c.fetched(e, resp, body), v)
}

func (c *Crawler) fetched(e entry, resp *http.Response, body []byte) Fetched {
	return Fetched{
		URL: e.url, Body: body, ContentType: resp.Header.Get("Content-Type"), Status: resp.StatusCode,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Listed: e.listed, Depth: e.depth,
	}
}

// handOver gives a page to the sink and takes its verdict into the visit.
func (c *Crawler) handOver(ctx context.Context, sink Sink, f Fetched, v visit) visit {
	verdict, err := sink.Page(ctx, f)
	if err != nil {
		c.cfg.Log.Error("store write failed", "url", f.URL, "err", err)
	}
	v.result = "read"
	if verdict.Unchanged {
		c.stats.notModified.Add(1)
		v.result = "unchanged"
	}
	v.useful, v.links, v.wantsListed = verdict.Useful, verdict.Links, verdict.WantsListed
	return v
}

// failed retries a request that may succeed later, or records the failure.
func (c *Crawler) failed(ctx context.Context, e entry, sink Sink, status int, err error, retryable bool) visit {
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
	v.reason = reason(err)
	sink.Failed(e.url, v.reason)
	return v
}

// request GETs a page without following redirects, conditionally when
// the store has its validators.
func (c *Crawler) request(ctx context.Context, rawURL string, known Validators, conditional bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	if conditional {
		if known.ETag != "" {
			req.Header.Set("If-None-Match", known.ETag)
		}
		if known.LastModified != "" {
			req.Header.Set("If-Modified-Since", known.LastModified)
		}
	}
	c.stats.requests.Add(1)
	return c.pages.Do(req)
}

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
