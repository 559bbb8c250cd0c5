package extract

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"noticekb/internal/notice"
	"noticekb/internal/pubdate"
)

// Date sources, strongest first; the name is kept as evidence.
const (
	dateFromRule     = "rule"
	dateFromMetadata = "metadata"
	dateFromTime     = "time-element"
	dateFromLabelled = "date-element"
	dateFromText     = "text"
	dateFromURL      = "url"
)

// findDate picks the publication date. Each source is tried in turn and
// the first plausible date wins: the rule's selector, JSON-LD and meta tags,
// <time> elements marked as publication, elements labelled as dates near
// the title, the top of the text, and the URL (only when the page has one).
// Dates marked as updates or modifications are never taken.
func (pg *page) findDate(body string) (notice.Date, string) {
	now := pg.x.now()
	order := pubdate.Auto
	if pg.rule != nil {
		order = pg.rule.order
	}
	ok := func(d notice.Date, found bool) bool { return found && pubdate.Plausible(d, now) }

	if pg.rule != nil && pg.rule.date != nil {
		if d, found := firstDate(pg.doc.FindMatcher(pg.rule.date), order); ok(d, found) {
			return d, dateFromRule
		}
	}
	for _, hint := range pg.meta.publishedHints {
		if d, found := pubdate.Parse(hint, order); ok(d, found) {
			return d, dateFromMetadata
		}
	}
	if d, found := pg.timeElementDate(order); ok(d, found) {
		return d, dateFromTime
	}
	if d, found := pg.labelledDate(order, now); ok(d, found) {
		return d, dateFromLabelled
	}
	if d, labelled, found := textDate(body, order, now); ok(d, found) {
		if labelled {
			return d, dateFromLabelled
		}
		return d, dateFromText
	}
	if d, found := urlDate(pg.url); ok(d, found) {
		return d, dateFromURL
	}
	return notice.Date{}, ""
}

func firstDate(sel *goquery.Selection, order pubdate.Order) (notice.Date, bool) {
	var d notice.Date
	found := false
	sel.EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if dt, ok := s.Attr("datetime"); ok {
			d, found = pubdate.Parse(dt, order)
		}
		if !found {
			d, found = pubdate.Parse(s.Text(), order)
		}
		return !found
	})
	return d, found
}

// updatedMarker matches classes, ids and labels of "last updated" dates.
var updatedMarker = regexp.MustCompile(`(?i)updated|modified|revised|edited|수정|변경`)

// publishedMarker matches classes of publication-time elements.
var publishedMarker = regexp.MustCompile(`(?i)publish|entry-date|posted|datePublished`)

// timeElementDate reads <time> elements that are marked as the publication
// time, then the first unmarked one inside the article.
func (pg *page) timeElementDate(order pubdate.Order) (notice.Date, bool) {
	var marked, plain *goquery.Selection
	pg.doc.Find("time").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		class := s.AttrOr("class", "") + " " + s.AttrOr("itemprop", "")
		if updatedMarker.MatchString(class) || s.Closest("aside, footer, nav, .comment, .comments, #comments").Length() > 0 {
			return true
		}
		_, pubAttr := s.Attr("pubdate")
		if pubAttr || publishedMarker.MatchString(class) {
			marked = s
			return false
		}
		if plain == nil && s.Closest("article, main, [role=main], header").Length() > 0 {
			plain = s
		}
		return true
	})
	for _, s := range []*goquery.Selection{marked, plain} {
		if s != nil {
			if d, ok := firstDate(s, order); ok {
				return d, true
			}
		}
	}
	return notice.Date{}, false
}

// dateLabel matches the class or id of an element that shows a date.
var dateLabel = regexp.MustCompile(`(?i)date|posted|publish|time|byline|meta|info|write|regdate|작성|등록`)

// labelledDate looks for a short element whose class or id says it holds
// a date (".date", ".posted-on", "#bo_v_info"), in document order.
func (pg *page) labelledDate(order pubdate.Order, now time.Time) (notice.Date, bool) {
	var d notice.Date
	found := false
	var visit func(*html.Node) bool
	visit = func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			if invisible[n.DataAtom] || n.DataAtom == atom.Aside || n.DataAtom == atom.Footer || n.DataAtom == atom.Nav {
				return true
			}
			label := attr(n, "class") + " " + attr(n, "id")
			if dateLabel.MatchString(label) && !updatedMarker.MatchString(label) && !isBoilerplateElement(n) {
				text := inlineText(n)
				if len(text) <= 120 {
					for _, m := range pubdate.Find(text, order) {
						if !updatedBefore(text, m.Start) && pubdate.Plausible(m.Date, now) {
							d, found = m.Date, true
							return false
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !visit(c) {
				return false
			}
		}
		return true
	}
	visit(pg.root)
	return d, found
}

// textDate takes the first date near the top of the notice text that is
// not labelled as an update. It reports whether a publication label
// ("Posted:", "Date", "작성일") stands right before it.
func textDate(body string, order pubdate.Order, now time.Time) (d notice.Date, labelled, found bool) {
	head := body
	if len(head) > 400 {
		head = head[:400]
	}
	for _, m := range pubdate.Find(head, order) {
		if !updatedBefore(head, m.Start) && pubdate.Plausible(m.Date, now) {
			from := max(0, m.Start-24)
			return m.Date, publicationLabel.MatchString(head[from:m.Start]), true
		}
	}
	return notice.Date{}, false, false
}

// publicationLabel matches words that introduce a publication date.
var publicationLabel = regexp.MustCompile(`(?i)(posted|published|date|issued|released|작성일|등록일|게시일)\s*(on|:)?\s*$`)

func updatedBefore(text string, at int) bool {
	from := max(0, at-24)
	return updatedMarker.MatchString(text[from:at])
}

// urlDateRe matches /2017/08/09/ and /2017-08-09/ style paths.
var urlDateRe = regexp.MustCompile(`/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|-|\.|$)`)

func urlDate(u *url.URL) (notice.Date, bool) {
	if u == nil {
		return notice.Date{}, false
	}
	m := urlDateRe.FindStringSubmatch(u.Path)
	if m == nil {
		return notice.Date{}, false
	}
	return pubdate.Parse(m[1]+"-"+pad(m[2])+"-"+pad(m[3]), pubdate.Auto)
}

func pad(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return strings.TrimSpace(s)
}
