package extract

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/pubdate"
)

// Dates shown on a page are scored by what surrounds them: a publication
// label, the classes of their element, their place next to the title and
// the body, whether they stand on a line of their own or in a sentence,
// and whether they are one of a list's many.

// shownDate is a date shown on the page, with how strongly the page says
// it is the publication date.
type shownDate struct {
	date  notice.Date
	start int
	score int
	// labelled dates have a publication label next to them.
	labelled bool
	// chrome dates stand in a place whose dates belong to other things
	// (comments, sidebars, navigation, lists of other articles).
	chrome bool
	// belowTitle dates stand just below the title, where bylines are.
	belowTitle bool
	// updated dates have an update label nearer before them than any
	// publication label: they are never taken for the publication date.
	updated bool
	// others' dates stand in an item of a list of other articles, or
	// under another article's heading.
	others bool
}

// Labels written before a date. An update label nearer the date than any
// publication label disqualifies it.
var (
	publicationLabel = regexp.MustCompile(`(?i)(for immediate release|release date|date of release|published|posted|submitted|gespeichert|eingestellt|erschienen|입력|기사입력|등록|작성|publication date|date of publication|issued|released|erstellt|veröffentlicht|publiziert|gepostet|publié|mis en ligne|publicado|publicada|pubblicato|publicat\b|data publicării|gepubliceerd|geplaatst|opublikowano|publikováno|опубликовано|게시일|發布|发布|發表|发表|投稿日|公開日|掲載日)`)
	dateWordLabel    = regexp.MustCompile(`(?i)(^|[^\p{L}])(date|dated|datum|fecha|data|дата|날짜|日期|日付)\s*[:：]?\s*$`)
	updatedLabel     = regexp.MustCompile(`(?i)(updated|modified|revised|edited|last edit|aktualisiert|geändert|zuletzt|mis à jour|modifié|actualizado|actualización|aggiornato|actualizat|bijgewerkt|zaktualizowano|обновлено|обновлен|수정|변경|更新)`)
	// publicationAfter are labels written after the date ("am 19. Mai 2010 gepostet").
	publicationAfter = regexp.MustCompile(`(?i)^[^\n]{0,30}(gepostet|veröffentlicht|publiziert|erstellt)`)
)

// Classes and ids of elements that show dates.
var (
	publishedClass = regexp.MustCompile(`(?i)publish|posted|post-date|postdate|entry-date|created|submitted|erstellt|pubdate|date-?line|article-date|news-date|story-date|itemprop:datepublished`)
	dateClass      = regexp.MustCompile(`(?i)date|time|datum|fecha|meta|byline|author|autor|info|stamp|when|regdate|wr_date|작성|등록`)
	updatedClass   = regexp.MustCompile(`(?i)updated|modified|edited|revised|lastmod`)
	// chromeDateClass marks places whose dates belong to other things:
	// comments, sidebars, lists of other articles, calendars, footers.
	chromeDateClass = regexp.MustCompile(`(?i)(^|[\s_-])(comments?|commentlist|reply|replies|sidebar|related|recommend(ed|ations?)?|popular|most-?read|mostviewed|teasers?|more-?news|other-?news|latest|recent|calendar|archives?|footer|breadcrumbs?|ticker|nav|navbar|navigation|menu|share|sharing|social|tagcloud|promo|adverts?|advertisement)($|[\s_-])`)
)

// shownDates lists the plausible dates shown on the page, each scored,
// leaving out update dates.
func (pg *page) shownDates(order pubdate.Order, now time.Time) []shownDate {
	all := pg.allShownDates(order, now)
	out := all[:0:0]
	for _, d := range all {
		if !d.updated {
			out = append(out, d)
		}
	}
	return out
}

// allShownDates lists the plausible dates shown on the page, each scored,
// update dates included. Several date steps read them: they are scored
// once per page (the order and the clock are the page's throughout).
func (pg *page) allShownDates(order pubdate.Order, now time.Time) []shownDate {
	if pg.shown == nil {
		pg.shown = pg.scoreShownDates(order, now)
		if pg.shown == nil {
			pg.shown = []shownDate{}
		}
	}
	return pg.shown
}

