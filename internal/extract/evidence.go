package extract

import (
	"hash/fnv"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/noticekb/noticekb/internal/pubdate"
	"github.com/noticekb/noticekb/internal/verdict"
)

// Kind says what a page is; the verdict package decides it.
type Kind = verdict.Kind

const (
	KindOther  = verdict.Other  // a page that is neither a notice nor a list of notices
	KindNotice = verdict.Notice // one notice
	KindList   = verdict.List   // a list of notices (a board page, an archive page)
)

// judge reads what the page shows of itself and judges it on that alone,
// as `noticekb extract` does; a crawl judges the same evidence again with
// what it knows of the site.
func (pg *page) judge(res *Result, dateSource string) (verdict.Page, verdict.Verdict) {
	p := pg.evidence(res, dateSource)
	return p, verdict.Judge(p, verdict.Site{})
}

// evidence is what the page shows of itself: its markup, a date by its
// heading, its text and links, its template.
func (pg *page) evidence(res *Result, dateSource string) verdict.Page {
	n := res.Notice
	heading := pg.mainHeadingNode()
	t := pg.entries
	p := verdict.Page{
		URL:   pg.addressString(),
		Title: n.Title != "", Words: len(strings.Fields(n.Body)), Enough: enoughText(n.Body),
		LinkShare:        linkShare(n.Body, res.Links),
		ArticleLD:        pg.meta.ld.isArticle,
		OGArticle:        pg.meta.ogType == "article",
		ArticleMicrodata: articleMicrodata(heading),
		ArticleElement:   insideArticle(heading),
		DateSource:       dateSource,
		DateByHeading:    t.byline,
		Teasers:          len(t.headings),
		TeasersFirst:     t.first,
		ItemsFirst:       t.itemsFirst,
		Skeleton:         skeleton(heading, pg.root),
		ContentType:      contentType(heading, pg.root),
	}
	items, dated := map[string]bool{}, map[string]bool{}
	for _, l := range res.Links {
		if l.Item {
			items[l.URL] = true
		}
		if l.Item && l.Dated {
			dated[l.URL] = true
		}
		// A list's pagination names page numbers; "« previous post" and
		// "next post »" lead to articles.
		p.Pager = p.Pager || l.Next && (verdict.ReadURL(l.URL).Paged ||
			isPageNumber(strings.TrimSpace(l.Text)) && strings.HasPrefix(l.URL, sameDocKey(p.URL)))
	}
	p.Items, p.DatedItems = len(items), len(dated)
	switch {
	case pg.noticeURL != nil && pg.noticeURL.MatchString(n.URL):
		p.Rule = verdict.RuleNoticeURL
	case pg.noticeURL != nil:
		p.Rule = verdict.RuleOtherURL
	case pg.rule != nil && pg.rule.body != nil && pg.doc.FindMatcher(pg.rule.body).Length() > 0:
		p.Rule = verdict.RuleLayout
	}
	return p
}

// addressString is the URL the page was published at, or "".
func (pg *page) addressString() string {
	if pg.address == nil {
		return ""
	}
	return pg.address.String()
}

// mainHeadingNode is the element the title was read from when the page
// shows it, else the page's main heading.
func (pg *page) mainHeadingNode() *html.Node {
	if pg.titleNode != nil && inBody(pg.titleNode) {
		return pg.titleNode
	}
	return pg.headingNode
}

// linkShare is how much of the text is the text of content links.
func linkShare(body string, links []Link) float64 {
	total := utf8.RuneCountInString(body)
	if total == 0 {
		return 0
	}
	linked := 0
	seen := map[string]bool{}
	for _, l := range links {
		text := strings.TrimSpace(l.Text)
		if l.Chrome || len(text) < 4 || seen[text] || !strings.Contains(body, text) {
			continue
		}
		seen[text] = true
		linked += utf8.RuneCountInString(text)
	}
	return float64(linked) / float64(total)
}

