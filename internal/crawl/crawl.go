// Package crawl fetches a website's notice pages: from start URLs it
// follows links on the same site, reads each page once, extracts it and
// hands it to an ingest session. It is the only package that touches the
// network.
package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"noticekb/internal/extract"
	"noticekb/internal/ingest"
	"noticekb/internal/notice"
	"noticekb/internal/urlnorm"
)

// UserAgent names noticekb honestly to the sites it reads.
const UserAgent = "noticekb/1.0 (+https://github.com/noticekb/noticekb; notice knowledge base crawler)"

// Config bounds a crawl.
type Config struct {
	MaxPages    int           // pages fetched at most; 0 means 5000
	MaxDepth    int           // links followed from a start URL at most; 0 means 40
	Timeout     time.Duration // per request; 0 means 30s
	Delay       time.Duration // pause between requests to the site
	Concurrency int           // parallel requests; 0 means 2
	MaxBodySize int64         // bytes read of one response; 0 means extract.MaxPageBytes
	UserAgent   string
	// Include, when not empty, limits the crawl to URLs matching one of
	// them (start URLs always pass); Exclude removes URLs matching any.
	Include, Exclude []*regexp.Regexp
	// Transport carries the requests; nil means the default network
	// transport. The bundled demo passes an in-process site here.
	Transport http.RoundTripper
	Log       *slog.Logger
}

func (c *Config) defaults() {
	if c.MaxPages <= 0 {
		c.MaxPages = 5000
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 40
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 2
	}
	if c.MaxBodySize <= 0 {
		c.MaxBodySize = extract.MaxPageBytes
	}
	if c.UserAgent == "" {
		c.UserAgent = UserAgent
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// Crawler crawls sites into an ingest session.
type Crawler struct {
	cfg    Config
	client *http.Client
}

// New returns a crawler.
func New(cfg Config) *Crawler {
	cfg.defaults()
	transport := cfg.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("more than 10 redirects")
			}
			return nil
		},
	}
	return &Crawler{cfg: cfg, client: client}
}

// entry is one URL waiting to be fetched.
type entry struct {
	url    string
	depth  int
	origin ingest.Origin
}

// Run crawls from the start URLs until every reachable page on their sites
// is fetched, MaxPages is reached or ctx ends. Pages go to the session.
func (c *Crawler) Run(ctx context.Context, starts []string, session *ingest.Session) error {
	var queue []entry
	seen := map[string]bool{}
	sites := map[string]bool{}
	for _, s := range starts {
		u, err := urlnorm.Normalize(s)
		if err != nil {
			return fmt.Errorf("crawl: start URL %q: %w", s, err)
		}
		if !seen[u] {
			seen[u] = true
			queue = append(queue, entry{url: u, origin: ingest.OriginCrawl})
			sites[siteOf(u)] = true
		}
	}
	work := make(chan entry)
	found := make(chan []entry)
	limiter := newLimiter(c.cfg.Delay)
	var wg sync.WaitGroup
	for range c.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				found <- c.visit(ctx, e, session, limiter, sites)
			}
		}()
	}
	fetched, inFlight := 0, 0
	for (len(queue) > 0 && fetched < c.cfg.MaxPages && ctx.Err() == nil) || inFlight > 0 {
		var next entry
		var send chan entry
		if len(queue) > 0 && fetched < c.cfg.MaxPages && ctx.Err() == nil {
			next, send = queue[0], work
		}
		select {
		case send <- next:
			queue = queue[1:]
			fetched++
			inFlight++
		case links := <-found:
			inFlight--
			for _, l := range links {
				if !seen[l.url] {
					seen[l.url] = true
					queue = append(queue, l)
				}
			}
		}
	}
	close(work)
	wg.Wait()
	if len(queue) > 0 && fetched >= c.cfg.MaxPages {
		c.cfg.Log.Warn("crawl stopped at the page limit", "max_pages", c.cfg.MaxPages, "queued", len(queue))
	}
	return ctx.Err()
}

