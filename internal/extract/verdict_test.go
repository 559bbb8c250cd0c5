package extract

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/noticekb/noticekb/internal/verdict"
)

// Pages cut from real sites (testdata/verdict, gzipped as the shared
// benches keep pages: scripts, styles and long class lists taken out), each judged on its own evidence as `noticekb
// extract` and a crawl judge it before they know the rest of the site.
// The evidence named must be among the reasons.
func TestVerdictOnRealPages(t *testing.T) {
	tests := []struct {
		file, url string
		want      Kind
		evidence  []string
	}{
		// A release note: download links and "recent news" after its byline.
		{"ruby-release.html", "https://www.ruby-lang.org/ko/news/2014/02/24/ruby-2-1-1-is-released/", KindNotice,
			[]string{"date by the heading", "entries after the text"}},
		// Two sentences under a byline, then "recent news".
		{"ruby-short-post.html", "https://www.ruby-lang.org/ko/news/2001/04/19/ruby-pocket-reference/", KindNotice,
			[]string{"date by the heading"}},
		{"ruby-advisory.html", "https://www.ruby-lang.org/ko/news/2019/10/01/webrick-regexp-digestauth-dos-cve-2019-16201/", KindNotice,
			[]string{"date by the heading"}},
		// Month archives: entries (a linked heading, a teaser, a date) under
		// the archive's heading, even when there is one.
		{"ruby-month-archive.html", "https://www.ruby-lang.org/ko/news/2003/01/", KindList, []string{"entries of a list", "archive address"}},
		{"ruby-month-archive-one-entry.html", "https://www.ruby-lang.org/ko/news/2001/01/", KindList, []string{"entries of a list"}},
		{"ruby-year-archive.html", "https://www.ruby-lang.org/ko/news/2003/", KindList, []string{"entries of a list", "archive address"}},
		// A blog post marked up as a BlogPosting in microdata.
		{"canada-post.html", "https://numerique.canada.ca/2022/10/06/modification-de-notre-approche-aux-partenariats/", KindNotice,
			[]string{"article markup", "date by the heading", "dated address"}},
		// A page of the blog's list, with dated entries and a pager.
		{"canada-blog-page.html", "https://numerique.canada.ca/blogue/page/2/", KindList, []string{"pagination address"}},
		// A service page: text, no date.
		{"canada-careers.html", "https://numerique.canada.ca/carrieres/", KindOther, []string{"no date"}},
		// A service page of a clinic whose metadata carries a date.
		{"service-meta-date.html", "https://www.acredis.com/schoenheitsoperationen/augenlidstraffung/", KindOther, []string{"weak date"}},
	}
	x := newTestExtractor()
	for _, tt := range tests {
		body := mustGunzip(t, filepath.Join("testdata", "verdict", tt.file+".gz"))
		res, err := x.Extract(Page{URL: tt.url, Body: body})
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if res.Kind != tt.want || res.Verdict.Kind != tt.want {
			t.Errorf("%s: %s, want %s\n%s", tt.file, res.Kind, tt.want, res.Verdict.Explain())
		}
		for _, name := range tt.evidence {
			if !slices.ContainsFunc(res.Verdict.Evidence, func(e verdict.Evidence) bool { return e.Name == name }) {
				t.Errorf("%s: no %q among the reasons\n%s", tt.file, name, res.Verdict.Explain())
			}
		}
	}
}
