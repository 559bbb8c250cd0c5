package extract

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/pubdate"
)

// Date sources, strongest first; the name is kept as evidence.
const (
	dateFromRule     = "rule"
	dateFromMetadata = "metadata"
	dateFromPage     = "page"
	dateFromWeakMeta = "weak-metadata"
	dateFromURL      = "url"
	dateFromTitle    = "title"
)

// Scores a visible date needs: to be taken at all, and to be preferred to
// weak metadata (a bare <meta name="date">, a WebPage's datePublished).
const (
	minDateScore    = 4
	strongDateScore = 7
)

// findDate picks the publication date and names its source. The rule's
// date field decides when the page has one; then publication metadata
// (JSON-LD, meta tags, itemprop); then the best date shown on the page,
// scored by its label, its element, its place next to the title and its
// line; then weaker metadata, the URL (only when the page has one), the
// page's own declared address, the head title and script state. Dates
// marked as updates are never taken, and neither are dates in running
// text with nothing to say they are the publication's.
func (pg *page) findDate() (notice.Date, string) {
	dc := pg.dateContext()
	if d, src, decided := pg.ruleDate(dc); decided {
		pg.dateDecided = true
		return d, src
	}
	steps := []func(dateContext) (notice.Date, string){pg.metadataDate, pg.shownDate, pg.addressDate, pg.lastResortDate}
	for _, step := range steps {
		if d, src := step(dc); !d.IsZero() {
			return d, src
		}
	}
	return notice.Date{}, ""
}

// dateContext is the page's day/month order and the clock, settled once
// per page: the fallback after the other steps reads dates as they did.
func (pg *page) dateContext() dateContext {
	if pg.dc == nil {
		pg.dc = &dateContext{order: pg.dateOrder(), now: pg.x.now()}
	}
	return *pg.dc
}

// dateContext is what every date step reads dates with.
type dateContext struct {
	order pubdate.Order
	now   time.Time
}

// parse reads the first date in s if it is a plausible publication date.
func (dc dateContext) parse(s string) notice.Date {
	if d, ok := pubdate.Parse(s, dc.order); ok && pubdate.Plausible(d, dc.now) {
		return d
	}
	return notice.Date{}
}

// ruleDate reads the rule's date field. It reports decided when the rule
// settles the question: a date, or a date field the page left empty (the
// page shows no date, whatever dates its text mentions).
func (pg *page) ruleDate(dc dateContext) (notice.Date, string, bool) {
	if pg.rule == nil || pg.rule.date == nil {
		return notice.Date{}, "", false
	}
	sel := pg.doc.FindMatcher(pg.rule.date)
	if sel.Length() == 0 {
		return notice.Date{}, "", false
	}
	if d, found := firstDate(sel, dc.order); found && pubdate.Plausible(d, dc.now) {
		return d, dateFromRule, true
	}
	return notice.Date{}, "", strings.TrimSpace(sel.Text()) == ""
}

// metadataDate is the earliest publication date the metadata claims: a
// page republished under a new date may carry both. A date the page shows
// in its byline wins when it disagrees: the byline right below the title
// with strong evidence (CMS metadata is often an import's or a template's
// date), unless the metadata claims both days, the mark of a republished
// page, whose first date stands; a weaker byline date when the metadata cannot be the
// reader's day, being one of several days the metadata claims within a
// week, or a UTC time one day off (an evening post in UTC+2 is stamped
// the day before; a late one in the Americas the day after).
func (pg *page) metadataDate(dc dateContext) (notice.Date, string) {
	var first notice.Date
	claimed := map[notice.Date]bool{}
	utc := false
	for _, hint := range pg.meta.publishedHints {
		d := dc.parse(hint)
		if d.IsZero() {
			continue
		}
		claimed[d] = true
		if first.IsZero() || d.Before(first) {
			first, utc = d, utcTime.MatchString(hint)
		}
	}
	if first.IsZero() {
		return first, ""
	}
	byline, ok := pg.bylineDate(dc)
	if !ok || byline.date == first {
		return first, dateFromMetadata
	}
	apart := daysApart(byline.date, first)
	republished := claimed[byline.date] && apart > 7 // the metadata claims both days
	switch {
	case byline.score >= strongDateScore && byline.belowTitle && !republished,
		claimed[byline.date] && apart <= 7,
		utc && apart == 1:
		return byline.date, dateFromPage
	}
	return first, dateFromMetadata
}

// utcTime matches a timestamp given in UTC: "2019-10-18T22:04:00Z",
// "…T08:20:11+00:00", "…T09:49:32+0000".
var utcTime = regexp.MustCompile(`T\d\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+-]00:?00)\s*$`)

// bylineScore is what a shown date needs to count as the byline's date
// when set against the metadata.
const bylineScore = 4

// bylineDate is the best date shown on the page outside its chrome, if it
// is strong enough to be the byline's.
func (pg *page) bylineDate(dc dateContext) (shownDate, bool) {
	var own []shownDate
	for _, d := range pg.shownDates(dc.order, dc.now) {
		if !d.chrome {
			own = append(own, d)
		}
	}
	best, _ := bestTwo(own)
	return best, best.score >= bylineScore
}

