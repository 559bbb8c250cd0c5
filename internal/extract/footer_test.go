package extract

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

const siteFooter = `<div id="footer"><ul class="f_menu"><li><a href="/contact">Contact Us</a></li></ul>
<address>1 Governance Avenue, Yeonsu-gu, Incheon 21984, Republic of Korea / Tel. +82-32-000-0000</address>
<p class="copy">Copyright &copy; United Nations Project Office on Governance. All rights reserved.</p>
<p class="note">This is a website of the office; all rights to its notices are reserved by their authors.</p></div>`

// A page whose only prose is its footer (a newsletter issue: a greeting
// and three links) is not a notice, and the footer's lines never end up
// in a notice's body.
func TestFooterIsNeverTheBody(t *testing.T) {
	x := New(Options{Now: fixedNow})
	newsletter := `<html><head><title>Newsletter October 2023</title></head><body><div id="contents">
		<h3>Newsletter – October 2023</h3><p>Dear partners, here are the highlights of the month.</p><ul>
		<li><a href="/n/615">Registration for the Regional Symposium on Policy Coherence Closes on October 23, 2023</a></li>
		<li><a href="/n/616">UNPOG Participates in the 2023 Asia-Pacific Symposium on Smart Cities</a></li></ul></div>` + siteFooter + `</body></html>`
	res, err := x.Extract(Page{URL: "https://unpog.example/newsletter/2023-10.html", Body: []byte(newsletter)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind == KindNotice || strings.Contains(res.Notice.Body, "Governance Avenue") {
		t.Errorf("newsletter: kind %v, body %q", res.Kind, res.Notice.Body)
	}

	story := strings.Repeat("The office and the ministry agreed to work together on digital government services for citizens. ", 6)
	notice := `<html><head><title>Agreement signed</title></head><body><div id="contents"><h1>Agreement signed</h1>
		<p class="date">2023-10-05</p><p>` + story + `</p></div>` + siteFooter + `</body></html>`
	res, err = x.Extract(Page{URL: "https://unpog.example/n/1", Body: []byte(notice)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindNotice || !strings.Contains(res.Notice.Body, "agreed to work together") {
		t.Fatalf("notice: kind %v, body %q", res.Kind, res.Notice.Body)
	}
	for _, line := range []string{"Governance Avenue", "Copyright", "all rights to its notices"} {
		if strings.Contains(res.Notice.Body, line) {
			t.Errorf("the notice's body has the footer's %q:\n%s", line, res.Notice.Body)
		}
	}
}

func TestIsFooterIgnoresOuterElementsAndMainContent(t *testing.T) {
	for _, tt := range []struct {
		html string
		want bool
	}{
		{`<footer><p>x</p></footer>`, true},
		{`<div class="site-footer"><p>x</p></div>`, true},
		{`<div id="ft"><p>x</p></div>`, true},
		{`<div class="footnote"><p>x</p></div>`, false},
		{`<div class="copy"><p>x</p></div>`, false},
		{`<div class="left"><p>x</p></div>`, false},
		{`<div class="footer-wrap"><h1>Title</h1><p>x</p></div>`, false},
		{`<article class="post has-footer"><p>x</p></article>`, false},
	} {
		doc := parseHTMLFragment(t, tt.html)
		if got := isFooter(doc); got != tt.want {
			t.Errorf("isFooter(%s) = %v, want %v", tt.html, got, tt.want)
		}
	}
}

// parseHTMLFragment returns the first element of a fragment in a body.
func parseHTMLFragment(t *testing.T, fragment string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader("<html><body>" + fragment + "</body></html>"))
	if err != nil {
		t.Fatal(err)
	}
	body := doc.FirstChild.LastChild // <html> → <body>
	for n := body.FirstChild; n != nil; n = n.NextSibling {
		if n.Type == html.ElementNode {
			return n
		}
	}
	t.Fatal("no element")
	return nil
}

// A paragraph that starts with "Copyright" is text; a short copyright
// notice at either end of the text is not.
func TestCopyrightParagraphIsText(t *testing.T) {
	para := "Copyright protection became necessary with the invention of the printing press and had its early beginnings in the British censorship laws. The fortunes of the law of copyright have always been closely connected with freedom of expression."
	for _, tt := range []struct{ name, html string }{
		{"alone", "<html><head><title>An Unhurried View of Copyright</title></head><body><article><h1>An Unhurried View of Copyright</h1><p>" + para + "</p></article></body></html>"},
		{"last, after a notice", "<html><body><article><h1>An Unhurried View of Copyright</h1><p>Some first words of the text, long enough to be a paragraph of it.</p><p>" + para + "</p><p>© 2021 UNPOG. All rights reserved.</p></article></body></html>"},
		{"first, before a table layout's text", "<html><body><table><tr><td><b>An Unhurried View of Copyright</b></td></tr><tr><td>" + para + "</td></tr><tr><td>Copyright © 2021 UNPOG</td></tr></table></body></html>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := newTestExtractor().Extract(Page{Body: []byte(tt.html)})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.Notice.Body, "Copyright protection became necessary") {
				t.Errorf("the paragraph was dropped: body %q", res.Notice.Body)
			}
			if strings.Contains(res.Notice.Body, "All rights reserved") || strings.Contains(res.Notice.Body, "© 2021") {
				t.Errorf("the copyright notice was kept: body %q", res.Notice.Body)
			}
		})
	}
}

// A very short page's text does not start with its title again, though
// the generic extractor runs the heading into the text.
func TestShortPageTextWithoutTitle(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"In this article the principal experiments in automatic text analysis are briefly reviewed.", "In this article the principal experiments in automatic text analysis are briefly reviewed."},
		{"is a field that grew out of information retrieval, and it is briefly reviewed here.", "Automatic Text Analysis is a field that grew out of information retrieval, and it is briefly reviewed here."},
	} {
		page := "<html><head><title>Automatic Text Analysis</title></head><body><article><h1>Automatic Text Analysis</h1><p>" + tt.text + "</p></article></body></html>"
		res, err := newTestExtractor().Extract(Page{Body: []byte(page)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Notice.Title != "Automatic Text Analysis" || res.Notice.Body != tt.want {
			t.Errorf("title %q, body %q; want body %q", res.Notice.Title, res.Notice.Body, tt.want)
		}
	}
}
