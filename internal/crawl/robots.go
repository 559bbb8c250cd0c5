package crawl

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/temoto/robotstxt"
	"golang.org/x/net/html/charset"
)

// robotsToken is the name noticekb answers to in robots.txt groups.
const robotsToken = "noticekb"

// maxCrawlDelay caps a robots.txt Crawl-delay, so one odd line cannot make
// a run last for days; the cap is logged when it applies.
const maxCrawlDelay = time.Minute

// robotsRules is what a site's robots.txt says to noticekb.
type robotsRules struct {
	group    *robotstxt.Group // nil: everything allowed
	deny     bool             // robots.txt could not be read: nothing allowed
	why      string           // why it could not be read
	delay    time.Duration
	sitemaps []string
}

func (r *robotsRules) allowed(pathAndQuery string) bool {
	if r.deny {
		return false
	}
	return r.group == nil || r.group.Test(pathAndQuery)
}

// fetchRobots reads base/robots.txt. A 4xx answer means no rules; a 5xx
// answer or a network error, after retries, means the site is not crawled
// this time (it may be down or overloaded).
func (c *Crawler) fetchRobots(ctx context.Context, base string) (*robotsRules, error) {
	var lastErr error
	for attempt := 0; attempt <= c.cfg.Retries; attempt++ {
		if attempt > 0 && !sleep(ctx, c.backoff(attempt-1)) {
			return nil, ctx.Err()
		}
		status, body, err := c.getMeta(ctx, c.robots, base+"/robots.txt", 512<<10)
		if err != nil {
			lastErr = errors.New(reason(err))
			if !transient(err) {
				break
			}
			continue
		}
		if status >= 500 {
			lastErr = fmt.Errorf("HTTP %d", status)
			continue
		}
		if status < 200 || status >= 300 {
			return &robotsRules{}, nil // no robots.txt: no rules
		}
		data, err := robotstxt.FromBytes(body)
		if err != nil {
			c.cfg.Log.Warn("robots.txt unreadable; treating it as no rules", "url", base+"/robots.txt", "err", err)
			return &robotsRules{}, nil
		}
		rules := &robotsRules{group: data.FindGroup(robotsToken), sitemaps: data.Sitemaps}
		if rules.group != nil {
			rules.delay = rules.group.CrawlDelay
		}
		if rules.delay > maxCrawlDelay {
			c.cfg.Log.Warn("robots.txt Crawl-delay capped", "url", base, "crawl_delay", rules.delay, "used", maxCrawlDelay)
			rules.delay = maxCrawlDelay
		}
		return rules, nil
	}
	err := fmt.Errorf("robots.txt unavailable (%v): site not crawled", lastErr)
	return &robotsRules{deny: true, why: err.Error()}, err
}

// getMeta GETs robots.txt or a sitemap with client, and reads at most
// limit bytes.
func (c *Crawler) getMeta(ctx context.Context, client *http.Client, rawURL string, limit int64) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	c.stats.requests.Add(1)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if int64(len(body)) > limit {
		return resp.StatusCode, nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return resp.StatusCode, body, nil
}

// maxSitemapBytes is the sitemap protocol's own limit, uncompressed.
const maxSitemapBytes = 50 << 20

// fetchSitemap reads one sitemap or sitemap index.
func (c *Crawler) fetchSitemap(ctx context.Context, rawURL string) (pages, sitemaps []string, err error) {
	status, body, err := c.getMeta(ctx, c.meta, rawURL, maxSitemapBytes)
	if err != nil {
		return nil, nil, err
	}
	if status != http.StatusOK {
		return nil, nil, fmt.Errorf("HTTP %d", status)
	}
	return parseSitemap(body)
}

// parseSitemap reads a sitemap (urlset) or a sitemap index, gzipped or not.
func parseSitemap(body []byte) (pages, sitemaps []string, err error) {
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, nil, fmt.Errorf("sitemap: %w", err)
		}
		body, err = io.ReadAll(io.LimitReader(zr, maxSitemapBytes))
		if err != nil {
			return nil, nil, fmt.Errorf("sitemap: %w", err)
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charset.NewReaderLabel
	var path []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return pages, sitemaps, fmt.Errorf("sitemap: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		case xml.CharData:
			if len(path) < 2 || path[len(path)-1] != "loc" {
				continue
			}
			loc := strings.TrimSpace(string(t))
			switch path[len(path)-2] {
			case "url":
				pages = append(pages, loc)
			case "sitemap":
				sitemaps = append(sitemaps, loc)
			}
		}
	}
	return pages, sitemaps, nil
}

// sleep waits d or until ctx ends, and reports whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
