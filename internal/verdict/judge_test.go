package verdict

import (
	"fmt"
	"strings"
	"testing"
)

// article is the evidence of a plain news post: a title, an article's
// text, a date under its heading, at a dated address.
func article(url string) Page {
	return Page{URL: url, Title: true, Words: 300, Enough: true, DateSource: "page", DateByHeading: true, Skeleton: "post"}
}

func TestJudgePage(t *testing.T) {
	post := article("https://example.org/news/2024/03/05/council-approves-budget/")
	tests := []struct {
		name string
		page Page
		site Site
		want Kind
	}{
		{"a dated post", post, Site{}, Notice},
		{"article markup and a publication date in metadata", Page{URL: "https://example.org/n/12", Title: true, Enough: true,
			ArticleLD: true, DateSource: "metadata"}, Site{}, Notice},
		{"a date shown on the page", Page{URL: "https://example.org/about-the-office", Title: true, Enough: true, DateSource: "page"}, Site{}, Notice},
		{"a publication date in metadata alone", Page{URL: "https://example.org/services/permits/", Title: true, Enough: true,
			DateSource: "metadata"}, Site{}, Other},
		{"the same, an entry of a dated list", Page{URL: "https://example.org/services/permits/", Title: true, Enough: true,
			DateSource: "metadata"}, Site{Listing: DatedItem}, Notice},
		{"undated text", Page{Title: true, Enough: true}, Site{}, Other},
		{"undated text a person chose", Page{Title: true, Enough: true}, Site{Chosen: true}, Notice},
		{"undated text, merely linked from a list", Page{Title: true, Enough: true}, Site{Listing: Linked}, Other},
		{"no title", Page{Enough: true, DateByHeading: true, ArticleLD: true}, Site{}, Other},
		{"a month archive with one dated entry", Page{URL: "https://example.org/news/2003/01/", Title: true, Enough: true,
			DateSource: "page", Teasers: 1, TeasersFirst: true, Items: 1}, Site{}, List},
		{"a category page with og:type article", Page{URL: "https://example.org/category/news/", Title: true, Enough: true,
			OGArticle: true, DateSource: "page", Items: 10, DatedItems: 10, Pager: true}, Site{}, List},
		{"a post followed by recent news", withPage(post, func(p *Page) { p.Teasers, p.Items, p.DatedItems = 4, 6, 4 }), Site{}, Notice},
		{"an index of links", Page{Title: true, Enough: true, DateSource: "page", LinkShare: 0.8}, Site{}, Other},
		{"a layout rule", Page{Title: true, Enough: true, Rule: RuleLayout}, Site{}, Notice},
		{"notice_url says no", withPage(post, func(p *Page) { p.Rule = RuleOtherURL }), Site{}, Other},
		{"notice_url says yes, undated", Page{Title: true, Enough: true, Rule: RuleNoticeURL}, Site{}, Notice},
		{"notice_url says yes, no text", Page{Title: true, Rule: RuleNoticeURL}, Site{}, Other},
	}
	for _, tt := range tests {
		v := Judge(tt.page, tt.site)
		if v.Kind != tt.want {
			t.Errorf("%s: %s, want %s\n%s", tt.name, v.Kind, tt.want, v.Explain())
		}
		sum := 0.0
		for _, e := range v.Evidence {
			sum += e.Weight
		}
		if fmt.Sprintf("%.3f", sum) != fmt.Sprintf("%.3f", v.Score) {
			t.Errorf("%s: score %v is not the sum of its evidence %v", tt.name, v.Score, sum)
		}
	}
}

func withPage(p Page, f func(*Page)) Page {
	f(&p)
	return p
}

// Site evidence: a template of notices carries the page of it that lacks
// a date; a template or URL pattern of other pages holds back the one
// page of it with a date; a site that lists its notices holds back the
// page no list holds.
func TestJudgeSite(t *testing.T) {
	undated := Page{URL: "https://example.org/news/2024/03/05/short-advisory/", Title: true, Enough: true}
	dated := Page{URL: "https://example.org/services/roadmap-2025/", Title: true, Enough: true, DateSource: "page"}
	tests := []struct {
		name string
		page Page
		site Site
		want Kind
	}{
		{"undated, template of notices", withPage(undated, func(p *Page) { p.ArticleElement = true }),
			Site{Template: Template{Pages: 20, Notices: 19}}, Notice},
		{"undated, no template", undated, Site{}, Other},
		{"dated, template of services", dated, Site{Template: Template{Pages: 6}}, Other},
		{"dated, a template too small", dated, Site{Template: Template{Pages: 2}}, Notice},
		{"dated, URL pattern of other pages", dated, Site{Template: Template{Pages: 1}, Pattern: Template{Pages: 12}}, Other},
		{"dated, URL pattern mixed", dated, Site{Pattern: Template{Pages: 12, Notices: 5}}, Notice},
		{"dated, unlisted on a site that lists its notices", dated, Site{Lists: SiteLists{Notices: 150, Listed: 149}}, Other},
		{"dated, unlisted on a site whose lists were not read", dated, Site{Lists: SiteLists{Notices: 150, Listed: 20}}, Notice},
		{"dated, listed on a site that lists its notices", dated, Site{Listing: DatedItem, Lists: SiteLists{Notices: 150, Listed: 149}}, Notice},
	}
	for _, tt := range tests {
		if v := Judge(tt.page, tt.site); v.Kind != tt.want {
			t.Errorf("%s: %s, want %s\n%s", tt.name, v.Kind, tt.want, v.Explain())
		}
	}
}

func TestExplain(t *testing.T) {
	v := Judge(article("https://example.org/news/2024/03/05/council-approves-budget/"), Site{Listing: DatedItem})
	got := v.Explain()
	for _, want := range []string{"notice (score +5.0", "+3.0  date by the heading", "+2.5  listed with a date", "+1.0  dated address"} {
		if !strings.Contains(got, want) {
			t.Errorf("explanation lacks %q:\n%s", want, got)
		}
	}
}
