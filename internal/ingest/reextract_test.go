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
