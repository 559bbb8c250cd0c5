package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/pubdate"
)

// FuzzExtract feeds the whole extractor any bytes: it must never hit an
// internal error (a recovered panic), and what it returns must be sane.
// Seeds are the fixtures plus testdata/fuzz/FuzzExtract.
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.html")
	for _, path := range files {
		if body, err := os.ReadFile(path); err == nil {
			f.Add(body, fixtureURLs[filepath.Base(path)])
		}
	}
	x := newTestExtractor()
	// The first undated page sends the date search to load its libraries'
	// tables: a one-time cost (half a second here, many seconds on a loaded
	// machine or under -race), not work that grows with the page.
	if _, err := x.Extract(Page{Body: []byte("<html><body><p>An undated page.</p></body></html>")}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, url string) {
		start := time.Now()
		res, err := x.Extract(Page{URL: url, Body: body})
		// Fuzz inputs are small; seconds on one means work that grows
		// faster than the page.
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("%d bytes took %s", len(body), d)
		}
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("internal error: %v", err)
			}
			return
		}
		n := res.Notice
		if !utf8.ValidString(n.Title) || !utf8.ValidString(n.Body) {
			t.Fatalf("invalid UTF-8 in title or body")
		}
		if utf8.RuneCountInString(n.Title) > maxTitleRunes {
			t.Fatalf("title of %d runes", utf8.RuneCountInString(n.Title))
		}
		if !n.Date.IsZero() && !pubdate.Plausible(n.Date, fixedNow()) {
			t.Fatalf("implausible date %s", n.Date)
		}
		seen := map[string]bool{}
		for _, p := range n.Partners {
			if seen[p] || p == n.Publisher {
				t.Fatalf("partners %q repeat a name or hold the publisher %q", n.Partners, n.Publisher)
			}
			seen[p] = true
		}
		if len(n.Topics) > 6 {
			t.Fatalf("%d topics", len(n.Topics))
		}
	})
}
