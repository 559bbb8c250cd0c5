// Package pubdate reads calendar dates written the many ways notice pages
// write them: "August 9, 2017", "9 Aug 2017", "2017-08-09", "2017.08.09",
// "2017년 8월 9일", "09/08/2017", and the same in several European languages.
package pubdate

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"noticekb/internal/notice"
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

// Earliest is the first day a notice date may have; older dates in pages
// are founding years, laws and history, not publication dates.
var Earliest, _ = notice.NewDate(1990, time.January, 1)

// Match is one date found in a text, with its byte span.
type Match struct {
	Date       notice.Date
	Start, End int
	// Numeric is set for all-numeric day-month-year forms whose day and
	// month order had to be assumed.
	Ambiguous bool
}

// Parse reads the first date in s. It reports false when s holds none.
func Parse(s string, order Order) (notice.Date, bool) {
	ms := Find(s, order)
	if len(ms) == 0 {
		return notice.Date{}, false
	}
	return ms[0].Date, true
}

// Find returns every date written in text, in order of appearance.
func Find(text string, order Order) []Match {
	var out []Match
	taken := func(start, end int) bool {
		for _, m := range out {
			if start < m.End && end > m.Start {
				return true
			}
		}
		return false
	}
	for _, f := range forms {
		for _, loc := range f.re.FindAllStringSubmatchIndex(text, -1) {
			if taken(loc[0], loc[1]) {
				continue
			}
			groups := func(name string) string {
				i := f.re.SubexpIndex(name)
				if i < 0 || loc[2*i] < 0 {
					return ""
				}
				return text[loc[2*i]:loc[2*i+1]]
			}
			d, ambiguous, ok := f.read(groups, order)
			if ok {
				out = append(out, Match{Date: d, Start: loc[0], End: loc[1], Ambiguous: ambiguous})
			}
		}
	}
	sortMatches(out)
	return out
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
	re   *regexp.Regexp
	read func(group func(string) string, order Order) (d notice.Date, ambiguous, ok bool)
}

// The month names that notice pages use, in lower case.
var monthNames = map[string]time.Month{}

func init() {
	names := [][]string{
		{"january", "jan", "januar", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro", "januari", "jänner"},
		{"february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio", "fevereiro", "fev", "februari"},
		{"march", "mar", "märz", "maerz", "mars", "marzo", "março", "marco", "maart", "mrz"},
		{"april", "apr", "avril", "avr", "abril", "abr", "aprile"},
		{"may", "mai", "mayo", "maggio", "maio", "mei"},
		{"june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"},
		{"july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"},
		{"august", "aug", "août", "aout", "agosto", "ago", "augustus"},
		{"september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro"},
		{"october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"},
		{"november", "nov", "novembre", "noviembre", "novembro"},
		{"december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre", "dezembro", "desember"},
	}
	for i, list := range names {
		for _, n := range list {
			monthNames[n] = time.Month(i + 1)
		}
	}
}

const (
	monthWord = `(?P<mon>[A-Za-zÀ-ÿ]{3,10})\.?`
	dayNum    = `(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|º|\.)?`
	yearNum   = `(?P<year>(?:19|20)\d\d)`
)

var forms = []form{
	// 2017-08-09, 2017/08/09, 2017.08.09, 2017. 8. 9., 2017-08-09T14:32
	{regexp.MustCompile(`\b` + yearNum + `\s?(?P<sep>[-/.])\s?(?P<month>[01]?\d)\s?(?P<sep2>[-/.])\s?(?P<day>[0-3]?\d)(?:T|\b)`), readYMD},
	// 2017년 8월 9일
	{regexp.MustCompile(yearNum + `\s*년\s*(?P<month>[01]?\d)\s*월\s*(?P<day>[0-3]?\d)\s*일`), readYMD},
	// 2017年8月9日
	{regexp.MustCompile(yearNum + `\s*年\s*(?P<month>[01]?\d)\s*月\s*(?P<day>[0-3]?\d)\s*日`), readYMD},
	// August 9, 2017; Aug. 9th 2017
	{regexp.MustCompile(`(?i)\b` + monthWord + `\s+` + dayNum + `,?\s+` + yearNum + `\b`), readNamed},
	// 9 August 2017; 9th Aug, 2017; 9. August 2017; 9 de agosto de 2017
	{regexp.MustCompile(`(?i)\b` + dayNum + `\s*(?:de\s+|of\s+)?` + monthWord + `,?\s+(?:de\s+)?` + yearNum + `\b`), readNamed},
	// 09/08/2017, 9.8.2017, 09-08-2017
	{regexp.MustCompile(`\b(?P<a>[0-3]?\d)(?P<sep>[-/.])(?P<b>[0-3]?\d)(?P<sep2>[-/.])` + yearNum + `\b`), readNumericYearLast},
}

func readYMD(group func(string) string, _ Order) (notice.Date, bool, bool) {
	if group("sep") != group("sep2") {
		return notice.Date{}, false, false
	}
	y, m, d := atoi(group("year")), atoi(group("month")), atoi(group("day"))
	date, ok := notice.NewDate(y, time.Month(m), d)
	return date, false, ok
}

func readNamed(group func(string) string, _ Order) (notice.Date, bool, bool) {
	m, ok := monthNames[strings.ToLower(strings.TrimSuffix(group("mon"), "."))]
	if !ok {
		return notice.Date{}, false, false
	}
	date, ok := notice.NewDate(atoi(group("year")), m, atoi(group("day")))
	return date, false, ok
}

func readNumericYearLast(group func(string) string, order Order) (notice.Date, bool, bool) {
	if group("sep") != group("sep2") {
		return notice.Date{}, false, false
	}
	a, b, y := atoi(group("a")), atoi(group("b")), atoi(group("year"))
	day, month := a, b
	ambiguous := a <= 12 && b <= 12 && a != b
	switch {
	case order == MonthFirst && a <= 12:
		day, month = b, a
	case order == Auto && b > 12 && a <= 12:
		day, month = b, a // only month-first can be right
		ambiguous = false
	case group("sep") == "/" && order == Auto && a > 12:
		ambiguous = false
	}
	date, ok := notice.NewDate(y, time.Month(month), day)
	return date, ambiguous, ok
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
