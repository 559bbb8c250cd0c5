package extract

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Link is one outgoing link of a page.
type Link struct {
	URL  string
	Text string
	// Item marks a link from a list to one of its notices.
	Item bool
	// Next marks a link to another page of the same list (pagination).
	Next bool
	// Chrome marks a link in navigation, header, footer or sidebar.
	Chrome bool
	// Dated marks a list's link to one of its notices shown with a date.
	Dated bool
}

const (
	minItemLinks    = 5  // distinct notice links that make a page a list
	minNoticeWords  = 25 // words of text a notice has at least
	minNoticeRunes  = 60 // the same for scripts without spaces
	minItemTextRune = 12 // anchor text of a notice link (a title, not "more")
)

func enoughText(body string) bool {
	return len(strings.Fields(body)) >= minNoticeWords || utf8.RuneCountInString(body) >= minNoticeRunes*3 ||
		(utf8.RuneCountInString(body) >= minNoticeRunes && !strings.ContainsFunc(body, unicode.IsSpace))
}

// chromeElements hold site navigation rather than content.
var chromeClass = regexp.MustCompile(`(?i)(^|[\s_-])(nav|navbar|menu|gnb|lnb|snb|header|footer|sidebar|widget|breadcrumbs?|skip|tnb|ft|hd|location)($|[\s_-])`)

// pagerClass marks containers of pagination links.
var pagerClass = regexp.MustCompile(`(?i)pag(e|ing|inat)|pager|page-numbers|nav-links|paginate`)

// nextTexts are the anchor texts of pagination links; the previous page
// counts too, since the last page of a list may only link back.
var nextTexts = map[string]bool{
	"next": true, "next page": true, "›": true, "»": true, ">": true, ">>": true,
	"다음": true, "다음 페이지": true, "older posts": true, "older entries": true,
	"next »": true, "next ›": true, "next >": true, "→": true, "suivant": true,
	"weiter": true, "siguiente": true, "次へ": true, "下一页": true,
	"prev": true, "previous": true, "previous page": true, "‹": true, "«": true, "<": true, "<<": true,
	"이전": true, "이전 페이지": true, "newer": true, "older": true, "newer posts": true, "newer entries": true,
	"« previous": true, "‹ prev": true, "< prev": true, "← ": true, "←": true,
}

type rawLink struct {
	node         *html.Node
	url, text    string
	chrome       bool
	pager        bool
	relNext      bool
	ruleItem     bool
	ruleNextPage bool
}

// links lists the page's outgoing links, marking pagination, then a
// list's links to its notices.
func (pg *page) links() []Link {
	raws, ruleItems := pg.rawLinks()
	out, pager := pg.markNext(raws)
	pg.markItems(raws, out, pager, len(ruleItems) > 0)
	pg.linkNodes = make([]*html.Node, len(raws))
	for i, r := range raws {
		pg.linkNodes[i] = r.node
	}
	return out
}

