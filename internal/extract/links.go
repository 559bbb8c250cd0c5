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
}

// Evidence names for Result.Evidence.
const (
	EvidenceRule    = "rule"
	EvidenceArticle = "article-markup"
	EvidenceDate    = "date"
	EvidenceText    = "text"
)

// Substantial reports whether the page holds enough text with a title to
// be a notice even without a date or article markup. Importers of files a
// user chose, and crawlers that reached the page from a list, take such
// pages as notices; a crawler wandering a site does not.
func (r *Result) Substantial() bool {
	for _, e := range r.Evidence {
		if e == EvidenceText {
			return true
		}
	}
	return false
}

const (
	minItemLinks    = 5  // distinct notice links that make a page a list
	minNoticeWords  = 25 // words of text a notice has at least
	minNoticeRunes  = 60 // the same for scripts without spaces
	minItemTextRune = 12 // anchor text of a notice link (a title, not "more")
)

// kind decides what the page is, and why.
func (pg *page) kind(res *Result, dateSource string) (Kind, []string) {
	items := map[string]bool{}
	for _, l := range res.Links {
		if l.Item {
			items[l.URL] = true
		}
	}
	pager := false
	for _, l := range res.Links {
		pager = pager || l.Next
	}
	ruleBody := pg.rule != nil && pg.rule.body != nil && pg.doc.FindMatcher(pg.rule.body).Length() > 0
	n := res.Notice
	if pg.noticeURL != nil {
		// The site's rules say which addresses are notices.
		if !pg.noticeURL.MatchString(res.Notice.URL) {
			if len(items) > 0 {
				return KindList, nil
			}
			return KindOther, nil
		}
		if n.Title == "" || !enoughText(n.Body) {
			return KindOther, nil
		}
		return KindNotice, []string{EvidenceRule, EvidenceText}
	}
	// A page that declares itself an article and has an article's text is
	// one, even with a "more news" block of five notice links below it.
	article := (pg.meta.ld.isArticle || pg.meta.ogType == "article") && n.Title != "" && enoughText(n.Body)
	if !ruleBody && !article && (len(items) >= minItemLinks || (pager && len(items) >= 2)) {
		return KindList, nil
	}
	if n.Title == "" || !enoughText(n.Body) {
		return KindOther, nil
	}
	var evidence []string
	if ruleBody {
		evidence = append(evidence, EvidenceRule)
	}
	if article {
		evidence = append(evidence, EvidenceArticle)
	}
	if dateSource != "" && dateSource != dateFromTitle && dateSource != dateFromURL && dateSource != dateFromSearch && dateSource != dateFromUpdate {
		evidence = append(evidence, EvidenceDate)
	}
	if len(evidence) == 0 {
		return KindOther, []string{EvidenceText}
	}
	return KindNotice, append(evidence, EvidenceText)
}

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
						url: u, text: inlineText(n), chrome: chrome, pager: pager || pagerClass.MatchString(label),
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
	ownShape := ""
	if pg.url != nil {
		ownShape = shape(pg.url)
	}
	out := make([]Link, 0, len(raws))
	pager := false
	for _, r := range raws {
		u, _ := url.Parse(r.url)
		text := strings.ToLower(strings.TrimSpace(r.text))
		l := Link{URL: r.url, Text: r.text, Chrome: r.chrome}
		l.Next = r.ruleNextPage || (r.relNext && !r.chrome) ||
			(r.pager && (nextTexts[text] || isPageNumber(text))) ||
			(!r.chrome && ownShape != "" && shape(u) == ownShape && (nextTexts[text] || isPageNumber(text)))
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
		case !out[i].Next && !r.chrome && utf8.RuneCountInString(r.text) >= minItemTextRune:
			u, _ := url.Parse(r.url)
			out[i].Item = itemShapes[shape(u)]
		}
	}
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
		if r.chrome || links[i].Next || utf8.RuneCountInString(r.text) < minItemTextRune {
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
