package ingest

import (
	"fmt"
	"strings"
	"testing"
)

// Re-extracting identical pages changes nothing: a notice's topics and
// SDGs come out in one order on every run, so none is stored or indexed
// again for nothing.
func TestReextractTwiceUpdatesNothing(t *testing.T) {
	g, _, _ := newIngester(t)
	s := g.Begin(t.Context())
	for i := range 20 {
		p := page(fmt.Sprintf("https://example.org/n/%d", i),
			fmt.Sprintf("Smart city, open data, e-government and digital identity for local governments %d", i))
		p.Body = []byte(strings.Replace(string(p.Body), "Partners met", "Partners met on capacity building and resilience", 1))
		add(t, s, p)
	}
	if sum, err := s.Close(); err != nil || sum.Added != 20 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	for run := 1; run <= 2; run++ {
		sum, err := g.Reextract(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if sum.Updated != 0 || sum.Unchanged != 20 {
			t.Errorf("re-extraction %d: %+v, want 20 unchanged and 0 updated", run, sum)
		}
	}
}

// A run counts the notices it stores or sees again that are dated only by
// their page's update date: on import, on re-extraction and on a re-crawl
// that finds the page unchanged.
func TestSummaryCountsWeakDates(t *testing.T) {
	g, _, _ := newIngester(t)
	weak := page("https://example.org/n/weak", "Workshop on digital government services")
	weak.Body = []byte(strings.Replace(string(weak.Body), `<time class="published" datetime="2024-01-02">2 Jan 2024</time>`,
		`<p>Last updated: 10 May 2022</p>`, 1))
	s := g.Begin(t.Context())
	add(t, s, page("https://example.org/n/dated", "Seminar on open data for local government"))
	add(t, s, weak)
	if sum, err := s.Close(); err != nil || sum.Added != 2 || sum.WeakDates != 1 {
		t.Fatalf("import: %+v %v, want 2 added, 1 weak date", sum, err)
	}
	if sum, err := g.Reextract(t.Context()); err != nil || sum.WeakDates != 1 {
		t.Errorf("re-extraction: %+v %v, want 1 weak date", sum, err)
	}
	s = g.Begin(t.Context())
	s.Unchanged(Page{URL: weak.URL, Origin: OriginCrawl})
	if sum, err := s.Close(); err != nil || sum.Unchanged != 1 || sum.WeakDates != 1 {
		t.Errorf("re-crawl: %+v %v, want 1 unchanged with a weak date", sum, err)
	}
}