// scoreShownDates finds and scores the dates shown on the page.
func (pg *page) scoreShownDates(order pubdate.Order, now time.Time) []shownDate {
	pt := pg.text()
	where := placeOf{bodyStart: pg.bodyStart()}
	where.title, where.hasTitle = pg.titleSpan()
	hasTitle := where.hasTitle
	matches := make([]pubdate.Match, len(pg.textDates()))
	listCount := map[string]int{}
	sigs := make([]string, len(matches))
	for i, m := range pg.textDates() {
		matches[i] = m.As(order)
		if el := pt.elementAt(m.Start); el != nil {
			sigs[i] = signature(el)
			listCount[sigs[i]]++
		}
	}
	var out []shownDate
	for i, m := range matches {
		el := pt.elementAt(m.Start)
		if el == nil || !pubdate.Plausible(m.Date, now) {
			continue
		}
		label, notUpdate := labelScore(pt.text, m)
		class, chrome := classScore(el)
		score := label + class
		other := pg.underOtherItem(m.Start)
		if other {
			where.hasTitle = false // no bonus for standing near a title that is not its own
		}
		score += where.score(pt.text, m, label, score)
		where.hasTitle = hasTitle
		if listCount[sigs[i]] >= 3 {
			score -= 2 // one of many alike: a list of other items
		}
		if other {
			score -= 3
		}
		out = append(out, shownDate{date: m.Date, start: m.Start, score: score, labelled: label >= 3,
			chrome: other || pg.inChrome(chrome), belowTitle: !other && where.below(m.Start), updated: !notUpdate,
			others: other || pg.inOtherItem(el)})
	}
	return append(out, pg.timeElementDates(order, now)...)
}

// placeOf knows where the title and the body stand in the page text.
type placeOf struct {
	title     blockSpan
	hasTitle  bool
	bodyStart int
}

// below reports whether offset at stands just below the title.
func (p placeOf) below(at int) bool {
	return p.hasTitle && at >= p.title.end && at-p.title.end <= 250
}

// score weighs where a date stands: on a short line of its own or inside
// a sentence, in the title, just below or above it, just above the body or
// as the body's dateline, after a preposition in prose. label is the
// date's label score, evidence its label and class scores together.
func (p placeOf) score(text string, m pubdate.Match, label, evidence int) int {
	score := 0
	from, to := lineAround(text, m.Start, m.End)
	switch line := to - from; {
	case line <= 80:
		score++
	case line > 200 && evidence < 4:
		score -= 3 // a date inside a sentence is what the text is about
	}
	if p.hasTitle {
		switch t := p.title; {
		case m.Start >= t.start && m.End <= t.end:
			score -= 3 // a date in the title is the event's
		case m.Start >= t.end && m.Start-t.end <= 250:
			score += 3
		case m.Start >= t.end && m.Start-t.end <= 600:
			score++
		case m.End <= t.start && t.start-m.End <= 250:
			score += 2
		}
	}
	switch b := p.bodyStart; {
	case b >= 0 && m.Start < b && b-m.Start <= 400:
		score++
	case b >= 0 && m.Start >= b && m.Start-b <= 300 && m.Start-from <= 25 && datelineEnd.MatchString(text[m.End:min(to, m.End+4)]):
		score += 2 // a dateline: "BERLIN, 27.1.2022 – The ..."
	}
	if label < 3 && to-from > 80 && prepositionBefore.MatchString(text[max(from, m.Start-12):m.Start]) {
		score -= 2 // "On 1 January 2009, the office held ...": what the text tells of
	}
	return score
}

// labelScore weighs the words around a date: a publication label before
// or after it, a bare "Date:" label. It reports false when an update label
// stands nearer before the date than any publication label.
func labelScore(text string, m pubdate.Match) (int, bool) {
	from := max(0, m.Start-48)
	if nl := strings.LastIndexByte(text[from:m.Start], '\n'); nl >= 0 {
		from += nl + 1
	}
	before := text[from:m.Start]
	pub := lastIndex(publicationLabel, before)
	if upd := lastIndex(updatedLabel, before); upd >= 0 && upd >= pub {
		return 0, false
	}
	after := text[m.End:min(len(text), m.End+40)]
	if pub >= 0 && inProse(text, m, from+pub) {
		pub = -1 // "Mercurial 5.2 was released on November 5, 2019."
	}
	switch {
	case pub >= 0:
		return 4, true
	case dateWordLabel.MatchString(before):
		return 3, true
	case publicationAfter.MatchString(after):
		return 3, true
	case bylineBefore.MatchString(text[max(0, m.Start-80):m.Start]) || bylineAfter.MatchString(after):
		return 2, true // dates next to the author's name are the article's
	}
	return 0, true
}

var (
	// datelineEnd follows the date of a news dateline.
	datelineEnd = regexp.MustCompile(`^\s*[-–—:|(]`)
	// prepositionBefore precedes dates that prose tells of.
	prepositionBefore = regexp.MustCompile(`(?i)(^|[^\p{L}])(on|at|from|until|till|by|before|after|since|between|and|am|vom|bis|seit|le|du|au|depuis|el|del|desde|il|dal|op|van|sur)\s+$`)
)