func daysApart(a, b notice.Date) int {
	h := a.Time().Sub(b.Time()).Hours() / 24
	if h < 0 {
		h = -h
	}
	return int(h + 0.5)
}

// shownDate is the best date shown on the page when its evidence is strong,
// else weak metadata, else the best shown date with enough evidence or a
// clear lead over the others, else the first date with a publication
// label wherever it stands.
func (pg *page) shownDate(dc dateContext) (notice.Date, string) {
	shown := pg.shownDates(dc.order, dc.now)
	best, runnerUp := bestTwo(shown)
	if best.score >= strongDateScore {
		return best.date, dateFromPage
	}
	for _, hint := range pg.meta.weakHints {
		if d := dc.parse(hint); !d.IsZero() {
			return d, dateFromWeakMeta
		}
	}
	if best.score >= minDateScore || (best.score >= 2 && best.score-runnerUp.score >= 2) {
		return best.date, dateFromPage
	}
	for _, d := range shown {
		if d.labelled {
			return d.date, dateFromPage
		}
	}
	return notice.Date{}, ""
}

// addressDate reads a date in the page's URL, when it has one, then in the
// address the page declares for itself (canonical link, og:url).
func (pg *page) addressDate(dc dateContext) (notice.Date, string) {
	addresses := []*url.URL{pg.url}
	for _, own := range []string{pg.meta.canonical, pg.meta.ogURL} {
		if u, err := url.Parse(own); err == nil && own != "" {
			addresses = append(addresses, u)
		}
	}
	for _, u := range addresses {
		if d, found := urlDate(u); found && pubdate.Plausible(d, dc.now) {
			return d, dateFromURL
		}
	}
	return notice.Date{}, ""
}

// lastResortDate reads the head title ("… | DW | 23.05.2011"), then the
// publication time in inline script state of script-built pages.
func (pg *page) lastResortDate(dc dateContext) (notice.Date, string) {
	for _, t := range []string{pg.meta.title, pg.meta.ogTitle} {
		if d := dc.parse(t); !d.IsZero() {
			return d, dateFromTitle
		}
	}
	if d, found := pg.meta.stateDate(); found && pubdate.Plausible(d, dc.now) {
		return d, dateFromWeakMeta
	}
	return notice.Date{}, ""
}

// bestTwo returns the best-scored date and the best one of another day.
// Of two dates scored alike, the one below the title, where bylines
// stand, is the better.
func bestTwo(ds []shownDate) (best, runnerUp shownDate) {
	for _, d := range ds {
		if d.score > best.score || (d.score == best.score && d.belowTitle && !best.belowTitle) {
			best = d
		}
	}
	for _, d := range ds {
		if d.date != best.date && d.score > runnerUp.score {
			runnerUp = d
		}
	}
	return best, runnerUp
}

// dateOrder is the day/month order for all-numeric dates: the rule's, or
// what the page's own unambiguous dates and language say.
func (pg *page) dateOrder() pubdate.Order {
	if pg.rule != nil && pg.rule.order != pubdate.Auto {
		return pg.rule.order
	}
	return pubdate.DecideOrder(pg.textDates(), pg.machineDates(), pg.meta.lang)
}

// machineDates are the dates pages give in machine form, in datetime
// attributes and metadata: evidence for reading the numeric dates they show.
func (pg *page) machineDates() []notice.Date {
	var out []notice.Date
	for _, h := range append(append([]string{}, pg.meta.publishedHints...), pg.meta.weakHints...) {
		if d, ok := pubdate.Parse(h, pubdate.Auto); ok {
			out = append(out, d)
		}
	}
	pg.doc.Find("[datetime]").Each(func(_ int, s *goquery.Selection) {
		if d, ok := pubdate.Parse(s.AttrOr("datetime", ""), pubdate.Auto); ok {
			out = append(out, d)
		}
	})
	return out
}

// textDates are the dates in the page text read with Auto order, found
// once per page.
func (pg *page) textDates() []pubdate.Match {
	if pg.dates == nil {
		pg.dates = pubdate.Find(pg.text().text, pubdate.Auto)
		if pg.dates == nil {
			pg.dates = []pubdate.Match{}
		}
	}
	return pg.dates
}

func firstDate(sel *goquery.Selection, order pubdate.Order) (notice.Date, bool) {
	var d notice.Date
	found := false
	sel.EachWithBreak(func(_ int, s *goquery.Selection) bool {
		// A machine-readable date inside the element beats its text.
		if dt, ok := s.Attr("datetime"); ok {
			d, found = pubdate.Parse(dt, order)
		} else if dt, ok := s.Find("[datetime]").First().Attr("datetime"); ok {
			d, found = pubdate.Parse(dt, order)
		}
		if !found {
			d, found = pubdate.Parse(s.Text(), order)
		}
		return !found
	})
	return d, found
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
