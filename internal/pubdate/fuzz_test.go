package pubdate

import (
	"testing"
	"unicode/utf8"
)

// FuzzFind checks that any text yields well-formed matches: in order, not
// overlapping, inside the text, each a real calendar day that reads back
// from its own span. Seeds are in testdata/fuzz/FuzzFind.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"August 9, 2017", "2017년 8월 9일 14:32", "09/08/2017 and 25/08/2017", "2017-02-30", "9. Mai 2010 um 23:03"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, order := range []Order{Auto, DayFirst, MonthFirst} {
			ms := Find(text, order)
			end := 0
			for _, m := range ms {
				if m.Start < end || m.End <= m.Start || m.End > len(text) {
					t.Fatalf("match %+v out of order or bounds (previous end %d, len %d)", m, end, len(text))
				}
				end = m.End
				if m.Date.IsZero() {
					t.Fatalf("match %+v has no date", m)
				}
				if _, ok := Parse(text[m.Start:m.End], order); !ok {
					t.Fatalf("match %q does not parse back", text[m.Start:m.End])
				}
				if utf8.ValidString(text) && !utf8.ValidString(text[m.Start:m.End]) {
					t.Fatalf("match %q cuts a character", text[m.Start:m.End])
				}
			}
			DecideOrder(ms, nil, text)
		}
	})
}
