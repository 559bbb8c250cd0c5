package ingest

import (
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/notice"
)

// undated is a page with a title and an article's length of text but no
// date or article markup: a notice only when a list links to it.
func undated(url string) crawl.Fetched {
	text := strings.Repeat("The office and its partners discussed digital government and public service innovation. ", 12)
	html := `<html><head><title>Partners meet on digital government</title></head><body><main><h1>Partners meet on digital government</h1><p>` +
		text + `</p><p>` + text + `</p></main></body></html>`
	return crawl.Fetched{URL: url, Body: []byte(html), ContentType: "text/html", Status: 200}
}

// A page read without a list's link is not a notice; when the crawler
// later tells the sink that a list links to it, the sink judges it again
// and stores the notice, counted once as added and not as skipped.
func TestCrawlSinkPromotesWhenAListLinksLater(t *testing.T) {
	for _, listed := range []bool{false, true} {
		g, st, _ := newIngester(t)
		s := g.Begin(t.Context())
		sink := NewCrawlSink(s)
		url := "https://example.org/news/meeting"
		v, err := sink.Page(t.Context(), undated(url))
		if err != nil {
			t.Fatal(err)
		}
		if !v.WantsListed || v.Useful {
			t.Fatalf("verdict %+v: want a page that asks to hear of a list's link, not yet useful", v)
		}
		if listed {
			if err := sink.Listed(url); err != nil {
				t.Fatal(err)
			}
			if err := sink.Listed(url); err != nil || len(sink.candidates) != 0 {
				t.Errorf("a second Listed: %v, candidates %d; want nothing left to judge", err, len(sink.candidates))
			}
		}
		sum, err := s.Close()
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.Notice(notice.IDForURL(url))
		switch {
		case listed && (err != nil || sum.Added != 1 || sum.Skipped != 0 || sum.Pages != 1):
			t.Errorf("listed later: notice %v, summary %+v; want it added", err, sum)
		case !listed && (err == nil || sum.Added != 0 || sum.Skipped != 1):
			t.Errorf("never listed: notice %v, summary %+v; want no notice", err, sum)
		}
	}
}

// Known offers validators only for pages that can answer 304; a page
// answering 304 or with its stored bytes is unchanged and not read again
// when it holds a notice.
func TestCrawlSinkKnownAndUnchanged(t *testing.T) {
	g, _, _ := newIngester(t)
	p := page("https://example.org/news/a", "A notice")
	s := g.Begin(t.Context())
	sink := NewCrawlSink(s)
	if _, ok := sink.Known(p.URL); ok {
		t.Error("Known: validators for a page never stored")
	}
	f := crawl.Fetched{URL: p.URL, Body: p.Body, ContentType: p.ContentType, Status: 200, ETag: p.ETag}
	if v, err := sink.Page(t.Context(), f); err != nil || v.Unchanged || !v.Useful {
		t.Fatalf("first read: %+v, %v", v, err)
	}
	if _, err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = g.Begin(t.Context())
	sink = NewCrawlSink(s)
	if v, ok := sink.Known(p.URL); !ok || v.ETag != p.ETag {
		t.Errorf("Known: %+v, %v; want the stored ETag", v, ok)
	}
	if v, _ := sink.Page(t.Context(), f); !v.Unchanged {
		t.Errorf("same bytes: %+v, want unchanged", v)
	}
	if v, _ := sink.Page(t.Context(), crawl.Fetched{URL: p.URL, Status: 304, NotModified: true}); !v.Unchanged {
		t.Errorf("304: %+v, want unchanged", v)
	}
	sum, err := s.Close()
	if err != nil || sum.Unchanged != 2 || sum.Added+sum.Updated != 0 {
		t.Errorf("re-crawl summary %+v, %v; want two unchanged", sum, err)
	}
}
