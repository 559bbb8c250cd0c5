// Package crawl fetches a website's pages: from start URLs, the site's
// sitemaps and the pages a Sink knows, it follows links on the same site,
// fetches each page once and hands it to the Sink, which decides what the
// page is and which of its links to follow. It is the only package that
// touches the network.
//
// It is polite (robots.txt, a delay and a concurrency limit per host,
// Retry-After, an honest User-Agent), incremental (conditional requests
// with the stored ETag and Last-Modified; a page answering 304 or sending
// the same bytes is not extracted again) and bounded (page and depth
// limits, and a budget per URL pattern that stops calendars and endless
// searches).
package crawl

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/noticekb/noticekb/internal/urlnorm"
)

// UserAgent names noticekb honestly to the sites it reads, with where to
// learn about it.
const UserAgent = "github.com/noticekb/noticekb/1.0 (+https://github.com/noticekb/noticekb; notice knowledge base crawler)"

// DefaultMaxBodySize is the largest page a crawl reads by default: as
// much as the extractor parses (extract.MaxPageBytes).
const DefaultMaxBodySize = 16 << 20

// Config bounds a crawl. Zero fields take the defaults named.
type Config struct {
	MaxPages int           // pages fetched at most; 0 means 5000
	MaxDepth int           // links followed from a start URL at most (pagination is free); 0 means 40
	Timeout  time.Duration // per request, body included; 0 means 30s
	// Delay is the pause between two requests to one host; robots.txt
	// Crawl-delay wins when larger. Concurrency is the requests in flight
	// to one host at most; 0 means 2.
	Delay       time.Duration
	Concurrency int
	MaxBodySize int64 // bytes of one page at most; larger pages fail; 0 means DefaultMaxBodySize
	UserAgent   string
	// Include, when not empty, limits the crawl to URLs matching one of
	// them (start URLs always pass); Exclude removes URLs matching any.
	Include, Exclude []*regexp.Regexp
	// Retries is how often a request that timed out or got a 5xx (or 429)
	// answer is tried again; 0 means 3, negative means never. RetryBackoff
	// is the first wait, doubled each time; 0 means 1s. A Retry-After
	// longer than MaxRetryAfter (0 means 2m) fails the page instead.
	Retries       int
	RetryBackoff  time.Duration
	MaxRetryAfter time.Duration
	// PatternBudget is how many pages of one URL pattern may be fetched
	// without yielding a notice or a list (while they outnumber those that
	// do) before the pattern is dropped; 0 means 50.
	PatternBudget int
	// NoSitemaps skips sitemap discovery.
	NoSitemaps bool
	// Transport carries the requests; nil means the network. The bundled
	// demo passes an in-process site here.
	Transport http.RoundTripper
	// Guard, when set, refuses private and loopback addresses (admin
	// re-imports); it applies only to the network transport.
	Guard *Guard
	// Hosts, when set, paces this crawl together with every other crawl
	// given the same Hosts (serve's scheduled runs and admin jobs): one
	// delay and one concurrency limit per host for all of them, and
	// robots.txt read once for all of them.
	Hosts *Hosts
	Log   *slog.Logger
	// OnPage, when set, is called after each page request, from the
	// worker goroutines.
	OnPage func(Event)
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
		c.MaxBodySize = DefaultMaxBodySize
	}
	if c.UserAgent == "" {
		c.UserAgent = UserAgent
	}
	switch {
	case c.Retries == 0:
		c.Retries = 3
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = time.Second
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = 2 * time.Minute
	}
	if c.PatternBudget <= 0 {
		c.PatternBudget = 50
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// Event is one page request, for progress output.
type Event struct {
	URL     string
	Status  int    // HTTP status, 0 when no answer came
	Result  string // read (and handed on), unchanged (304 or same bytes), redirect, gone, skipped, retry, failed, cancelled
	Kind    string // notice, list, other, when the page was read
	Reason  string // why it failed or will be retried
	Attempt int
	Took    time.Duration
}

// Stats are a crawl's running counts.
type Stats struct {
	Fetched     int64 // requests answered (or failed) for pages
	Queued      int64 // URLs waiting
	NotModified int64 // pages answered 304 or with the same bytes
	Errors      int64 // pages that failed for good
	Retries     int64 // requests tried again
	Disallowed  int64 // URLs robots.txt keeps us from
	Trapped     int64 // URLs dropped by a URL pattern's budget or the depth limit
	// Requests counts every HTTP request made: pages (each attempt),
	// robots.txt, sitemaps and documents (Fetch).
	Requests int64
	Started  time.Time
}

// Add returns the counts of s and o together (Queued and Started are
// those of s), for totals over several crawls.
func (s Stats) Add(o Stats) Stats {
	s.Fetched += o.Fetched
	s.NotModified += o.NotModified
	s.Errors += o.Errors
	s.Retries += o.Retries
	s.Disallowed += o.Disallowed
	s.Trapped += o.Trapped
	s.Requests += o.Requests
	return s
}

// Crawler crawls sites into a Sink. One crawler runs one crawl
// at a time.
type Crawler struct {
	cfg   Config
	pages *http.Client // redirects are answers: the crawler queues their targets
	meta  *http.Client // sitemaps and documents: a few redirects followed on the site
	// robots reads robots.txt, following a few redirects to any host, as
	// RFC 9309 says: a site that moved answers for itself.
	robots *http.Client
	stats  struct {
		fetched, queued, notModified, errors, retries, disallowed, trapped atomic.Int64
		requests, started                                                  atomic.Int64
	}
	// lastSeen is what the last run made of each URL, for Unread.
	lastSeen map[string]*urlState
}

// New returns a crawler.
func New(cfg Config) *Crawler {
	cfg.defaults()
	transport := cfg.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = max(16, 2*cfg.Concurrency)
		if cfg.Guard != nil {
			t.Proxy = nil // a proxy would dial for us, past the guard
			dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: cfg.Guard.control}
			t.DialContext = dialer.DialContext
		}
		transport = t
	}
	c := &Crawler{cfg: cfg}
	c.pages = &http.Client{
		Transport: transport, Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.meta = &http.Client{
		Transport: transport, Timeout: cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("more than 5 redirects")
			}
			if !urlnorm.SameSite(req.URL.Host, via[0].URL.Host) {
				return errors.New("redirected off the site")
			}
			return nil
		},
	}
	c.robots = &http.Client{
		Transport: transport, Timeout: cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("more than 5 redirects")
			}
			return nil
		},
	}
	return c
}

// Stats returns the counts of the crawl running or last run.
func (c *Crawler) Stats() Stats {
	s := &c.stats
	return Stats{
		Fetched: s.fetched.Load(), Queued: s.queued.Load(), NotModified: s.notModified.Load(),
		Errors: s.errors.Load(), Retries: s.retries.Load(), Disallowed: s.disallowed.Load(),
		Trapped: s.trapped.Load(), Requests: s.requests.Load(), Started: time.Unix(0, s.started.Load()),
	}
}

func (c *Crawler) resetStats() {
	s := &c.stats
	for _, v := range []*atomic.Int64{&s.fetched, &s.queued, &s.notModified, &s.errors, &s.retries, &s.disallowed, &s.trapped, &s.requests} {
		v.Store(0)
	}
	s.started.Store(time.Now().UnixNano())
}

// backoff is the wait before retry number attempt+1.
func (c *Crawler) backoff(attempt int) time.Duration {
	return c.cfg.RetryBackoff << min(attempt, 6)
}
