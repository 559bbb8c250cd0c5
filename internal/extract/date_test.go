package extract

import (
	"strings"
	"testing"
)

// TestDates runs the date finder over small pages: each case is one kind
// of evidence, or one trap.
func TestDates(t *testing.T) {
	body := "<p>" + strings.Repeat("The officials discussed the programme of cooperation. ", 6) + "</p>"
	page := func(head, top string) string {
		return "<html><head>" + head + "</head><body><nav><a href='/'>Home</a></nav><article><h1>Workshop on digital government</h1>" + top + body + "</article></body></html>"
	}
	tests := []struct {
		name, html, url, want string
	}{
		{"meta published time", page(`<meta property="article:published_time" content="2021-03-04T08:00:00Z">`, "<p>Last updated 10 May 2022</p>"), "", "2021-03-04"},
		{"an update date alone is not the publication date", page("", "<p>Last updated: 10 May 2022</p>"), "", ""},
		{"JSON-LD dateModified alone is not either", page(`<script type="application/ld+json">{"@type":"NewsArticle","headline":"W","dateModified":"2022-05-10"}</script>`, ""), "", ""},
		{"the earliest publication claim wins", page(`<meta property="article:published_time" content="2017-04-12T18:33:59+02:00"><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2020-02-19"}</script>`, ""), "", "2017-04-12"},
		{"future dates are rejected", page("", "<p>Posted: 2030-01-01</p>"), "", ""},
		{"dates before 1990 are rejected", page("", "<p>Posted: 1989-12-31</p>"), "", ""},
		{"Korean", page("", "<p class='date'>2017년 8월 9일 14:32</p>"), "", "2017-08-09"},
		{"dotted with a label", page("", "<p>Posted: 2017.08.09</p>"), "", "2017-08-09"},
		{"German label", page("", "<p>Veröffentlicht am 16.08.2019</p>"), "", "2019-08-16"},
		{"English date under the title", page("", "<p>August 9, 2017</p>"), "", "2017-08-09"},
		{"slashed, day first by another date's evidence", page("", "<p class='date'>09/08/2017</p><p>Deadline: 25/08/2017</p>"), "", "2017-08-09"},
		{"slashed, month first by another date's evidence", page("", "<p class='date'>09/08/2017</p><p>Deadline: 08/25/2017</p>"), "", "2017-09-08"},
		{"slashed, month first for American English", strings.Replace(page("", "<p class='date'>09/08/2017</p>"), "<html>", "<html lang='en-US'>", 1), "", "2017-09-08"},
		{"slashed, day first for German", strings.Replace(page("", "<p class='date'>09/08/2017</p>"), "<html>", "<html lang='de'>", 1), "", "2017-08-09"},
		{"slashed, by the machine date of the same day", page("", "<p class='date'><time datetime='2017-09-08'>09/08/2017</time></p>"), "", "2017-09-08"},
		{"an event date in a sentence is not the publication date", page("", "<p>On 1 January 2009, UNPOG and UN DESA jointly organised the workshop in Singapore for officials of eleven countries.</p>"), "", ""},
		{"the URL is evidence when given", page("", ""), "https://example.org/news/2019/05/03/workshop/", "2019-05-03"},
		{"no URL, no URL evidence", page("", ""), "", ""},
		{"the page's own canonical URL", page(`<link rel="canonical" href="https://example.org/2019/05/03/workshop/">`, ""), "", "2019-05-03"},
		{"machine date behind relative text", page("", "<div class='published'><time datetime='2020-06-22T09:30:00+02:00'>28 minutes ago</time></div>"), "", "2020-06-22"},
		{"the page's own itemprop, not a listed article's", page("", "<p><time itemprop='datePublished' datetime='2022-01-21'>21.01.2022</time></p><aside><time itemprop='datePublished' datetime='2022-01-20'>20.01.2022</time></aside>"), "", "2022-01-21"},
		{"a short script that writes the date", page("", `<p class="info"><script>showDate("2020/04/17 01:43:09")</script> views 7</p>`), "", "2020-04-17"},
		{"a date set in separate elements", page("", "<div class='date'><span class='month'>Apr</span> <span class='day'>04</span><span class='year'>2013</span></div>"), "", "2013-04-04"},
		{"a camel-case navigation's dates are other pages'", strings.Replace(page("", ""), "<article>", "<article><ul id='sideNav'><li><a href='/weekly/52'>Weekly report 31 December 2021</a></li></ul>", 1), "", ""},
		{"comment dates are not the article's", page("", "<div class='comments'><p>Reply by Mina on 3 May 2020</p><p>Reply by Jo on 4 May 2020</p><p>Reply by Al on 5 May 2020</p></div>"), "", ""},
	}
	x := newTestExtractor()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Extract(Page{URL: tt.url, Body: []byte(tt.html)})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Notice.Date.String(); got != tt.want {
				t.Errorf("date = %q, want %q", got, tt.want)
			}
			if (res.DateSource == "") != (tt.want == "") {
				t.Errorf("date source = %q for date %q", res.DateSource, res.Notice.Date)
			}
		})
	}
}

// The date's source is reported with it: admins writing a site's rules
// need to know whether a date came from the page, its metadata or its URL.
func TestDateSourceIsReported(t *testing.T) {
	body := "<p>" + strings.Repeat("The officials discussed the programme of cooperation. ", 6) + "</p>"
	tests := []struct{ name, html, url, want string }{
		{"metadata", `<html><head><meta property="article:published_time" content="2021-03-04T08:00:00Z"></head><body><h1>Workshop on digital government</h1>` + body + `</body></html>`, "", "metadata"},
		{"page", `<html><body><h1>Workshop on digital government</h1><p class="date">Posted: 4 March 2021</p>` + body + `</body></html>`, "", "page"},
		{"url", `<html><body><h1>Workshop on digital government</h1>` + body + `</body></html>`, "https://example.org/2021/03/04/workshop/", "url"},
	}
	x := newTestExtractor()
	for _, tt := range tests {
		res, err := x.Extract(Page{URL: tt.url, Body: []byte(tt.html)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Notice.Date.String() != "2021-03-04" || res.DateSource != tt.want {
			t.Errorf("%s: date %s from %q, want 2021-03-04 from %q", tt.name, res.Notice.Date, res.DateSource, tt.want)
		}
	}
}
