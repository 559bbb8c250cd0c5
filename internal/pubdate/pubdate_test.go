package pubdate

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in    string
		order Order
		want  string
	}{
		{"August 9, 2017", Auto, "2017-08-09"},
		{"Aug. 9th, 2017", Auto, "2017-08-09"},
		{"9 Aug 2017", Auto, "2017-08-09"},
		{"Wednesday, 9 August 2017", Auto, "2017-08-09"},
		{"2017-08-09", Auto, "2017-08-09"},
		{"2017-08-09T14:32:00+09:00", Auto, "2017-08-09"},
		{"Posted: 2017.08.09", Auto, "2017-08-09"},
		{"2017. 8. 9.", Auto, "2017-08-09"},
		{"2017/08/09", Auto, "2017-08-09"},
		{"2017년 8월 9일 14:32", Auto, "2017-08-09"},
		{"2017年8月9日", Auto, "2017-08-09"},
		{"09/08/2017", Auto, "2017-08-09"},
		{"09/08/2017", MonthFirst, "2017-09-08"},
		{"08/29/2017", Auto, "2017-08-29"},
		{"9. August 2017", Auto, "2017-08-09"},
		{"9 août 2017", Auto, "2017-08-09"},
		{"9 de agosto de 2017", Auto, "2017-08-09"},
		{"2017-02-30", Auto, ""}, // no such day
		{"2017-08/09", Auto, ""}, // mixed separators
		{"31/31/2017", Auto, ""}, // no such month
		{"Version 1.2.2017", Auto, "2017-02-01"},
		{"Wochenbericht 14. - 20. Januar 2022", Auto, "2022-01-14"},
		{"Workshop, 3–5 May 2022", Auto, "2022-05-03"},
		{"January 14-20, 2022", Auto, "2022-01-14"},
		{"Release 5.12 - 3 May 2022", Auto, "2022-05-03"},
		{"Release 5.2 - 3 May 2022", Auto, "2022-05-03"},
		{"nothing here", Auto, ""},
		{"Publicat: 25 noiembrie 2021, 16:11", Auto, "2021-11-25"}, // Romanian
		{"di Mario Rossi - 25 novembre 2021", Auto, "2021-11-25"},
		{"Stand: 4. 2. 2022", Auto, "2022-02-04"}, // German and Czech, spaced
		{"4. 2.2022", Auto, ""},                   // spaced once only: no date form
		{"4/ 2/ 2022", Auto, ""},                  // only dots take a space
		// Bad input never becomes a date by accident.
		{"0000-00-00T00:00:00", Auto, ""},
		{"9999-12-31", Auto, ""},
		{"31.12.9999", Auto, ""},
		{"00.00.0000", Auto, ""},
		{"1507287600", Auto, ""},    // a Unix timestamp
		{"6 มีนาคม 2560", Auto, ""}, // Thai Buddhist era (2017)
		{"6/3/2560", Auto, ""},
		{"1438/06/07", Auto, ""}, // Hijri
		{"7 جمادى الآخرة 1438 هـ", Auto, ""},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.in, tt.order)
		if tt.want == "" {
			if ok {
				t.Errorf("Parse(%q) = %s, want no date", tt.in, got)
			}
			continue
		}
		if !ok || got.String() != tt.want {
			t.Errorf("Parse(%q) = %s, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}

func TestFindInOrder(t *testing.T) {
	ms := Find("Signed on 9 August 2017; the deadline is 2017-09-30 and the event on October 1, 2017.", Auto)
	want := []string{"2017-08-09", "2017-09-30", "2017-10-01"}
	if len(ms) != len(want) {
		t.Fatalf("Find found %d dates, want %d: %+v", len(ms), len(want), ms)
	}
	for i, m := range ms {
		if m.Date.String() != want[i] {
			t.Errorf("date %d = %s, want %s", i, m.Date, want[i])
		}
	}
}

func TestPlausible(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"2017-08-09", true}, {"1989-12-31", false}, {"2026-11-28", true}, {"2026-12-01", false},
		{"1970-01-01", false}, // the Unix epoch, a default where a date is missing
		{"", false},
	} {
		d, _ := Parse(tt.in, Auto)
		if got := Plausible(d, now); got != tt.want {
			t.Errorf("Plausible(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
