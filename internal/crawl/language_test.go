package crawl_test

import (
	"net/http"
	"testing"
)

// A crawl started in one language of a site does not wander into its
// translations; one started outside any language reads them all.
func TestCrawlKeepsToTheStartLanguage(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{
		"/ko/news/":    html(listHTML("/ko/news/one", "/en/news/one", "/ja/news/one", "/about/")),
		"/ko/news/one": html(noticeHTML("하나", "2024-04-01", "")),
		"/en/news/one": html(noticeHTML("One", "2024-04-01", "")),
		"/ja/news/one": html(noticeHTML("一つ", "2024-04-01", "")),
		"/about/":      html(noticeHTML("About", "2024-04-01", "")),
		"/news/":       html(listHTML("/ko/news/one", "/en/news/one")),
	})
	k := newKB(t)
	var ev events
	k.crawl(t, fastConfig(&ev), s.URL+"/ko/news/")
	for uri, want := range map[string]int{"/ko/news/one": 1, "/en/news/one": 0, "/ja/news/one": 0, "/about/": 1} {
		if got := s.count(uri); got != want {
			t.Errorf("crawl from /ko/news/: %s fetched %d times, want %d", uri, got, want)
		}
	}
	k2 := newKB(t)
	k2.crawl(t, fastConfig(&ev), s.URL+"/news/")
	if s.count("/en/news/one") != 1 {
		t.Errorf("crawl from /news/: /en/news/one fetched %d times, want 1", s.count("/en/news/one"))
	}
}