// Author bylines next to a date: "By Jane Doe | 4 May 2020", "Von Claudia
// Lindner\n27.1.2022", "23.01.2019\nBy Urs Gehriger".
var (
	bylineBefore = regexp.MustCompile(`(^|\n)[^\S\n]*(?i:by|von|par|por|door|av|przez|автор:?)\s+\p{Lu}[^\n]{1,50}\n?[^\S\n]*[|·•,–-]?[^\S\n]*$`)
	bylineAfter  = regexp.MustCompile(`^[^\S\n]*\n?[^\S\n]*[|·•,–-]?[^\S\n]*(?i:by|von|par|por|door)\s+\p{Lu}`)
)

// inProse reports whether a label at offset at, before date m, is a word
// of a long sentence rather than a label: not at the start of a long line.
func inProse(text string, m pubdate.Match, at int) bool {
	lineStart := strings.LastIndexByte(text[:m.Start], '\n') + 1
	lineEnd := strings.IndexByte(text[m.End:], '\n')
	if lineEnd < 0 {
		lineEnd = len(text) - m.End
	}
	return lineEnd+m.End-lineStart > 120 && at-lineStart > 3
}

func lastIndex(re *regexp.Regexp, s string) int {
	locs := re.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return -1
	}
	return locs[len(locs)-1][0]
}

// classScore weighs the element holding a date and its near ancestors:
// classes that say "published" or "date", and places whose dates belong to
// other things, the nearest of which it returns as chrome (a footer is
// only weighed: many themes put the post's byline in an article's
// <footer>).
func classScore(el *html.Node) (score int, chrome *html.Node) {
	marked := false
	for e, depth := el, 0; e != nil && e.Type == html.ElementNode; e, depth = e.Parent, depth+1 {
		if e.DataAtom == atom.Body || e.DataAtom == atom.Html {
			break // their classes describe the page, not a part of it
		}
		label := elementLabel(e)
		if e.DataAtom == atom.Time && depth == 0 {
			score++
		}
		if depth <= 3 && !marked {
			// An element that says it holds the date ("nav meta") is
			// taken at its word before its other classes.
			switch {
			case publishedClass.MatchString(label):
				score, marked = score+4, true
				continue
			case updatedClass.MatchString(label) && dateClass.MatchString(updatedClass.ReplaceAllString(label, "")):
				// "entry-date updated": hAtom themes mark the publication
				// date "updated" too; a weak sign either way.
				score, marked = score+1, true
				continue
			case updatedClass.MatchString(label):
				score, marked = score-4, true
				continue
			case dateClass.MatchString(label):
				score, marked = score+2, true
				continue
			}
		}
		switch e.DataAtom {
		case atom.Nav, atom.Aside:
			return score - 3, e
		case atom.Footer:
			return score - 3, nil
		}
		if chromeDateClass.MatchString(label) {
			return score - 3, e
		}
	}
	return score, nil
}

// underOtherItem reports whether the text at offset at stands under a
// heading that links to another page, after the page's own title: the
// date of an item in a list of other articles ("Recent news", "최근 소식",
// "Related posts"), whatever the list's classes say.
func (pg *page) underOtherItem(at int) bool {
	h := pg.text().headingBefore(at)
	if h == nil || h == pg.titleNode || h == pg.headingNode || contains(h, pg.titleNode) || contains(pg.titleNode, h) {
		return false
	}
	if t, ok := pg.titleSpan(); ok {
		if hs, _ := pg.text().spanOf(h); hs.start < t.start {
			return false // a heading above the title: the page's own header
		}
	}
	return pg.linksElsewhere(h)
}

