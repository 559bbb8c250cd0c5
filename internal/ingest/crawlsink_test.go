package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/verdict"
)

// undated is a page with a title and an article's length of text but no
// date or article markup: a notice only when a list has it as an entry.
func undated(url string) crawl.Fetched {
	text := strings.Repeat("The office and its partners discussed digital government and public service innovation. ", 12)
	html := `<html><head><title>Partners meet on digital government</title></head><body><main><h1>Partners meet on digital government</h1><p>` +
		text + `</p><p>` + text + `</p></main></body></html>`
	return crawl.Fetched{URL: url, Body: []byte(html), ContentType: "text/html", Status: 200}
}

// newsList is a list page whose entries, each a linked heading with a
// date, are the given URLs.
func newsList(url string, entries ...string) crawl.Fetched {
	var b strings.Builder
	b.WriteString(`<html><head><title>News</title></head><body><main><h1>News</h1>`)
	for i, e := range entries {
		fmt.Fprintf(&b, `<div class="entry"><h2><a href="%s">Partners meet on digital government, part %d</a></h2><p>Published 2024-01-%02d</p></div>`, e, i+1, i+1)
	}
	b.WriteString(`</main></body></html>`)
	return crawl.Fetched{URL: url, Body: []byte(b.String()), ContentType: "text/html", Status: 200}
}

// A page read before any list has it as an entry is not a notice; when
// the sink reads a list that does, it judges the page again and stores
// the notice, counted once as added and not as skipped.
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
		if v.Useful {
			t.Fatalf("verdict %+v: an undated page no list holds is not useful", v)
		}
		entries := []string{url, "https://example.org/news/b", "https://example.org/news/c", "https://example.org/news/d", "https://example.org/news/e"}
		if !listed {
			entries[0] = "https://example.org/news/a"
		}
		if v, err := sink.Page(t.Context(), newsList("https://example.org/news/", entries...)); err != nil || !v.Useful {
			t.Fatalf("list: %+v, %v", v, err)
		}
		if err := sink.Finish(); err != nil {
			t.Fatal(err)
		}
		sum, err := s.Close()
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.Notice(notice.IDForURL(url))
		switch {
		case listed && (err != nil || sum.Added != 1 || sum.Skipped != 1 || sum.Pages != 2):
			t.Errorf("listed later: notice %v, summary %+v; want it added", err, sum)
		case !listed && (err == nil || sum.Added != 0 || sum.Skipped != 2):
			t.Errorf("never listed: notice %v, summary %+v; want no notice", err, sum)
		}
		rec, _, _ := st.Page(url)
		if rec.Verdict == nil || rec.Evidence == nil || (rec.Verdict.Kind == verdict.Notice) != listed {
			t.Errorf("listed %v: stored verdict %+v", listed, rec.Verdict)
		}
	}
}

// service is a page of a site's service template: a title and text, no
// date unless one is given, under /services/.
func service(url, date string) crawl.Fetched {
	text := strings.Repeat("Residents can apply for the permit online or at the service centre during opening hours. ", 10)
	shown := ""
	if date != "" {
		shown = `<p>` + date + `</p>`
	}
	html := `<html><head><title>A city service</title></head><body><div class="page-service"><main><h1>A city service</h1>` + shown +
		`<p>` + text + `</p></main></div></body></html>`
	return crawl.Fetched{URL: url, Body: []byte(html), ContentType: "text/html", Status: 200}
}

// The page of a template of services that shows a date is a notice on its
// own evidence when it is read first; once the crawl has read the other
// pages of its template, Finish takes it back: it leaves search (the
// record stays, withdrawn, as for any page that stops being a notice), and
// a notice this crawl added is not counted as added. A notice an earlier
// run stored is withdrawn instead.
func TestCrawlSinkDemotesAtFinish(t *testing.T) {
	g, st, ix := newIngester(t)
	roadmap := "https://city.example/services/roadmap"
	crawlSite := func(first string) notice.RunSummary {
		s := g.Begin(t.Context())
		sink := NewCrawlSink(s)
		f := service(roadmap, first)
		if first == "" { // a re-crawl revisits the stored notice: it answers 304
			f = crawl.Fetched{URL: roadmap, Status: 304, NotModified: true}
		}
		if _, err := sink.Page(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if _, err := sink.Page(t.Context(), service(fmt.Sprintf("https://city.example/services/s%d", i), "")); err != nil {
				t.Fatal(err)
			}
		}
		if err := sink.Finish(); err != nil {
			t.Fatal(err)
		}
		sum, err := s.Close()
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	id := notice.IDForURL(roadmap)
	sum := crawlSite("Published 2024-03-05")
	if n, err := st.Notice(id); err == nil && !n.Withdrawn() || sum.Added != 0 || sum.Skipped != 6 || ix.Count() != 0 {
		t.Fatalf("first crawl: notice %+v %v, summary %+v, index %d; want none in search", n, err, sum, ix.Count())
	}
	rec, _, _ := st.Page(roadmap)
	if rec.NoticeID != "" || rec.Verdict == nil || !strings.Contains(rec.Verdict.Explain(), "template of other pages") {
		t.Errorf("stored page: notice %q, verdict %+v", rec.NoticeID, rec.Verdict)
	}

	// A notice stored by an earlier run, before its template was known.
	s := g.Begin(t.Context())
	sink := NewCrawlSink(s)
	sink.Page(t.Context(), service(roadmap, "Published 2024-03-06"))
	s.Close()
	if n, err := st.Notice(id); err != nil || n.Withdrawn() || ix.Count() != 1 {
		t.Fatalf("stored alone: %v, %v, index %d", n.Withdrawn(), err, ix.Count())
	}
	sum = crawlSite("")
	if n, _ := st.Notice(id); !n.Withdrawn() || sum.Withdrawn != 1 || sum.Unchanged != 1 || ix.Count() != 0 {
		t.Errorf("re-crawl of the site: withdrawn %v, summary %+v, index %d", n.Withdrawn(), sum, ix.Count())
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
