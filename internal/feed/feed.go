// Package feed reads a site's RSS or Atom feed (with
// github.com/mmcdole/gofeed) and finds the feeds a page advertises, so the
// scheduler can learn of new notices from one small document instead of
// every list page. A feed only says where new notices are: their pages
// are fetched and extracted like any other, and an item's date is
// evidence of how often the site publishes, never a notice's date. The
// package does no network (crawl fetches).
package feed

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// MaxBytes is the largest feed read; crawl.Fetch stops reading beyond it.
const MaxBytes = 4 << 20

// MaxItems is how many items of a feed are used, in the feed's order
// (newest first, as feeds are written).
const MaxItems = 500

// maxListed refuses a feed that lists more items than any news feed
// does, before it is parsed: parsing keeps every item in memory.
const maxListed = 2_000

// Accept is the Accept header of a feed request.
const Accept = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"

// ErrNotFeed is returned for a document that is not RSS, Atom or JSON
// Feed (an HTML page at the feed's address, say).
var ErrNotFeed = errors.New("not an RSS or Atom feed")

// Feed is what a feed lists.
type Feed struct {
	Title string
	Items []Item
	// Listed is how many items the feed listed; Items holds MaxItems of
	// them at most, and leaves out those without a usable link.
	Listed int
}

// Item is one entry of a feed.
type Item struct {
	// URL is the item's link, absolute.
	URL   string
	Title string
	// Published and Updated are the item's dates, zero when it gives none
	// or one more than a day ahead of the clock (not believed).
	Published, Updated time.Time
}

// Parse reads a feed's bytes. Relative links resolve against base (the
// feed's own URL); now is the clock that dates are checked against.
func Parse(body []byte, base string, now time.Time) (Feed, error) {
	var out Feed
	baseURL, err := url.Parse(base)
	if err != nil {
		return out, fmt.Errorf("feed: base %q: %w", base, err)
	}
	if n := bytes.Count(body, []byte("<item")) + bytes.Count(body, []byte("<entry")); n > maxListed {
		return out, fmt.Errorf("feed: it lists %d items, more than %d; not read", n, maxListed)
	}
	switch gofeed.DetectFeedType(bytes.NewReader(body)) {
	case gofeed.FeedTypeUnknown:
		return out, fmt.Errorf("feed: %w (%s)", ErrNotFeed, sniff(body))
	case gofeed.FeedTypeJSON:
		if !bytes.Contains(body, []byte("jsonfeed.org/version")) {
			return out, fmt.Errorf("feed: %w (it is JSON, not a JSON Feed)", ErrNotFeed)
		}
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return out, fmt.Errorf("feed: %w", err)
	}
	out.Title, out.Listed = strings.TrimSpace(f.Title), len(f.Items)
	horizon := now.Add(24 * time.Hour)
	for _, it := range f.Items {
		if len(out.Items) == MaxItems {
			break
		}
		link := strings.TrimSpace(it.Link)
		if link == "" && len(it.Links) > 0 {
			link = strings.TrimSpace(it.Links[0])
		}
		if link == "" {
			continue
		}
		u, err := baseURL.Parse(link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		out.Items = append(out.Items, Item{URL: u.String(), Title: strings.TrimSpace(it.Title),
			Published: believable(it.PublishedParsed, horizon), Updated: believable(it.UpdatedParsed, horizon)})
	}
	return out, nil
}

func believable(t *time.Time, horizon time.Time) time.Time {
	if t == nil || t.After(horizon) || t.Year() < 1990 {
		return time.Time{}
	}
	return t.UTC()
}

// sniff says what a document that is not a feed seems to be.
func sniff(body []byte) string {
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	switch {
	case len(head) == 0:
		return "it is empty"
	case bytes.Contains(head, []byte("<html")) || bytes.HasPrefix(head, []byte("<!doctype html")):
		return "it is an HTML page"
	}
	return "its format is not recognised"
}