// linksElsewhere reports whether element n holds a link to a page other
// than this one (its address, canonical link or og:url). Without any
// address for the page, every link is to another page.
func (pg *page) linksElsewhere(n *html.Node) bool {
	own, base := pg.ownAddresses()
	found := false
	var visit func(*html.Node)
	visit = func(e *html.Node) {
		if found {
			return
		}
		if e.Type == html.ElementNode && e.DataAtom == atom.A {
			href := strings.TrimSpace(attr(e, "href"))
			if href == "" || strings.HasPrefix(href, "#") {
				return
			}
			u, err := url.Parse(href)
			if err != nil {
				return
			}
			if base != nil {
				u = base.ResolveReference(u)
			}
			if u.Scheme == "" || u.Scheme == "http" || u.Scheme == "https" {
				found = !own[addressKey(u)]
			}
			return
		}
		for c := e.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return found
}

// ownAddresses are the page's own addresses (URL, canonical link, og:url)
// as addressKey writes them, and the first of them, to resolve links with.
func (pg *page) ownAddresses() (map[string]bool, *url.URL) {
	own := map[string]bool{}
	var base *url.URL
	for _, raw := range []string{pg.urlString(), pg.meta.canonical, pg.meta.ogURL} {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || raw == "" {
			continue
		}
		if base != nil {
			u = base.ResolveReference(u)
		} else if u.IsAbs() {
			base = u
		}
		own[addressKey(u)] = true
	}
	return own, base
}

// addressKey writes an address for comparing: host and path, without a
// trailing slash, query kept.
func addressKey(u *url.URL) string {
	return strings.ToLower(strings.TrimPrefix(u.Host, "www.")) + strings.TrimSuffix(u.EscapedPath(), "/") + "?" + u.RawQuery
}

// inOtherItem reports whether a date element stands in an item of a list
// of other articles: the nearest list item, article or table row around it
// links to another page (and does not hold the page's title).
func (pg *page) inOtherItem(el *html.Node) bool {
	for e := el; e != nil && e.Type == html.ElementNode; e = e.Parent {
		switch e.DataAtom {
		case atom.Li, atom.Article, atom.Tr:
			return !contains(e, pg.titleNode) && !contains(e, pg.headingNode) && pg.linksElsewhere(e)
		case atom.Body:
			return false
		}
	}
	return false
}

// inChrome reports whether a chrome element found by classScore holds
// dates of other things: it does unless it also holds the page's title
// (then it is the layout around the article: "content-with-sidebar").
func (pg *page) inChrome(chrome *html.Node) bool {
	if chrome == nil {
		return false
	}
	for _, t := range []*html.Node{pg.titleNode, pg.headingNode} {
		if t != nil && contains(chrome, t) {
			return false
		}
	}
	return true
}

// contains reports whether n is a or one of its descendants.
func contains(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

// signature names an element's place in the page by the tags and classes
// of its ancestors, so the dates of a list's items share one signature.
func signature(el *html.Node) string {
	var b strings.Builder
	for e, depth := el, 0; e != nil && e.Type == html.ElementNode && depth < 6; e, depth = e.Parent, depth+1 {
		b.WriteString(e.Data)
		b.WriteByte('.')
		b.WriteString(attr(e, "class"))
		b.WriteByte('/')
	}
	return b.String()
}

// timeElementDates scores <time datetime> elements, which give the date in
// machine form whatever their text says ("28 minutes ago").
func (pg *page) timeElementDates(order pubdate.Order, now time.Time) []shownDate {
	pt := pg.text()
	title, hasTitle := pg.titleSpan()
	var out []shownDate
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Time {
			if d, found := pubdate.Parse(attr(n, "datetime"), order); found && pubdate.Plausible(d, now) {
				class, chrome := classScore(n)
				score := class + 1
				if _, pub := getAttr(n, "pubdate"); pub {
					score += 4
				}
				span, shown := pt.spanOf(n)
				below := shown && hasTitle && span.start >= title.end && span.start-title.end <= 250
				if below {
					score += 3
				}
				if !shown || !strings.ContainsAny(pt.text[span.start:span.end], "0123456789") {
					score++ // the machine date is the only readable one
				}
				out = append(out, shownDate{date: d, start: span.start, score: score, chrome: pg.inChrome(chrome), belowTitle: below})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(pg.root)
	return out
}

func getAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// elementLabel is what an element's class, id and itemprop say about it,
// without the taxonomy classes CMSs add to whole posts ("category-popular",
// "tag-news", "status-publish"), which describe the post, not the element.
// Camel-case names are split into words ("currentNav" is "current-Nav"),
// so that they read like the hyphenated ones.
func elementLabel(e *html.Node) string {
	var b strings.Builder
	for _, tok := range strings.Fields(attr(e, "class")) {
		if postClass.MatchString(tok) {
			continue
		}
		b.WriteString(splitCamelCase(tok))
		b.WriteByte(' ')
	}
	b.WriteString(splitCamelCase(attr(e, "id")))
	if p := attr(e, "itemprop"); p != "" {
		b.WriteString(" itemprop:" + p)
	}
	return b.String()
}

// splitCamelCase puts a hyphen where a lower-case letter meets an upper-case
// one: "sideNavList" becomes "side-Nav-List".
func splitCamelCase(name string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range name {
		if prevLower && unicode.IsUpper(r) {
			b.WriteByte('-')
		}
		b.WriteRune(r)
		prevLower = unicode.IsLower(r)
	}
	return b.String()
}

var postClass = regexp.MustCompile(`(?i)^(category|tag|post|type|status|format|postid|page-id|author|language|lang)-`)
