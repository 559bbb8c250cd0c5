package crawl_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/noticekb/noticekb/internal/crawl"
)

// linkSink is a Sink whose pages link as a table says; it records what
// the crawler tells it.
type linkSink struct {
	base   string
	links  map[string][]crawl.Link // by path
	wants  map[string]bool         // paths whose verdict asks for Listed
	mu     sync.Mutex
	pages  []crawl.Fetched
	listed []string
}

func (s *linkSink) Known(string) (crawl.Validators, bool) { return crawl.Validators{}, false }

func (s *linkSink) Page(_ context.Context, f crawl.Fetched) (crawl.Verdict, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages = append(s.pages, f)
	path := f.URL[len(s.base):]
	var links []crawl.Link
	for _, l := range s.links[path] {
		l.URL = s.base + l.URL
		links = append(links, l)
	}
	return crawl.Verdict{Links: links, Useful: true, WantsListed: s.wants[path]}, nil
}

func (s *linkSink) Listed(url string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listed = append(s.listed, url[len(s.base):])
	return nil
}

func (s *linkSink) Gone(string, int) error                  { return nil }
func (s *linkSink) Skipped(string)                          {}
func (s *linkSink) Failed(string, string)                   {}
func (s *linkSink) Revisits(string, func(crawl.Seed)) error { return nil }

// The crawler follows the links its sink returns, tells the sink which
// pages a list linked to before they were fetched (Fetched.Listed), and
// calls Listed once for a page read first that a list links to later.
func TestSinkHearsOfListLinks(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": html("User-agent: *\n"),
		"/":           html("<p>home</p>"),
		"/a":          html("<p>a</p>"),
		"/b":          html("<p>b</p>"),
		"/list":       html("<p>list</p>"),
		"/list2":      html("<p>list 2</p>"),
	})
	sink := &linkSink{base: s.URL, wants: map[string]bool{"/a": true, "/b": true}, links: map[string][]crawl.Link{
		"/":      {{URL: "/a"}, {URL: "/list"}},
		"/list":  {{URL: "/a", Item: true}, {URL: "/b", Item: true}, {URL: "/list2"}},
		"/list2": {{URL: "/a", Item: true}},
	}}
	cfg := crawl.Config{Delay: 0, Concurrency: 1, NoSitemaps: true}
	if err := crawl.New(cfg).Run(t.Context(), []string{s.URL + "/"}, sink); err != nil {
		t.Fatal(err)
	}
	listedBefore := map[string]bool{}
	for _, f := range sink.pages {
		listedBefore[f.URL[len(s.URL):]] = f.Listed
	}
	if listedBefore["/a"] || !listedBefore["/b"] {
		t.Errorf("Fetched.Listed: %v; want /b listed before it was fetched, /a not", listedBefore)
	}
	if !slices.Equal(sink.listed, []string{"/a"}) {
		t.Errorf("Listed called for %v, want once for /a (read before a list linked to it)", sink.listed)
	}
}
