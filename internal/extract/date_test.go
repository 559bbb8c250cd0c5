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
	// want is the date, then its source when the case is about it.
	tests := []struct {
		name, html, url, want string
	}{
		{"meta published time", page(`<meta property="article:published_time" content="2021-03-04T08:00:00Z">`, "<p>Last updated 10 May 2022</p>"), "", "2021-03-04"},
		{"an update date alone is taken, flagged", page("", "<p>Last updated: 10 May 2022</p>"), "", "2022-05-10 updated"},
		{"an update date only in metadata, which the page does not show, is no date", page(`<script type="application/ld+json">{"@type":"NewsArticle","headline":"W","dateModified":"2022-05-10"}</script>`, ""), "", ""},
		{"a list of other articles' dates is none of the page's", strings.Replace(page(`<script type="application/ld+json">{"@type":"NewsArticle","headline":"W","dateModified":"2014-06-14"}</script>`, ""), "</article>",
			"</article><section class='more-news'><h2>More press releases</h2><ul><li class='card'><a href='/press/2009/213.html'><span class='card-title'>UNPOG presents at a forum</span></a><span class='card-date'>11 Feb 2009</span></li>"+
				"<li class='card'><a href='/press/2020/548.html'><span class='card-title'>UNPOG presents at a training programme</span></a><span class='card-date'>28 Nov 2020</span></li></ul></section>", 1), "", ""},
		{"an update date never beats a publication date", page(`<script type="application/ld+json">{"@type":"NewsArticle","headline":"W","dateModified":"2022-05-10"}</script>`, "<p>Last updated: 10 May 2022</p><p class='date'>Posted: 4 March 2021</p>"), "", "2021-03-04 page"},
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
		{"nor a deadline in a short sentence", strings.Replace(page("", ""), "</article>", body+body+"<p>The deadline for applications is 2 August 2011.</p></article>", 1), "", ""},
		// Other dates the rules refuse are left to the fallback search,
		// whose date is flagged as such: better than none to find the
		// notice by.
		{"the URL is evidence when given", page("", ""), "https://example.org/news/2019/05/03/workshop/", "2019-05-03"},
		{"no URL, no URL evidence", page("", ""), "", ""},
		{"the page's own canonical URL", page(`<link rel="canonical" href="https://example.org/2019/05/03/workshop/">`, ""), "", "2019-05-03"},
		{"machine date behind relative text", page("", "<div class='published'><time datetime='2020-06-22T09:30:00+02:00'>28 minutes ago</time></div>"), "", "2020-06-22"},
		{"the page's own itemprop, not a listed article's", page("", "<p><time itemprop='datePublished' datetime='2022-01-21'>21.01.2022</time></p><aside><time itemprop='datePublished' datetime='2022-01-20'>20.01.2022</time></aside>"), "", "2022-01-21"},
		{"a short script that writes the date", page("", `<p class="info"><script>showDate("2020/04/17 01:43:09")</script> views 7</p>`), "", "2020-04-17"},
		{"a date set in separate elements", page("", "<div class='date'><span class='month'>Apr</span> <span class='day'>04</span><span class='year'>2013</span></div>"), "", "2013-04-04"},
		{"a camel-case navigation's dates are other pages'", strings.Replace(page("", ""), "<article>", "<article><ul id='sideNav'><li><a href='/weekly/52'>Weekly report 31 December 2021</a></li></ul>", 1), "", ""},
		{"comment dates are not the article's", page("", "<div class='comments'><p>Reply by Mina on 3 May 2020</p><p>Reply by Jo on 4 May 2020</p><p>Reply by Al on 5 May 2020</p></div>"), "", "2020-05-03 search"},
		{"a bare copyright year is no date", page("", "<footer><p>© 1998-2022 Example Org</p></footer>"), "", ""},
		{"a machine date written with a space", page("", "<div class='x'><time datetime='2021-11-25 16:11'>vor 3 Tagen</time></div>"), "", "2021-11-25 page"},
		{"JSON-LD wrapped in CDATA", page("<script type='application/ld+json'>//<![CDATA[\n{\"@type\":\"NewsArticle\",\"headline\":\"W\",\"datePublished\":\"2021-11-25T10:00:00+01:00\"}\n//]]></script>", ""), "", "2021-11-25 metadata"},
		{"a Romanian byline", page("", "<div>Publicat: 25 noiembrie 2021, 16:11</div>"), "", "2021-11-25 page"},
		{"a German byline, spaced", page("", "<div class='info'>4. 2. 2022 | Redaktion</div>"), "", "2022-02-04 page"},
		// UTC metadata and the day the byline shows its readers.
		{"UTC metadata one day off the byline's day", page(`<meta property="article:published_time" content="2019-10-18T22:04:00Z">`, "<p>Von Claudia Riedler 19. Oktober 2019 00:04 Uhr</p>"), "", "2019-10-19 page"},
		{"UTC metadata on the byline's day", page(`<meta property="article:published_time" content="2019-10-19T08:04:00Z">`, "<p>Von Claudia Riedler 19. Oktober 2019 10:04 Uhr</p>"), "", "2019-10-19 metadata"},
		{"local metadata one day off keeps its day", page(`<meta property="article:published_time" content="2019-10-18T22:04:00+02:00">`, "<p>Von Claudia Riedler 19. Oktober 2019 00:04 Uhr</p>"), "", "2019-10-18 metadata"},
		{"the shown day among the metadata's claims", page(`<meta property="article:published_time" content="2020-02-19T18:37:32+01:00"><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2020-02-18T18:12:26+01:00"}</script>`, "<p class='byline'>Nuño Domínguez | 19 FEB 2020 - 18:37 CET</p>"), "", "2020-02-19 page"},
		{"a republished page keeps its first date", page(`<meta property="article:published_time" content="2017-04-12T18:33:59+02:00"><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2020-02-19"}</script>`, "<p class='byline'>Ophélie Ostermann | Le 19 février 2020</p>"), "", "2017-04-12 metadata"},
		{"a strong byline below the title beats disagreeing metadata", page(`<meta property="article:published_time" content="2020-01-03T09:48:24Z">`, "<p class='date'>Monday, 6 January 2020</p>"), "", "2020-01-06 page"},
		{"a release date shown beats the CMS's", page(`<meta property="article:published_time" content="2016-04-02T10:00:00-04:00">`, "<p>For Immediate Release: March 26, 2016</p>"), "", "2016-03-26 page"},
		{"a recent-news block's dates are other posts'", `<html><body><article><h1>Report security issues</h1><p class="meta">2002-02-01</p><p>Mail security issues to the security team.</p>` +
			`<section><h2><a href="/news/">Recent news</a></h2><article><h3><a href="/news/2026/07/16/ruby-3-3-12/">Ruby 3.3.12 released</a></h3><p>Ruby 3.3.12 is out.</p><p>Posted by hsbt (2026-07-16)</p></article>` +
			`<article><h3><a href="/news/2026/07/14/ruby-4-0-6/">Ruby 4.0.6 released</a></h3><p>Posted by k0kubun (2026-07-14)</p></article></section></article></body></html>`, "", "2002-02-01 page"},
		{"a comment's date never beats the metadata", page(`<meta property="article:published_time" content="2015-12-12T05:00:37+00:00">`, "<ol class='commentlist'><li class='comment'><div class='comment-meta'><time pubdate datetime='2015-12-13T01:10:03+01:00'>13 Dezember, 2015 um 01:10</time></div></li></ol>"), "", "2015-12-12 metadata"},
		// Bad input: defaults and other calendars never become dates.
		{"year 0 metadata", page(`<meta property="article:published_time" content="0000-00-00T00:00:00+00:00"><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"0000-00-00 00:00:00"}</script>`, ""), "", ""},
		{"year 9999", page("", "<p class='date'><time datetime='9999-12-31'>31 December 9999</time></p>"), "", ""},
		{"the Unix epoch", page(`<meta name="date" content="1970-01-01T00:00:00Z">`, "<p class='date'>Posted: 01.01.1970</p>"), "", ""},
		{"zeros", page("", "<p class='date'>Posted: 00.00.0000</p>"), "", ""},
		{"Unix timestamps in data attributes", page(`<meta name="pubdate" content="1507287600">`, "<p class='date' data-timestamp='1507287600' data-utime='1507287600'>Posted</p>"), "", ""},
		{"a Thai Buddhist-era year", page(`<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2560-03-06"}</script>`, "<p class='date'>วันที่ 6 มีนาคม 2560</p><p class='date'>6/3/2560</p>"), "", ""},
		{"a Hijri year", page("", "<p class='date'>1438/06/07</p><p class='date'>7 جمادى الآخرة 1438 هـ</p>"), "", ""},
		{"bad metadata beside a good byline", page(`<meta property="article:published_time" content="0000-00-00T00:00:00+00:00"><meta name="date" content="1970-01-01">`, "<p class='date'>Posted: 4 March 2021</p>"), "", "2021-03-04 page"},
	}
	x := newTestExtractor()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Extract(Page{URL: tt.url, Body: []byte(tt.html)})
			if err != nil {
				t.Fatal(err)
			}
			want, source, _ := strings.Cut(tt.want, " ")
			if got := res.Notice.Date.String(); got != want {
				t.Errorf("date = %q, want %q", got, want)
			}
			if (res.DateSource == "") != (want == "") || (source != "" && res.DateSource != source) {
				t.Errorf("date source = %q for date %q, want %q", res.DateSource, res.Notice.Date, source)
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
