package crawl_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/crawl"
)

func (s *site) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.requests {
		out = append(out, r.URL.RequestURI())
	}
	slices.Sort(out)
	return out
}

// A check run reads its start pages and follows links only to pages the
// store does not have, through new lists too; it reads no sitemap and
// checks no stored page again.
func TestRunCheckFollowsOnlyNewPages(t *testing.T) {
	pages := map[string]http.HandlerFunc{"/robots.txt": html("User-agent: *\n")}
	for _, p := range []string{"/", "/list2", "/a", "/b", "/list3", "/c", "/d", "/sitemap.xml"} {
		pages[p] = html("<p>" + p + "</p>")
	}
	s := newSite(t, pages)
	sink := &linkSink{base: s.URL, links: map[string][]crawl.Link{
		"/":      {{URL: "/a", Item: true}, {URL: "/b", Item: true}, {URL: "/list2", Next: true}},
		"/list2": {{URL: "/a", Item: true}, {URL: "/list3", Next: true}},
		"/list3": {{URL: "/c", Item: true}, {URL: "/d"}},
	}}
	stored := map[string]bool{s.URL + "/a": true, s.URL + "/d": true, s.URL + "/list2": true}
	known := func(u string) bool { return stored[u] }
	err := crawl.New(crawl.Config{Concurrency: 1}).RunCheck(t.Context(), []string{s.URL + "/", s.URL + "/list2"}, sink, known)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/", "/b", "/c", "/list2", "/list3", "/robots.txt"}
	if got := s.paths(); !slices.Equal(got, want) {
		t.Errorf("a check run requested %v, want %v", got, want)
	}
	listed := map[string]bool{}
	for _, f := range sink.pages {
		listed[strings.TrimPrefix(f.URL, s.URL)] = f.Listed
	}
	if !listed["/b"] || !listed["/c"] {
		t.Errorf("new notices reached from lists are not marked listed: %v", listed)
	}
}

// RunSeeds fetches exactly the pages given (and a redirect's target on
// the site), marked as a list's items when the seed says so, and follows
// no link.
func TestRunSeedsFetchesOnlyThem(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": html("User-agent: *\nDisallow: /private/\n"),
		"/a":          html("<p>a</p>"),
		"/b":          html("<p>b</p>"),
		"/moved": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/b2", http.StatusMovedPermanently)
		},
		"/b2":        html("<p>b2</p>"),
		"/private/x": html("<p>x</p>"),
		"/linked":    html("<p>linked</p>"),
	})
	sink := &linkSink{base: s.URL, links: map[string][]crawl.Link{"/a": {{URL: "/linked", Item: true}}}}
	seeds := []crawl.Seed{{URL: s.URL + "/a", Listed: true}, {URL: s.URL + "/moved"}, {URL: s.URL + "/private/x", Listed: true}}
	if err := crawl.New(crawl.Config{Concurrency: 2}).RunSeeds(t.Context(), seeds, sink); err != nil {
		t.Fatal(err)
	}
	want := []string{"/a", "/b2", "/moved", "/robots.txt"}
	if got := s.paths(); !slices.Equal(got, want) {
		t.Errorf("requested %v, want %v", got, want)
	}
	for _, f := range sink.pages {
		if path := strings.TrimPrefix(f.URL, s.URL); f.Listed != (path == "/a") {
			t.Errorf("%s: listed %v", path, f.Listed)
		}
	}
}

// Crawls sharing one Hosts keep one delay between requests to a host
// between them, and read its robots.txt once.
func TestSharedHostsPaceCrawlsTogether(t *testing.T) {
	pages := map[string]http.HandlerFunc{"/robots.txt": html("User-agent: *\n")}
	var starts []string
	for i := range 6 {
		p := fmt.Sprintf("/p%d", i)
		pages[p] = html("<p>page</p>")
		starts = append(starts, p)
	}
	s := newSite(t, pages)
	hosts := crawl.NewHosts()
	const delay = 60 * time.Millisecond
	var wg sync.WaitGroup
	for half := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var seeds []crawl.Seed
			for _, p := range starts[half*3 : half*3+3] {
				seeds = append(seeds, crawl.Seed{URL: s.URL + p})
			}
			c := crawl.New(crawl.Config{Delay: delay, Concurrency: 1, Hosts: hosts})
			if err := c.RunSeeds(t.Context(), seeds, &linkSink{base: s.URL}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt read %d times by two crawls sharing hosts, want once", n)
	}
	s.mu.Lock()
	var times []time.Time
	for _, p := range starts {
		times = append(times, s.times[p]...)
	}
	s.mu.Unlock()
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < delay-10*time.Millisecond {
			t.Errorf("requests %d and %d to one host %s apart, delay %s", i-1, i, gap, delay)
		}
	}
}

// Fetch reads a document conditionally, within a size limit, only where
// robots.txt allows it and only on its own site.
func TestFetchDocument(t *testing.T) {
	var s *site
	s = newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": html("User-agent: *\nDisallow: /closed\n"),
		"/feed": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, "<rss/>")
		},
		"/big":    html(strings.Repeat("x", 5000)),
		"/closed": html("<rss/>"),
		"/away": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://elsewhere.invalid/feed", http.StatusFound)
		},
	})
	c := crawl.New(crawl.Config{Hosts: crawl.NewHosts()})
	ctx := t.Context()
	doc, err := c.Fetch(ctx, s.URL+"/feed", crawl.Validators{}, "application/rss+xml", 1000)
	if err != nil || string(doc.Body) != "<rss/>" || doc.ETag != `"v1"` || doc.NotModified {
		t.Fatalf("first fetch: %+v, %v", doc, err)
	}
	doc, err = c.Fetch(ctx, s.URL+"/feed", crawl.Validators{ETag: doc.ETag}, "application/rss+xml", 1000)
	if err != nil || !doc.NotModified || doc.Body != nil {
		t.Errorf("conditional fetch: %+v, %v", doc, err)
	}
	if _, err := c.Fetch(ctx, s.URL+"/big", crawl.Validators{}, "*/*", 1000); err == nil || !strings.Contains(err.Error(), "more than 1000") {
		t.Errorf("a document over the limit: %v", err)
	}
	if _, err := c.Fetch(ctx, s.URL+"/closed", crawl.Validators{}, "*/*", 1000); !errors.Is(err, crawl.ErrDisallowed) {
		t.Errorf("a document robots.txt disallows: %v", err)
	}
	if _, err := c.Fetch(ctx, s.URL+"/away", crawl.Validators{}, "*/*", 1000); err == nil || !strings.Contains(err.Error(), "off the site") {
		t.Errorf("a redirect to another site: %v", err)
	}
	if ok, err := c.Allowed(ctx, s.URL+"/closed/x"); ok || err != nil {
		t.Errorf("Allowed(/closed/x) = %v, %v", ok, err)
	}
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt read %d times, want once (kept in Hosts)", n)
	}
	down := newSite(t, map[string]http.HandlerFunc{"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}})
	c = crawl.New(crawl.Config{Retries: -1})
	if ok, err := c.Allowed(ctx, down.URL+"/"); ok || err == nil {
		t.Errorf("Allowed on a site whose robots.txt answers 503: %v, %v", ok, err)
	}
}
