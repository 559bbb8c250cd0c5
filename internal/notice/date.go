package notice

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar day without time of day or zone. The zero Date means
// "unknown" and is written as "" in JSON.
type Date struct{ t time.Time }

// NewDate returns the day y-m-d; it reports false for impossible days.
func NewDate(y int, m time.Month, d int) (Date, bool) {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || t.Month() != m || t.Day() != d {
		return Date{}, false
	}
	return Date{t}, true
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads "YYYY-MM-DD"; an empty string is the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q is not YYYY-MM-DD", ErrInvalidDate, s)
	}
	return Date{t}, nil
}

func (d Date) IsZero() bool    { return d.t.IsZero() }
func (d Date) Time() time.Time { return d.t }
func (d Date) Year() int       { return d.t.Year() }
func (d Date) Month() time.Month {
	return d.t.Month()
}
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }
func (d Date) After(o Date) bool  { return d.t.After(o.t) }

// String is "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Human is the date as people read it in English: "9 August 2017".
func (d Date) Human() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format("2 January 2006")
}

func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(d.String())), nil
}

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidDate, b)
	}
	if len(s) > 10 { // accept full timestamps written by other tools
		s = s[:10]
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// ParseDateBound reads a filter bound written as "YYYY", "YYYY-MM" or
// "YYYY-MM-DD". A lower bound is the first day of that period, an upper bound
// its last day, so "to=2017" includes all of 2017.
func ParseDateBound(s string, upper bool) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	layouts := []struct {
		layout string
		span   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, -1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, -1) }},
		{"2006-01-02", func(t time.Time) time.Time { return t }},
	}
	for _, l := range layouts {
		if len(s) != len(l.layout) {
			continue
		}
		t, err := time.Parse(l.layout, s)
		if err != nil {
			break
		}
		if upper {
			t = l.span(t)
		}
		return Date{t}, nil
	}
	return Date{}, fmt.Errorf("%w: %q (use YYYY, YYYY-MM or YYYY-MM-DD)", ErrInvalidDate, s)
}
