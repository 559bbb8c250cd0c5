package extract

import (
	"slices"
	"strings"
	"testing"
)

// A notice keeps its site's sections and tags: from metadata, JSON-LD,
// rel=tag and category links, the post's tag list and its breadcrumb trail;
// never a sidebar's category list or tag cloud, a menu, the home page or
// the page itself.
func TestSections(t *testing.T) {
	text := strings.Repeat("The council approved the new permit fees after a public hearing. ", 8)
	page := func(head, body string) string {
		return `<html><head><title>Permit fees change</title>` + head + `</head><body><main><article><h1>Permit fees change</h1>` +
			`<p>Published 2024-03-05</p><p>` + text + `</p>` + body + `</article></main></body></html>`
	}
	tests := []struct {
		name, html string
		want       []string
	}{
		{"metadata", page(`<meta property="article:section" content="Press releases"><meta property="article:tag" content="Permits">`+
			`<meta property="article:tag" content="Fees &amp; taxes">`, ""), []string{"Press releases", "Permits", "Fees & taxes"}},
		{"JSON-LD", page(`<script type="application/ld+json">{"@type":"NewsArticle","articleSection":["City hall"],"keywords":"permits, fees"}</script>`, ""),
			[]string{"City hall", "permits", "fees"}},
		{"a post's tag links", page("", `<footer class="entry-footer"><span class="cat-links"><a href="/category/news/" rel="category tag">News</a></span>`+
			`<span class="tags-links"><a href="/tag/permits/" rel="tag">Permits</a></span></footer>`), []string{"News", "Permits"}},
		{"a sidebar's categories and tag cloud", page("", "") + `<aside class="widget widget_categories"><ul><li><a href="/category/sports/">Sports</a></li></ul>` +
			`<div class="tagcloud"><a href="/tag/x/" rel="tag">Everything</a></div></aside>`, nil},
		{"breadcrumbs", `<html><head><title>Permit fees change</title></head><body><nav aria-label="breadcrumb"><a href="/">Home</a> › <a href="/news/">News</a> › ` +
			`<a href="/news/press/">Press releases</a> › <a href="/news/press/permit-fees">Permit fees change</a></nav><main><h1>Permit fees change</h1><p>` + text + `</p></main></body></html>`,
			[]string{"News", "Press releases"}},
		{"a menu that calls itself a breadcrumb", `<html><body><div class="breadcrumbs-menu">` + strings.Repeat(`<a href="/x/">Section</a><a href="/y/">Other</a>`, 5) +
			`</div><main><h1>Permit fees change</h1><p>` + text + `</p></main></body></html>`, nil},
	}
	x := newTestExtractor()
	for _, tt := range tests {
		res, err := x.Extract(Page{URL: "https://city.example/news/press/permit-fees", Body: []byte(tt.html)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Notice.Sections, tt.want) {
			t.Errorf("%s: sections %q, want %q", tt.name, res.Notice.Sections, tt.want)
		}
	}
}
