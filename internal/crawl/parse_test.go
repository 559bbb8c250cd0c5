package crawl

import (
	"bytes"
	"compress/gzip"
	"slices"
	"testing"
	"time"
)

func TestParseSitemap(t *testing.T) {
	urlset := `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <url><loc> https://example.org/a </loc><lastmod>2024-01-01</lastmod></url>
 <url><loc>https://example.org/b?x=1&amp;y=2</loc></url>
</urlset>`
	index := `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://example.org/s1.xml.gz</loc></sitemap></sitemapindex>`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(urlset))
	zw.Close()
	tests := []struct {
		name            string
		body            []byte
		pages, sitemaps []string
	}{
		{"urlset", []byte(urlset), []string{"https://example.org/a", "https://example.org/b?x=1&y=2"}, nil},
		{"gzipped", gz.Bytes(), []string{"https://example.org/a", "https://example.org/b?x=1&y=2"}, nil},
		{"index", []byte(index), nil, []string{"https://example.org/s1.xml.gz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages, maps, err := parseSitemap(tt.body)
			if err != nil || !slices.Equal(pages, tt.pages) || !slices.Equal(maps, tt.sitemaps) {
				t.Errorf("got %v %v %v, want %v %v", pages, maps, err, tt.pages, tt.sitemaps)
			}
		})
	}
	if _, _, err := parseSitemap([]byte("<urlset><url><loc>x")); err == nil {
		t.Error("a broken sitemap gives no error")
	}
}

func TestPattern(t *testing.T) {
	same := [][2]string{
		{"http://h/calendar/?month=2024-12", "http://h/calendar/?month=102519-01"},
		{"http://h/search/?q=policy&p=1", "http://h/search/?q=policy+report+asia&p=77"},
		{"http://h/page/view.asp?BoardID=0004&sn=1", "http://h/page/view.asp?BoardID=0004&sn=999"},
		{"http://h/news/2017/08/09/some-long-title/", "http://h/news/2018/01/02/other-long-title/"},
	}
	for _, p := range same {
		if pattern(p[0]) != pattern(p[1]) {
			t.Errorf("pattern(%s) = %s, pattern(%s) = %s; want the same", p[0], pattern(p[0]), p[1], pattern(p[1]))
		}
	}
	if pattern("http://h/news/") == pattern("http://h/press/") {
		t.Error("different sections share a pattern")
	}
	b := newBudget(3)
	for range 3 {
		b.note("cal", false)
		b.note("notices", true)
	}
	b.note("notices", false)
	if !b.spent("cal") || b.spent("notices") {
		t.Errorf("budget: cal spent %v, notices spent %v", b.spent("cal"), b.spent("notices"))
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{"120": 2 * time.Minute, "0": 0, "Mon, 01 Jan 2024 12:00:30 GMT": 30 * time.Second} {
		if got, ok := retryAfter(h, now); !ok || got != want {
			t.Errorf("retryAfter(%q) = %v, %v; want %v", h, got, ok, want)
		}
	}
	for _, h := range []string{"", "soon", "-5"} {
		if _, ok := retryAfter(h, now); ok {
			t.Errorf("retryAfter(%q) accepted", h)
		}
	}
}

func TestGuardAddresses(t *testing.T) {
	g := &Guard{}
	for _, a := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1"} {
		if err := g.CheckHost(t.Context(), a); err == nil {
			t.Errorf("%s allowed", a)
		}
	}
	for _, a := range []string{"93.184.216.34", "2606:4700::1111"} {
		if err := g.CheckHost(t.Context(), a); err != nil {
			t.Errorf("%s refused: %v", a, err)
		}
	}
	if err := (&Guard{AllowPrivate: true}).CheckHost(t.Context(), "127.0.0.1"); err != nil {
		t.Errorf("AllowPrivate refused loopback: %v", err)
	}
}