// teaserSet is the page's headings that link to other pages of the site:
// the entries of a list (an archive's, a category's, an author's), even
// when it holds one.
type teaserSet struct {
	headings []*html.Node
	links    map[string]bool // the URLs they link to
	// byline tells that a date is shown by the page's heading, before
	// any entry; first, that an entry comes before the page has anything
	// of its own; itemsFirst, that a list's item links do.
	byline, first, itemsFirst bool
}

// maxOwnWords is the text a list may show of its own between its heading
// and its first entry (an introduction, a filter's labels).
const maxOwnWords = 30

// sideClass marks the parts of a page whose headings and dates belong to
// other things than the page: navigation, sidebars, related and recent
// posts, comments, footers. Entry headers are not among them.
var sideClass = regexp.MustCompile(`(?i)(^|[\s_-])(nav|navbar|navigation|menu|gnb|lnb|snb|footer|sidebar|widget|widgets|breadcrumbs?|related|recent|popular|more-?news|other-?news|comments?|share|social)($|[\s_-])`)

// teasers finds the headings that link elsewhere on the site, outside
// navigation and sidebars, and tells whether the first comes before any
// text of the page's own.
func (pg *page) teasers(heading *html.Node) teaserSet {
	t := teaserSet{links: map[string]bool{}}
	self := sameDocKey(pg.urlString())
	var visit func(n *html.Node, side, inArticle bool)
	visit = func(n *html.Node, side, inArticle bool) {
		if n.Type == html.ElementNode {
			if invisible[n.DataAtom] || isHidden(n) {
				return
			}
			switch n.DataAtom {
			case atom.Nav, atom.Aside, atom.Footer:
				side = true
			case atom.Header:
				side = side || !inArticle
			case atom.Article:
				inArticle = true
			}
			side = side || sideClass.MatchString(attr(n, "class")+" "+attr(n, "id"))
			if isHeading(n) && n != heading {
				if u := pg.teaserLink(n, self); u != "" && !side {
					t.headings = append(t.headings, n)
					t.links[u] = true
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, side, inArticle)
		}
	}
	visit(pg.root, false, false)
	return t
}

// readEntries settles what the page's entries say once its links are
// marked: whether a date by the heading is the page's own (a byline) or
// the first entry's, whether the entries come first, and then which of
// the list's links are its entries and which of those show dates.
func (pg *page) readEntries(heading *html.Node, links []Link) {
	t := &pg.entries
	t.byline = pg.dateByHeading(heading, *t, pg.entryRows(links))
	t.first = pg.entriesFirst(heading, *t)
	if t.first {
		for i := range links {
			if t.links[links[i].URL] && !links[i].Next {
				links[i].Item = true // an entry's heading
			}
		}
	}
	pg.markDated(links)
	t.itemsFirst = pg.itemsFirst(heading, links)
}

// entryRows counts, for each element holding links that may lead to a
// list's entries (its item links, its entries' headings, content links
// with a title for text), how many distinct pages they lead to.
func (pg *page) entryRows(links []Link) map[*html.Node]int {
	seen := map[*html.Node]map[string]bool{}
	note := func(n *html.Node, u string) {
		for e := n; e != nil && e.Type == html.ElementNode; e = e.Parent {
			if seen[e] == nil {
				seen[e] = map[string]bool{}
			}
			seen[e][u] = true
		}
	}
	for i, l := range links {
		if l.Item || pg.entries.links[l.URL] || !l.Chrome && !l.Next && titleText(l.Text) {
			note(pg.linkNodes[i], l.URL)
		}
	}
	rows := make(map[*html.Node]int, len(seen))
	for n, urls := range seen {
		rows[n] = len(urls)
	}
	return rows
}

// maxRowText bounds the text of a list's row: a title, a date, a line of
// summary.
const maxRowText = 600

// inEntryRow reports whether n stands in a list's row: the nearest element
// around it that holds a link to an entry holds one, a row's worth of text
// and not the page's heading, and stands among siblings like it that hold
// links too (the <li> of a list of cards, the <tr> of a table of press
// releases). An article's body that links to one other post is no row.
func (pg *page) inEntryRow(n, heading *html.Node, rows map[*html.Node]int) bool {
	for e := n; e != nil && e.Type == html.ElementNode; e = e.Parent {
		c := rows[e]
		if c == 0 {
			continue
		}
		s, ok := pg.text().spanOf(e)
		return c == 1 && ok && s.end-s.start <= maxRowText && !contains(e, heading) && similarSibling(e, rows)
	}
	return false
}

// similarSibling reports whether e has a sibling of its tag and class that
// holds links too.
func similarSibling(e *html.Node, rows map[*html.Node]int) bool {
	class := attr(e, "class")
	for _, dir := range []func(*html.Node) *html.Node{
		func(n *html.Node) *html.Node { return n.PrevSibling },
		func(n *html.Node) *html.Node { return n.NextSibling },
	} {
		for sib := dir(e); sib != nil; sib = dir(sib) {
			if sib.Type == html.ElementNode && sib.Data == e.Data && attr(sib, "class") == class && rows[sib] > 0 {
				return true
			}
		}
	}
	return false
}

// entriesFirst tells whether a list's entries come before the page has
// anything of its own: no byline, and no more than a few words between its
// heading and the first entry. An article followed by "recent news" has a
// byline and text of its own first, however short.
func (pg *page) entriesFirst(heading *html.Node, t teaserSet) bool {
	if len(t.headings) == 0 || t.byline {
		return false
	}
	pt := pg.text()
	own := pg.ownStart(heading)
	// The first entry after the page's own start: linked headings above
	// it (a site's name, a bar of top stories) are not its entries.
	var first blockSpan
	after := 0
	for _, th := range t.headings {
		if s, ok := pt.spanOf(th); ok && s.start >= max(own, 0) {
			if after == 0 {
				first = s
			}
			after++
		}
	}
	switch {
	case after == 0:
		return false
	case after == 1 && !pg.datedEntry(first):
		return false // one linked heading without a date: an author's name, a "see also"
	case own < 0:
		return after >= 2
	}
	return len(strings.Fields(pt.text[own:first.start])) <= maxOwnWords
}

// ownStart is where the page's own text starts: after its heading, or
// where its body starts when it has none; -1 when neither is placed.
func (pg *page) ownStart(heading *html.Node) int {
	pt := pg.text()
	if h, ok := pt.spanOf(heading); heading != nil && ok {
		return h.end
	}
	return pg.bodyStart()
}

// itemsFirst tells whether a list's item links start before the page has
// text of its own: a board's rows under its heading, not "related
// articles" after an article's body.
func (pg *page) itemsFirst(heading *html.Node, links []Link) bool {
	pt := pg.text()
	own := pg.ownStart(heading)
	first := -1
	for i, l := range links {
		if !l.Item {
			continue
		}
		if s, ok := pt.spanOf(pg.linkNodes[i]); ok && s.start >= max(own, 0) && (first < 0 || s.start < first) {
			first = s.start
		}
	}
	switch {
	case first < 0:
		return false
	case own < 0:
		return true
	}
	return len(strings.Fields(pt.text[own:first])) <= maxOwnWords
}

// datedEntry tells whether an entry's heading is followed by a date
// within its reach, as an archive's one entry is.
func (pg *page) datedEntry(s blockSpan) bool {
	for _, m := range pg.textDates() {
		if m.Start >= s.start && m.Start-s.end <= datedReach {
			return true
		}
	}
	return false
}

// teaserLink is the URL a heading links to when the heading is mostly
// one link to another page of the site (not its home): an entry's title.
func (pg *page) teaserLink(h *html.Node, self string) string {
	text := inlineText(h)
	if text == "" {
		return ""
	}
	var found string
	var visit func(n *html.Node) bool
	visit = func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			u := pg.resolve(attr(n, "href"))
			lt := inlineText(n)
			if u == "" || 10*utf8.RuneCountInString(lt) < 6*utf8.RuneCountInString(text) {
				return false
			}
			found = u
			return true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if visit(c) {
				return true
			}
		}
		return false
	}
	if !visit(h) || pg.url == nil {
		return ""
	}
	lu, err := url.Parse(found)
	if err != nil || !strings.EqualFold(lu.Hostname(), pg.url.Hostname()) || sameDocKey(found) == self {
		return ""
	}
	if a := verdict.ReadURL(found); a.Home || a.Taxonomy != "" || a.Archive || a.Paged {
		return "" // a link to a list (an author's, a tag's) is no entry
	}
	return found
}