// rawLinks walks the page for its links, noting for each whether it is in
// the site's chrome or a pager, and what the site's rule says of it. It
// also returns the links the rule names as a list's items.
func (pg *page) rawLinks() ([]rawLink, map[*html.Node]bool) {
	var raws []rawLink
	var ruleItems, ruleNext map[*html.Node]bool
	if pg.rule != nil && pg.rule.listLinks != nil {
		ruleItems = nodeSet(pg.doc.FindMatcher(pg.rule.listLinks).Nodes)
	}
	if pg.rule != nil && pg.rule.nextPage != nil {
		ruleNext = nodeSet(pg.doc.FindMatcher(pg.rule.nextPage).Nodes)
	}
	var visit func(n *html.Node, chrome, pager bool)
	visit = func(n *html.Node, chrome, pager bool) {
		if n.Type == html.ElementNode {
			if invisible[n.DataAtom] && n.DataAtom != atom.Head {
				return
			}
			label := attr(n, "class") + " " + attr(n, "id")
			switch n.DataAtom {
			case atom.Nav, atom.Header, atom.Footer, atom.Aside:
				chrome = true
			}
			if chromeClass.MatchString(label) {
				chrome = true
			}
			if pagerClass.MatchString(label) {
				pager = true
			}
			if n.DataAtom == atom.A || n.DataAtom == atom.Area {
				if u := pg.resolve(attr(n, "href")); u != "" {
					rel := strings.ToLower(attr(n, "rel"))
					raws = append(raws, rawLink{
						node: n, url: u, text: inlineText(n), chrome: chrome, pager: pager || pagerClass.MatchString(label),
						relNext:  strings.Contains(rel, "next") || strings.Contains(rel, "prev"),
						ruleItem: ruleItems[n], ruleNextPage: ruleNext[n],
					})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, chrome, pager)
		}
	}
	visit(pg.root, false, false)
	return raws, ruleItems
}

// markNext makes the page's links, marking pagination: by the site's rule,
// rel=next/prev, or a "next" or page-number text in a pager or at a URL of
// the page's own shape. It reports whether the page has a pager.
func (pg *page) markNext(raws []rawLink) ([]Link, bool) {
	ownShape, self := "", ""
	if pg.url != nil {
		ownShape, self = shape(pg.url), sameDocKey(pg.urlString())
	}
	out := make([]Link, 0, len(raws))
	pager := false
	for _, r := range raws {
		u, _ := url.Parse(r.url)
		text := strings.ToLower(strings.TrimSpace(r.text))
		l := Link{URL: r.url, Text: r.text, Chrome: r.chrome}
		// A link to the page itself (a footnote's "1") is no other page.
		l.Next = sameDocKey(r.url) != self && (r.ruleNextPage || (r.relNext && !r.chrome) ||
			(r.pager && (nextTexts[text] || isPageNumber(text))) ||
			(!r.chrome && ownShape != "" && shape(u) == ownShape && (nextTexts[text] || isPageNumber(text))))
		pager = pager || l.Next
		out = append(out, l)
	}
	return out, pager
}

// markItems marks a list's links to its notices: those the site's rule
// names (list_links, else notice_url), or else content links with a
// title for their text at URLs of one shape. Five of them make a list;
// with pagination, the short last page of a list needs only two.
func (pg *page) markItems(raws []rawLink, out []Link, pager, ruleDecides bool) {
	minGroup := minItemLinks
	if pager {
		minGroup = 2
	}
	if !ruleDecides && pg.noticeURL != nil {
		for i := range raws {
			raws[i].ruleItem = !raws[i].chrome && pg.noticeURL.MatchString(raws[i].url)
			ruleDecides = ruleDecides || raws[i].ruleItem
		}
	}
	itemShapes := pg.itemShapes(raws, out, minGroup, ruleDecides)
	for i, r := range raws {
		switch {
		case ruleDecides:
			out[i].Item = r.ruleItem
		case !out[i].Next && !r.chrome && titleText(r.text):
			u, _ := url.Parse(r.url)
			out[i].Item = itemShapes[shape(u)]
		}
	}
}

// titleText reports whether a link's text reads as a title: long enough,
// and not an address ("https://…/ruby-2.1.1.tar.bz2" in a release note).
func titleText(text string) bool {
	t := strings.TrimSpace(text)
	return utf8.RuneCountInString(t) >= minItemTextRune && !strings.Contains(t, "://") && !strings.HasPrefix(strings.ToLower(t), "www.")
}

func nodeSet(nodes []*html.Node) map[*html.Node]bool {
	set := make(map[*html.Node]bool, len(nodes))
	for _, n := range nodes {
		set[n] = true
	}
	return set
}

func isPageNumber(s string) bool {
	s = strings.Trim(s, "[]() ")
	if s == "" || len(s) > 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// itemShapes finds the URL shapes of notice links: among content links
// with title-like text that are not pagination, the shapes that at least
// minGroup distinct URLs share.
func (pg *page) itemShapes(raws []rawLink, links []Link, minGroup int, ruleDecides bool) map[string]bool {
	shapes := map[string]bool{}
	if ruleDecides {
		return shapes
	}
	distinct := map[string]map[string]bool{}
	for i, r := range raws {
		if r.chrome || links[i].Next || !titleText(r.text) {
			continue
		}
		u, err := url.Parse(r.url)
		if err != nil {
			continue
		}
		s := shape(u)
		if distinct[s] == nil {
			distinct[s] = map[string]bool{}
		}
		distinct[s][r.url] = true
	}
	for s, urls := range distinct {
		if len(urls) >= minGroup {
			shapes[s] = true
		}
	}
	return shapes
}

var digits = regexp.MustCompile(`\d+`)

// shape abstracts a URL to its pattern: digits become #, slug-like path
// segments become *, query values with digits become #, and tracking
// parameters are ignored. /news/2017/08/09/some-title/ and
// /news/2018/01/02/other-title/ share a shape.
func shape(u *url.URL) string {
	if u == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(u.Host))
	for _, seg := range strings.Split(u.Path, "/") {
		b.WriteByte('/')
		switch {
		case strings.Count(seg, "-") >= 2 || len(seg) > 40:
			b.WriteString("*")
		default:
			b.WriteString(digits.ReplaceAllString(seg, "#"))
		}
	}
	q := u.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || lk == "fbclid" || lk == "gclid" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := q.Get(k)
		b.WriteString("&" + k + "=")
		b.WriteString(digits.ReplaceAllString(v, "#"))
	}
	return b.String()
}
