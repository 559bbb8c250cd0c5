package feed_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/feed"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParse(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.RFC3339, s); return d }
	tests := []struct {
		file, base string
		title      string
		want       []feed.Item
		listed     int
	}{
		{"rss.xml", "https://www.example.org/feed/", "Office news", []feed.Item{
			{URL: "https://www.example.org/news/2026/03/forum/", Title: "Forum on e-government opens", Published: day("2026-03-03T09:00:00Z")},
			{URL: "https://www.example.org/news/2026/02/relative/", Title: "Relative link", Published: day("2026-02-02T09:00:00Z")},
			// A date years ahead is not believed; the item is still there.
			{URL: "https://www.example.org/news/2031/01/future/", Title: "Dated in the future"},
		}, 5},
		{"atom.xml", "https://example.org/press.atom", "Press releases", []feed.Item{
			{URL: "https://example.org/press/2026/00002-workshop.html", Title: "Workshop on smart cities", Published: day("2026-03-04T10:00:00Z"), Updated: day("2026-03-05T10:00:00Z")},
			// gofeed gives an entry without <published> its <updated> date.
			{URL: "https://example.org/press/2026/00001-report.html", Title: "Report released", Published: day("2026-02-01T10:00:00Z"), Updated: day("2026-02-01T10:00:00Z")},
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := feed.Parse(read(t, tt.file), tt.base, now)
			if err != nil {
				t.Fatal(err)
			}
			if f.Title != tt.title || f.Listed != tt.listed || !slices.EqualFunc(f.Items, tt.want, sameItem) {
				t.Errorf("got %q, %d listed:\n%+v\nwant\n%+v", f.Title, f.Listed, f.Items, tt.want)
			}
		})
	}
}

func sameItem(a, b feed.Item) bool {
	return a.URL == b.URL && a.Title == b.Title && a.Published.Equal(b.Published) && a.Updated.Equal(b.Updated)
}

// What is not a feed is refused with a reason, and a feed listing more
// items than any news feed is refused before it is parsed; a long one is
// cut to MaxItems.
func TestParseRefuses(t *testing.T) {
	for name, body := range map[string]string{
		"an HTML page": "<!DOCTYPE html><html><head><title>Not found</title></head><body>Sorry</body></html>",
		"empty":        "",
		"JSON":         `{"error": "nope"}`,
		"garbage":      "\x00\x01\x02 binary",
	} {
		if _, err := feed.Parse([]byte(body), "https://example.org/feed", now); !errors.Is(err, feed.ErrNotFeed) {
			t.Errorf("%s: %v, want ErrNotFeed", name, err)
		}
	}
	huge := items(100_000)
	if _, err := feed.Parse(huge, "https://example.org/feed", now); err == nil || !strings.Contains(err.Error(), "100000 items") {
		t.Errorf("100,000 items: %v", err)
	}
	f, err := feed.Parse(items(1500), "https://example.org/feed", now)
	if err != nil || len(f.Items) != feed.MaxItems || f.Listed != 1500 || f.Items[0].URL != "https://example.org/n/0" {
		t.Errorf("1,500 items: %d kept of %d listed, first %+v, %v", len(f.Items), f.Listed, f.Items[0], err)
	}
}

func items(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>`)
	for i := range n {
		fmt.Fprintf(&b, "<item><link>/n/%d</link></item>", i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func TestDiscover(t *testing.T) {
	got := feed.Discover(read(t, "page.html"), "https://www.example.org/news/")
	want := []string{"https://www.example.org/site/feed/", "https://www.example.org/press.atom", "https://www.example.org/site/comments/feed/"}
	if !slices.Equal(got, want) {
		t.Errorf("discovered %v, want %v (comment feeds last, no repeats, only link elements)", got, want)
	}
	if got := feed.Discover([]byte("<html><body>no feed</body></html>"), "https://example.org/"); len(got) != 0 {
		t.Errorf("a page without feeds: %v", got)
	}
}

func BenchmarkParseLargestFeed(b *testing.B) {
	body := items(2_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := feed.Parse(body, "https://example.org/feed", now); err != nil {
			b.Fatal(err)
		}
	}
}
