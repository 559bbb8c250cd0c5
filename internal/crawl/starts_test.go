package crawl_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/ingest"
)

// Unread names each start URL whose page could not be read, after its
// redirects, with why; a start that redirects to a page that is read is
// not unread, even when the site's sitemap gave other pages.
func TestUnreadStarts(t *testing.T) {
	var s *site
	s = newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("User-agent: *\nDisallow: /private/\nSitemap: " + s.URL + "/sitemap.xml\n"))
		},
		"/sitemap.xml": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>` + s.URL + `/n/1</loc></url></urlset>`))
		},
		"/n/1":      html(noticeHTML("A notice", "2024-01-02", "")),
		"/old-news": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/n/1", http.StatusMovedPermanently) },
		"/moved": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/nowhere", http.StatusMovedPermanently)
		},
		"/server": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) },
	})
	k := newKB(t)
	var ev events
	c := crawl.New(fastConfig(&ev))
	starts := []string{s.URL + "/old-news", s.URL + "/missing", s.URL + "/moved", s.URL + "/private/x", s.URL + "/server"}
	session := k.g.Begin(t.Context())
	if err := c.Run(t.Context(), starts, ingest.NewCrawlSink(session)); err != nil {
		t.Fatal(err)
	}
	session.Close()
	want := map[string]string{
		s.URL + "/missing":   "HTTP 404",
		s.URL + "/moved":     "HTTP 404 (redirected to " + s.URL + "/nowhere)",
		s.URL + "/private/x": "disallowed by robots.txt",
		s.URL + "/server":    "HTTP 403",
	}
	got := map[string]string{}
	for _, u := range c.Unread(starts) {
		got[u.URL] = u.Reason
	}
	if len(got) != len(want) {
		t.Errorf("unread %v, want %v", got, want)
	}
	for u, why := range want {
		if got[u] != why {
			t.Errorf("%s: unread because %q, want %q", u, got[u], why)
		}
	}

	// A site that does not answer: its robots.txt cannot be read, so nothing is.
	down := crawl.New(fastConfig(&ev))
	start := "http://127.0.0.1:1/"
	if err := down.Run(t.Context(), []string{start}, ingest.NewCrawlSink(k.g.Begin(t.Context()))); err != nil {
		t.Fatal(err)
	}
	unread := down.Unread([]string{start})
	if len(unread) != 1 || !strings.Contains(unread[0].Reason, "site not crawled") {
		t.Errorf("unreachable site: unread %+v, want its start with the robots.txt reason", unread)
	}
}