// visit fetches one page, hands it to the session and returns the links to follow.
func (c *Crawler) visit(ctx context.Context, e entry, session *ingest.Session, limiter *limiter, sites map[string]bool) []entry {
	if err := limiter.wait(ctx); err != nil {
		return nil
	}
	page, err := c.fetch(ctx, e.url)
	if err != nil {
		var gone goneError
		switch {
		case errors.As(err, &gone):
			session.Gone(e.url)
		case ctx.Err() == nil:
			session.Fail(e.url, err.Error())
		}
		c.cfg.Log.Debug("page not fetched", "url", e.url, "err", err)
		return nil
	}
	page.Origin = e.origin
	if !sites[siteOf(page.FetchURL)] {
		session.Fail(e.url, "redirected off the site to "+page.FetchURL)
		return nil
	}
	res, err := session.Extract(page)
	if addErr := session.Add(page, res, err); addErr != nil {
		c.cfg.Log.Error("store write failed", "url", e.url, "err", addErr)
	}
	c.cfg.Log.Debug("page", "url", e.url, "status", page.Status, "kind", kindOf(res))
	if err != nil || e.depth >= c.cfg.MaxDepth {
		return nil
	}
	return c.follow(res, e.depth+1, sites)
}

func kindOf(res *extract.Result) string {
	if res == nil {
		return "unreadable"
	}
	return res.Kind.String()
}

// follow picks the links worth fetching: on the same site, not assets.
func (c *Crawler) follow(res *extract.Result, depth int, sites map[string]bool) []entry {
	var out []entry
	for _, l := range res.Links {
		u, err := urlnorm.Normalize(l.URL)
		if err != nil || !sites[siteOf(u)] || isAsset(u) || len(u) > 2048 || !c.inScope(u) {
			continue
		}
		origin := ingest.OriginCrawl
		if l.Item && res.Kind == extract.KindList {
			origin = ingest.OriginList
		}
		out = append(out, entry{url: u, depth: depth, origin: origin})
	}
	return out
}

// inScope applies the include and exclude patterns.
func (c *Crawler) inScope(u string) bool {
	for _, re := range c.cfg.Exclude {
		if re.MatchString(u) {
			return false
		}
	}
	if len(c.cfg.Include) == 0 {
		return true
	}
	for _, re := range c.cfg.Include {
		if re.MatchString(u) {
			return true
		}
	}
	return false
}

// goneError is a 404 or 410 answer: the page no longer exists.
type goneError struct{ status int }

func (g goneError) Error() string { return fmt.Sprintf("gone (HTTP %d)", g.status) }

// fetch GETs one page, following redirects, and reads at most MaxBodySize bytes.
func (c *Crawler) fetch(ctx context.Context, rawURL string) (ingest.Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return ingest.Page{}, err
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	resp, err := c.client.Do(req)
	if err != nil {
		return ingest.Page{}, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return ingest.Page{}, goneError{resp.StatusCode}
	case resp.StatusCode != http.StatusOK:
		return ingest.Page{}, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil && !isHTMLType(mt) {
		return ingest.Page{}, fmt.Errorf("%w: served as %s", notice.ErrNotHTML, mt)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodySize+1))
	if err != nil {
		return ingest.Page{}, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > c.cfg.MaxBodySize {
		body = body[:c.cfg.MaxBodySize]
	}
	final, err := urlnorm.NormalizeURL(resp.Request.URL)
	if err != nil {
		return ingest.Page{}, err
	}
	return ingest.Page{
		URL: final, FetchURL: resp.Request.URL.String(), Body: body, ContentType: ct, Status: resp.StatusCode,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
	}, nil
}

func isHTMLType(mt string) bool {
	return mt == "text/html" || mt == "application/xhtml+xml" || mt == "text/plain" || mt == "application/octet-stream" || mt == ""
}

var assetExtensions = map[string]bool{
	".css": true, ".js": true, ".png": true, ".jpg": true, ".jpeg": true, ".gif": true,
	".svg": true, ".ico": true, ".webp": true, ".pdf": true, ".zip": true, ".doc": true,
	".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true, ".hwp": true,
	".hwpx": true, ".mp3": true, ".mp4": true, ".avi": true, ".mov": true, ".woff": true,
	".woff2": true, ".ttf": true, ".eot": true, ".rss": true, ".atom": true, ".json": true,
}

func isAsset(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	return assetExtensions[strings.ToLower(path.Ext(u.Path))]
}

func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Host), "www.")
}

// limiter spaces requests to a site by a fixed delay.
type limiter struct {
	mu    sync.Mutex
	delay time.Duration
	next  time.Time
}

func newLimiter(delay time.Duration) *limiter { return &limiter{delay: delay} }

func (l *limiter) wait(ctx context.Context) error {
	if l.delay <= 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.delay)
	l.mu.Unlock()
	t := time.NewTimer(time.Until(at))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