// sameDocKey is a URL without its fragment and trailing slash, so links
// to one page compare equal.
func sameDocKey(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	return strings.TrimSuffix(u, "/")
}

// Places of a date that count as "next to the main heading": in the text
// just after it (its byline), or just before it (a kicker).
const (
	nearAfter  = 400
	nearBefore = 200
)

// dateByHeading tells whether a date is shown next to the main heading,
// outside navigation and sidebars, neither after an entry's heading nor in
// an entry's row (the date under or beside a list's first entry is that
// entry's).
func (pg *page) dateByHeading(heading *html.Node, t teaserSet, rows map[*html.Node]int) bool {
	if heading == nil {
		return false
	}
	pt := pg.text()
	h, ok := pt.spanOf(heading)
	if !ok {
		return false
	}
	var teaserStarts []int
	for _, th := range t.headings {
		if s, ok := pt.spanOf(th); ok {
			teaserStarts = append(teaserStarts, s.start)
		}
	}
	near := func(start, end int) bool {
		switch {
		case start >= h.end && start-h.end <= nearAfter:
			for _, ts := range teaserStarts {
				if ts >= h.end && ts < start {
					return false
				}
			}
			return true
		case end <= h.start && h.start-end <= nearBefore:
			return true
		}
		return false
	}
	now := pg.x.now()
	for _, m := range pg.textDates() {
		if el := pt.elementAt(m.Start); near(m.Start, m.End) && pubdate.Plausible(m.Date, now) && !onSide(el) && !pg.inEntryRow(el, heading, rows) {
			return true
		}
	}
	found := false
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if found {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Time {
			if d, ok := pubdate.Parse(attr(n, "datetime"), pubdate.Auto); ok && pubdate.Plausible(d, now) {
				if s, shown := pt.spanOf(n); shown && near(s.start, s.end) && !onSide(n) && !pg.inEntryRow(n, heading, rows) {
					found = true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(pg.root)
	return found
}

// onSide reports whether n sits in navigation, a sidebar, a footer or a
// block of related or recent posts.
func onSide(n *html.Node) bool {
	for e := n; e != nil && e.Type == html.ElementNode; e = e.Parent {
		switch e.DataAtom {
		case atom.Nav, atom.Aside, atom.Footer:
			return true
		case atom.Body:
			return false
		}
		if sideClass.MatchString(attr(e, "class") + " " + attr(e, "id")) {
			return true
		}
	}
	return false
}

// articleMicrodata reports whether microdata or RDFa around the heading
// says it is an article's (itemtype or typeof BlogPosting, NewsArticle…).
func articleMicrodata(heading *html.Node) bool {
	for e := heading; e != nil && e.Type == html.ElementNode; e = e.Parent {
		for _, key := range []string{"itemtype", "typeof"} {
			for _, t := range strings.Fields(attr(e, key)) {
				name := t[strings.LastIndexAny(t, "/:#")+1:]
				if articleTypes[strings.ToLower(name)] {
					return true
				}
			}
		}
	}
	return false
}

// insideArticle reports whether the heading stands in an <article>.
func insideArticle(heading *html.Node) bool {
	for e := heading; e != nil; e = e.Parent {
		if e.Type == html.ElementNode && e.DataAtom == atom.Article {
			return true
		}
	}
	return false
}

// contentType reads what the site's CMS calls the page from the classes
// it writes on <body> and on the elements holding the main heading:
// WordPress (body "single-post", "page page-id-N"; the entry's "type-post",
// "type-page"), Drupal ("page-node-type-article", "node--type-page";
// Drupal 7's "node-type-page") and
// Ghost ("post-template", "page-template"). Only whole class names count:
// Drupal's "page-node-type-page-press" is some other type.
func contentType(heading, root *html.Node) string {
	var classes []string
	if body := findBody(root); body != nil {
		classes = strings.Fields(attr(body, "class"))
	}
	for e := heading; e != nil && e.Type == html.ElementNode && e.DataAtom != atom.Body; e = e.Parent {
		classes = append(classes, strings.Fields(attr(e, "class"))...)
	}
	wordpressPage := slices.Contains(classes, "page") && slices.ContainsFunc(classes, func(c string) bool {
		return strings.HasPrefix(c, "page-id-")
	})
	for _, c := range classes {
		switch c {
		case "single-post", "type-post", "post-template", "page-node-type-article", "node--type-article", "node-type-article":
			return verdict.ContentPost
		}
	}
	for _, c := range classes {
		switch c {
		case "type-page", "page-template", "page-node-type-page", "node--type-page", "node-type-page":
			return verdict.ContentStatic
		}
	}
	if wordpressPage {
		return verdict.ContentStatic
	}
	return ""
}

// skeleton names the page's template by its markup: the tags, ids and
// classes from <body> down to the main heading, without the parts that
// differ from page to page (numbers, a post's own taxonomy classes). Pages
// of one layout share it; an archive and a post of the same site do not.
func skeleton(heading, root *html.Node) string {
	var path []string
	for e := heading; e != nil && e.Type == html.ElementNode; e = e.Parent {
		path = append(path, elementShape(e))
		if e.DataAtom == atom.Body {
			break
		}
	}
	if heading == nil {
		path = append(path, "no-heading")
		if body := findBody(root); body != nil {
			path = append(path, elementShape(body))
		}
	}
	h := fnv.New32a()
	for i := len(path) - 1; i >= 0; i-- {
		h.Write([]byte(path[i]))
		h.Write([]byte{'>'})
	}
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

func elementShape(e *html.Node) string {
	var b strings.Builder
	b.WriteString(e.Data)
	if id := attr(e, "id"); id != "" && !strings.ContainsAny(id, "0123456789") {
		b.WriteString("#" + id)
	}
	for _, c := range strings.Fields(attr(e, "class")) {
		if strings.ContainsAny(c, "0123456789") || postClass.MatchString(c) || strings.HasPrefix(c, "single-format-") {
			continue
		}
		b.WriteString("." + c)
	}
	return b.String()
}

func findBody(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == atom.Body {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if b := findBody(c); b != nil {
			return b
		}
	}
	return nil
}

// datedReach is how far from an entry's link its date may stand.
const datedReach = 300

// markDated marks a list's links to its entries that the list shows with
// a date: one between the entry's link and its neighbours'. A list whose
// entries carry dates is a list of notices; a directory of services is not.
func (pg *page) markDated(out []Link) {
	type entry struct {
		url  string
		span blockSpan
	}
	pt := pg.text()
	var entries []entry
	for i := range out {
		if !out[i].Item {
			continue
		}
		s, ok := pt.spanOf(pg.linkNodes[i])
		if !ok {
			continue
		}
		if n := len(entries); n > 0 && entries[n-1].url == out[i].URL {
			entries[n-1].span.end = max(entries[n-1].span.end, s.end) // "read more" after the title
			continue
		}
		entries = append(entries, entry{out[i].URL, s})
	}
	dated := map[string]bool{}
	dates := pg.textDates()
	for k, e := range entries {
		from, to := e.span.start-datedReach, e.span.end+datedReach
		if k > 0 {
			from = max(from, entries[k-1].span.end)
		}
		if k+1 < len(entries) {
			to = min(to, entries[k+1].span.start)
		}
		for _, m := range dates {
			if m.Start >= from && m.End <= to {
				dated[e.url] = true
				break
			}
		}
	}
	for i := range out {
		out[i].Dated = out[i].Item && dated[out[i].URL]
	}
}
