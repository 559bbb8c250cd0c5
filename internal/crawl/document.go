package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrDisallowed is returned by Fetch for a URL robots.txt keeps noticekb
// from.
var ErrDisallowed = errors.New("robots.txt disallows it")

// Document is one document fetched outside a crawl (a feed).
type Document struct {
	URL          string // where it was read, after redirects
	Body         []byte // nil when NotModified
	ContentType  string
	ETag         string
	LastModified string
	// NotModified is a 304 answer to a conditional request.
	NotModified bool
}

// Fetch GETs one document (a feed) as politely as a crawl fetches pages:
// robots.txt is obeyed (an error wrapping ErrDisallowed), the host's delay
// and concurrency limit are kept (with every crawl of Config.Hosts), the
// request is conditional when known holds validators, redirects are
// followed on the same site only, and a body of more than limit bytes is
// an error, read no further. An answer other than 200 or 304 is an error.
func (c *Crawler) Fetch(ctx context.Context, rawURL string, known Validators, accept string, limit int64) (Document, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Document{}, fmt.Errorf("crawl: %q is not an http(s) URL", rawURL)
	}
	rules, err := c.robotsFor(ctx, u)
	if err != nil {
		return Document{}, err
	}
	if !rules.allowed(u.RequestURI()) {
		return Document{}, fmt.Errorf("crawl: %s: %w", rawURL, ErrDisallowed)
	}
	release, err := c.pace(ctx, u, max(c.cfg.Delay, rules.delay))
	if err != nil {
		return Document{}, err
	}
	defer release()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Document{}, err
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", accept)
	conditional := known.ETag != "" || known.LastModified != ""
	if known.ETag != "" {
		req.Header.Set("If-None-Match", known.ETag)
	}
	if known.LastModified != "" {
		req.Header.Set("If-Modified-Since", known.LastModified)
	}
	c.stats.requests.Add(1)
	resp, err := c.meta.Do(req)
	if err != nil {
		return Document{}, fmt.Errorf("crawl: %s: %s", rawURL, reason(err))
	}
	defer resp.Body.Close()
	doc := Document{URL: resp.Request.URL.String(), ContentType: resp.Header.Get("Content-Type"),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusNotModified && conditional:
		doc.NotModified = true
		return doc, nil
	case resp.StatusCode != http.StatusOK:
		return doc, fmt.Errorf("crawl: %s: HTTP %d", rawURL, resp.StatusCode)
	case resp.ContentLength > limit:
		return doc, fmt.Errorf("crawl: %s: %d bytes, more than %d", rawURL, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return doc, fmt.Errorf("crawl: %s: read: %s", rawURL, reason(err))
	}
	if int64(len(body)) > limit {
		return doc, fmt.Errorf("crawl: %s: more than %d bytes", rawURL, limit)
	}
	doc.Body = body
	return doc, nil
}

// Allowed reports whether robots.txt lets noticekb fetch rawURL. An
// error says robots.txt could not be read (the site is down, or answers
// 5xx), in which case nothing of the site may be fetched.
func (c *Crawler) Allowed(ctx context.Context, rawURL string) (bool, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return false, fmt.Errorf("crawl: %q is not a URL", rawURL)
	}
	rules, err := c.robotsFor(ctx, u)
	if err != nil {
		return false, err
	}
	return rules.allowed(u.RequestURI()), nil
}

// robotsFor returns the robots.txt rules of u's host: those another crawl
// of the process read lately, or read now.
func (c *Crawler) robotsFor(ctx context.Context, u *url.URL) (*robotsRules, error) {
	name := strings.ToLower(u.Host)
	if c.cfg.Hosts != nil {
		if r := c.cfg.Hosts.robots(name, time.Now()); r != nil {
			return r, nil
		}
	}
	release, err := c.pace(ctx, u, c.cfg.Delay)
	if err != nil {
		return nil, err
	}
	rules, err := c.fetchRobots(ctx, u.Scheme+"://"+name)
	release()
	if err != nil {
		return nil, err
	}
	if c.cfg.Hosts != nil {
		c.cfg.Hosts.keepRobots(name, rules, time.Now())
	}
	return rules, nil
}

// pace waits for a request to u's host to be allowed to start; the
// returned function ends it.
func (c *Crawler) pace(ctx context.Context, u *url.URL, delay time.Duration) (func(), error) {
	if c.cfg.Hosts == nil {
		return func() {}, nil
	}
	name := strings.ToLower(u.Host)
	if err := c.cfg.Hosts.wait(ctx, name, delay, c.cfg.Concurrency); err != nil {
		return nil, err
	}
	return func() { c.cfg.Hosts.done(name) }, nil
}
