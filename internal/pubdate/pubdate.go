// Package pubdate reads calendar dates written the many ways notice pages
// write them: "August 9, 2017", "9 Aug 2017", "2017-08-09", "2017.08.09",
// "2017년 8월 9일", "09/08/2017", and the same in several European
// languages, and it settles the day/month order of all-numeric dates from
// the evidence a page gives.
package pubdate

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/notice"
)

// Order says how to read an all-numeric date with the year last, such as
// 09/08/2017.
type Order int

const (
	// Auto reads day first unless the first number can only be a month
	// (more than 12 in the second place) — the usage of most of the world.
	Auto Order = iota
	DayFirst
	MonthFirst
)

func (o Order) String() string {
	return [...]string{"auto", "dmy", "mdy"}[o]
}

// Earliest is the first day a notice date may have; older dates in pages
// are founding years, laws and history, not publication dates.
var Earliest, _ = notice.NewDate(1990, time.January, 1)

// Match is one date found in a text, with its byte span.
type Match struct {
	Date       notice.Date
	Start, End int
	// Ambiguous is set for all-numeric dates with the year last whose day
	// and month could be swapped (09/08/2017): the order was assumed.
	Ambiguous bool
	// Evidence is the order an all-numeric date proves by itself:
	// DayFirst for 25/08/2017, MonthFirst for 08/25/2017, else Auto.
	Evidence Order
}

// Parse reads the first date in s. It reports false when s holds none.
func Parse(s string, order Order) (notice.Date, bool) {
	ms := Find(s, order)
	if len(ms) == 0 {
		return notice.Date{}, false
	}
	return ms[0].Date, true
}

// maxScan bounds the text one Find reads: dates that matter sit in the
// first part of any page, and regular expressions over megabytes of text
// would cost more than the whole extraction.
const maxScan = 512 << 10

// Find returns every date written in text, in order of appearance.
func Find(text string, order Order) []Match {
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	var out []Match
	// Every form holds a four-digit year, so only the text around years is
	// read with the regular expressions: a page's text has few of them.
	for _, w := range yearWindows(text) {
		out = findIn(text, w[0], w[1], order, out)
	}
	sortMatches(out)
	return out
}

// Room around a year for the rest of a date: "Wednesday, 9th September
// 2017" puts the day well before the year, "2017년 8월 9일" after it.
const (
	windowBefore = 48
	windowAfter  = 40
)

