package extract

import (
	"strings"
	"time"

	dateparser "github.com/markusmobius/go-dateparser"
	htmldate "github.com/markusmobius/go-htmldate"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/pubdate"
)

// Weak date sources, used only when the rules of findDate find nothing;
// neither is evidence that the page is a notice.
const (
	// dateFromSearch names a date found by go-htmldate's search.
	dateFromSearch = "search"
	// dateFromUpdate names the page's own "last updated" date: better than
	// none for finding a notice by date, and flagged for an admin to review.
	dateFromUpdate = notice.DateFromUpdate
)

// fallbackDate dates a page the rules could not date: go-htmldate's search
// for its original publication date, unless the page shows that date only
// in sentences of its text or in lists of other articles; else the date
// the page shows as its last update ("Last updated: 10 May 2022"). A date
// the search found that the page shows only as an update is flagged as
// one; one only in its metadata (dateModified) is not the page's date.
func (pg *page) fallbackDate(lang string) (notice.Date, string) {
	dc := pg.dateContext()
	shownUpdates, metaUpdates := pg.updateDates(dc)
	if d := pg.searchDate(dc, lang); !d.IsZero() && !pg.toldInProse(d, dc) && !pg.othersDate(d, dc) {
		switch {
		case pg.showsAsPublication(d, dc):
			return d, dateFromSearch
		case shownUpdates[d]:
			return d, dateFromUpdate
		case !metaUpdates[d]:
			return d, dateFromSearch
		}
		// else a dateModified the page never shows: not a date it calls its own
	}
	var first notice.Date
	for d := range shownUpdates {
		if first.IsZero() || d.Before(first) {
			first = d
		}
	}
	if first.IsZero() {
		return first, ""
	}
	return first, dateFromUpdate
}

// searchDate asks go-htmldate for the page's original publication date.
// It runs only when the rules found nothing, so its cost (it copies the
// document and scans its markup with many patterns) falls on few pages.
// A bare year (a copyright line's) is no date, and a numeric date is read
// in the page's own day/month order.
func (pg *page) searchDate(dc dateContext, lang string) notice.Date {
	opts := htmldate.Options{
		UseOriginalDate: true,
		URL:             pg.urlString(),
		MinDate:         pubdate.Earliest.Time(),
		MaxDate:         dc.now.Add(24 * time.Hour),
		DateParserConfig: &dateparser.Configuration{
			Languages:           searchLanguages(lang),
			PreferredDateSource: dateparser.Past,
			StrictParsing:       true,
		},
	}
	res, err := htmldate.FromDocument(pg.root, opts)
	if err != nil || res.IsZero() {
		return notice.Date{}
	}
	d := notice.DateOf(res.DateTime)
	written := pubdate.Find(res.SrcString, dc.order)
	if len(written) == 1 && swapped(written[0].Date, d) {
		d = written[0].Date
	}
	if d.Time().YearDay() == 1 && !writesDay(res.SrcString, written, d) {
		return notice.Date{}
	}
	if !pubdate.Plausible(d, dc.now) {
		return notice.Date{}
	}
	return d
}

// swapped reports whether a and b are one numeric date read in the two
// day/month orders.
func swapped(a, b notice.Date) bool {
	return a.Year() == b.Year() && int(a.Month()) == b.Time().Day() && a.Time().Day() == int(b.Month())
}

// writesDay reports whether the text a date was found in writes that day,
// not only its year: go-htmldate reads "© 1998-2022" as 1 January 1998.
func writesDay(src string, written []pubdate.Match, d notice.Date) bool {
	for _, m := range written {
		if m.Date == d {
			return true
		}
	}
	t := d.Time()
	for _, layout := range []string{"2006-01-02", "2006/01/02", "20060102", "2006/1/2"} {
		if strings.Contains(src, t.Format(layout)) {
			return true
		}
	}
	return false
}

// updateDates are the dates the page gives as its last update: shown
// with an update label outside its chrome, and in its metadata.
func (pg *page) updateDates(dc dateContext) (shown, meta map[notice.Date]bool) {
	shown, meta = map[notice.Date]bool{}, map[notice.Date]bool{}
	for _, hint := range pg.meta.modifiedHints {
		if d := dc.parse(hint); !d.IsZero() {
			meta[d] = true
		}
	}
	for _, s := range pg.allShownDates(dc.order, dc.now) {
		if s.updated && !s.chrome {
			shown[s.date] = true
		}
	}
	return shown, meta
}

// showsAsPublication reports whether the page shows d other than as an
// update date.
func (pg *page) showsAsPublication(d notice.Date, dc dateContext) bool {
	for _, s := range pg.allShownDates(dc.order, dc.now) {
		if s.date == d && !s.updated {
			return true
		}
	}
	return false
}

// toldInProse reports whether the page shows d only inside sentences of
// its text ("The deadline for applications is 2 August 2011."): a date the
// text tells of, not the page's. A date the page does not show (in its
// metadata, its markup or its address) is not.
func (pg *page) toldInProse(d notice.Date, dc dateContext) bool {
	text := pg.text().text
	shown := false
	for _, s := range pg.allShownDates(dc.order, dc.now) {
		if s.date != d {
			continue
		}
		shown = true
		if s.labelled || !inSentence(text, s.start) {
			return false
		}
	}
	return shown
}

// inSentence reports whether the date at offset at is part of a sentence:
// its line ends with a full stop, has seven words or more and is no
// copyright notice ("Copyright © 19.12.2019 - 12:14 h by … reserved.").
func inSentence(text string, at int) bool {
	from, to := lineAround(text, at, at)
	line := strings.TrimSpace(text[from:to])
	return strings.ContainsAny(line[max(0, len(line)-1):], ".!?") && len(strings.Fields(line)) >= 7 && !isCopyrightLine(line)
}

// othersDate reports whether the page shows d only in items of lists of
// other articles ("More press releases": a card, its link, its date).
func (pg *page) othersDate(d notice.Date, dc dateContext) bool {
	shown := false
	for _, s := range pg.allShownDates(dc.order, dc.now) {
		if s.date != d {
			continue
		}
		if !s.others {
			return false
		}
		shown = true
	}
	return shown
}

// searchLanguages are the languages the date search reads month and day
// names in: the page's and English. Every language of the date parser
// (its default) costs about a tenth of a second for each string that is
// not a date, so a page of such strings in its metadata took a minute.
func searchLanguages(lang string) []string {
	if lang == "" || lang == "en" {
		return []string{"en"}
	}
	return []string{lang, "en"}
}