// yearWindows returns the spans of text around each year 1900–2099, merged
// where they overlap.
func yearWindows(text string) [][2]int {
	var ws [][2]int
	for i := 0; i+4 <= len(text); i++ {
		c := text[i]
		if c != '1' && c != '2' {
			continue
		}
		if !(text[i:i+2] == "19" || text[i:i+2] == "20") || !isDigit(text[i+2]) || !isDigit(text[i+3]) ||
			(i > 0 && isDigit(text[i-1])) || (i+4 < len(text) && isDigit(text[i+4])) {
			continue
		}
		from, to := max(0, i-windowBefore), min(len(text), i+4+windowAfter)
		if n := len(ws); n > 0 && from <= ws[n-1][1] {
			ws[n-1][1] = to
		} else {
			ws = append(ws, [2]int{from, to})
		}
		i += 3
	}
	return ws
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// findIn adds the dates in text[from:to] to out.
func findIn(text string, from, to int, order Order, out []Match) []Match {
	window := text[from:to]
	for _, f := range forms {
		if f.needs != "" && !strings.Contains(window, f.needs) {
			continue
		}
		for _, loc := range f.re.FindAllStringSubmatchIndex(window, -1) {
			start, end := from+loc[0], from+loc[1]
			if overlaps(out, start, end) || !atWordBoundary(text, start, end) ||
				(f.period && start > 0 && strings.IndexByte(".,:/", text[start-1]) >= 0) {
				continue
			}
			group := func(name string) string {
				i := f.re.SubexpIndex(name)
				if i < 0 || loc[2*i] < 0 {
					return ""
				}
				return window[loc[2*i]:loc[2*i+1]]
			}
			if m, ok := f.read(group, order); ok {
				m.Start, m.End = start, end
				out = append(out, m)
			}
		}
	}
	return out
}

// As re-reads an ambiguous match found with Auto in the given order:
// month first swaps its day and month. Other matches stay as they are.
func (m Match) As(order Order) Match {
	if !m.Ambiguous || order != MonthFirst {
		return m
	}
	t := m.Date.Time()
	if d, ok := notice.NewDate(t.Year(), time.Month(t.Day()), int(t.Month())); ok {
		m.Date = d
	}
	m.Ambiguous = false
	return m
}

// DecideOrder reads all-numeric dates day first or month first by the
// evidence of the page: a date such as 25/08/2017 can only be read one way;
// an ambiguous 06/12/2019 whose one reading is a date the page also
// writes unambiguously (2019-06-12 in a datetime attribute, "June 12,
// 2019") is read that way. Then by the language of the page: month first
// for American English, day first for other languages that name a region
// or none. It returns Auto when nothing tells.
func DecideOrder(ms []Match, known []notice.Date, lang string) Order {
	var dmy, mdy int
	sure := map[notice.Date]bool{}
	for _, d := range known {
		sure[d] = true
	}
	for _, m := range ms {
		switch {
		case m.Evidence == DayFirst:
			dmy++
		case m.Evidence == MonthFirst:
			mdy++
		case !m.Ambiguous:
			sure[m.Date] = true
		}
	}
	for _, m := range ms {
		if !m.Ambiguous {
			continue
		}
		switch asDMY, asMDY := m.Date, m.As(MonthFirst).Date; {
		case sure[asDMY] && !sure[asMDY]:
			dmy++
		case sure[asMDY] && !sure[asDMY]:
			mdy++
		}
	}
	switch {
	case dmy > mdy:
		return DayFirst
	case mdy > dmy:
		return MonthFirst
	}
	lang = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(lang), "_", "-"))
	switch {
	case lang == "en-us" || lang == "es-us" || lang == "en-ph" || lang == "fil":
		return MonthFirst
	case lang != "" && lang != "en":
		return DayFirst
	}
	return Auto
}

func overlaps(ms []Match, start, end int) bool {
	for _, m := range ms {
		if start < m.End && end > m.Start {
			return true
		}
	}
	return false
}

// atWordBoundary rejects dates glued to letters or digits ("A2017-08-09",
// "2017-08-091"); Go's \b only knows ASCII.
func atWordBoundary(text string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:start])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if end < len(text) {
		r, _ := utf8.DecodeRuneInString(text[end:])
		if unicode.IsDigit(r) {
			return false
		}
		if unicode.IsLetter(r) && !unicode.Is(unicode.Han, r) && !unicode.Is(unicode.Hangul, r) && r != 'T' {
			return false
		}
	}
	return true
}

func sortMatches(ms []Match) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Start < ms[j-1].Start; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// Plausible reports whether d can be a publication date seen at now: not
// before Earliest and not in the future (a day of slack for time zones).
func Plausible(d notice.Date, now time.Time) bool {
	if d.IsZero() || d.Before(Earliest) {
		return false
	}
	return !d.Time().After(now.AddDate(0, 0, 1))
}

type form struct {
	re *regexp.Regexp
	// needs is a string the text must contain for the form to match at all,
	// which spares the regular expression most texts.
	needs string
	read  func(group func(string) string, order Order) (Match, bool)
	// period forms must not start inside a number ("5.2 - 3 May 2022").
	period bool
}

const (
	monthWord = `(?P<mon>\p{L}{3,12})\.?`
	dayNum    = `(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|º|\.)?`
	yearNum   = `(?P<year>(?:19|20)\d\d)`
)

// rangeTo joins the two days of a period: 14–20 January, 14. bis 20. Januar.
const rangeTo = `\s*(?:[-–—]|bis|to|au|al)\s*`

var forms = []form{
	// Periods come first, so that their end day is not read as a date of
	// its own: a period's date is its first day.
	// 14–20 January 2022; 14. - 20. Januar 2022
	{re: regexp.MustCompile(`(?i)(?P<day>[0-3]?\d)\.?` + rangeTo + `(?P<day2>[0-3]?\d)(?:st|nd|rd|th|er|\.)?\s*(?:de\s+)?` + monthWord + `,?\s+(?:de\s+)?` + yearNum), read: readNamedPeriod, period: true},
	// January 14–20, 2022
	{re: regexp.MustCompile(`(?i)` + monthWord + `\s+(?P<day>[0-3]?\d)` + rangeTo + `(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+` + yearNum), read: readNamedPeriod, period: true},
	// 2017-08-09, 2017/08/09, 2017.08.09, 2017. 8. 9., 2017-08-09T14:32
	{re: regexp.MustCompile(yearNum + `\s?(?P<sep>[-/.])\s?(?P<month>[01]?\d)\s?(?P<sep2>[-/.])\s?(?P<day>[0-3]?\d)`), read: readYMD},
	// 2017년 8월 9일
	{re: regexp.MustCompile(yearNum + `\s*년\s*(?P<month>[01]?\d)\s*월\s*(?P<day>[0-3]?\d)\s*일`), needs: "년", read: readYMD},
	// 2017年8月9日
	{re: regexp.MustCompile(yearNum + `\s*年\s*(?P<month>[01]?\d)\s*月\s*(?P<day>[0-3]?\d)\s*日`), needs: "年", read: readYMD},
	// August 9, 2017; Aug. 9th 2017
	{re: regexp.MustCompile(`(?i)` + monthWord + `\s+` + dayNum + `,?\s+` + yearNum), read: readNamed},
	// 9 August 2017; 9th Aug, 2017; 9. August 2017; 9 de agosto de 2017; 15 августа 2016 г.
	{re: regexp.MustCompile(`(?i)` + dayNum + `\s*(?:de\s+|of\s+)?` + monthWord + `,?\s+(?:de\s+)?` + yearNum), read: readNamed},
	// 09/08/2017, 9.8.2017, 09-08-2017, 4. 2. 2022
	{re: regexp.MustCompile(`(?P<a>[0-3]?\d)(?P<sep>[-/.])(?P<sp>\s?)(?P<b>[0-3]?\d)(?P<sep2>[-/.])(?P<sp2>\s?)` + yearNum), read: readNumericYearLast},
}

func readYMD(group func(string) string, _ Order) (Match, bool) {
	if group("sep") != group("sep2") {
		return Match{}, false
	}
	y, m, d := atoi(group("year")), atoi(group("month")), atoi(group("day"))
	date, ok := notice.NewDate(y, time.Month(m), d)
	return Match{Date: date}, ok
}

func readNamed(group func(string) string, _ Order) (Match, bool) {
	m, ok := monthNames[strings.ToLower(strings.TrimSuffix(group("mon"), "."))]
	if !ok {
		return Match{}, false
	}
	date, ok := notice.NewDate(atoi(group("year")), m, atoi(group("day")))
	return Match{Date: date}, ok
}

// readNamedPeriod reads a period within one month as its first day. A
// "period" whose days do not run forward is no period ("Release 5.12 - 3
// May 2022"): it is left to the other forms.
func readNamedPeriod(group func(string) string, order Order) (Match, bool) {
	if atoi(group("day")) >= atoi(group("day2")) {
		return Match{}, false
	}
	return readNamed(group, order)
}

func readNumericYearLast(group func(string) string, order Order) (Match, bool) {
	if group("sep") != group("sep2") || group("sp") != group("sp2") || (group("sp") != "" && group("sep") != ".") {
		return Match{}, false // only dots take a space: "4. 2. 2022"
	}
	a, b, y := atoi(group("a")), atoi(group("b")), atoi(group("year"))
	m := Match{Evidence: Auto}
	switch {
	case a > 12 && b <= 12:
		m.Evidence = DayFirst
	case b > 12 && a <= 12:
		m.Evidence = MonthFirst
	}
	day, month := a, b
	switch {
	case m.Evidence == MonthFirst, m.Evidence == Auto && order == MonthFirst:
		day, month = b, a
	}
	m.Ambiguous = m.Evidence == Auto && a != b && order == Auto
	date, ok := notice.NewDate(y, time.Month(month), day)
	m.Date = date
	return m, ok
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
