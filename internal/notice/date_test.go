package notice

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestParseDateBound(t *testing.T) {
	tests := []struct {
		in          string
		upper       bool
		want, wantE string
	}{
		{"", false, "", ""},
		{"2017", false, "2017-01-01", ""},
		{"2017", true, "2017-12-31", ""},
		{"2024-02", true, "2024-02-29", ""},
		{"2023-02", true, "2023-02-28", ""},
		{" 2019-03-04 ", true, "2019-03-04", ""},
		{"2019-13", false, "", "invalid date"},
		{"2019-02-30", false, "", "invalid date"},
		{"19", false, "", "invalid date"},
		{"March 2019", false, "", "invalid date"},
	}
	for _, tt := range tests {
		got, err := ParseDateBound(tt.in, tt.upper)
		if tt.wantE != "" {
			if !errors.Is(err, ErrInvalidDate) {
				t.Errorf("ParseDateBound(%q) = %v, %v; want ErrInvalidDate", tt.in, got, err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("ParseDateBound(%q, upper=%v) = %q, %v; want %q", tt.in, tt.upper, got, err, tt.want)
		}
	}
}

func TestDates(t *testing.T) {
	if _, ok := NewDate(2023, time.February, 29); ok {
		t.Error("NewDate accepted 29 February 2023")
	}
	d, ok := NewDate(2024, time.February, 29)
	if !ok || d.String() != "2024-02-29" || d.Human() != "29 February 2024" {
		t.Errorf("NewDate(2024-02-29) = %q %q %v", d, d.Human(), ok)
	}
	if got := DateOf(time.Date(2021, 5, 6, 23, 30, 0, 0, time.FixedZone("KST", 9*3600))); got.String() != "2021-05-06" {
		t.Errorf("DateOf keeps the day of its own zone: %q", got)
	}
	if _, err := ParseDate("06/05/2021"); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("ParseDate of another format: %v", err)
	}
	var zero Date
	if zero.String() != "" || zero.Human() != "" || !DateOf(time.Time{}).IsZero() {
		t.Error("the zero Date is not written as empty")
	}
}

// Dates are written as "YYYY-MM-DD" (the zero one as ""), and read back
// from that, from null, or from a full timestamp other tools write.
func TestDateJSON(t *testing.T) {
	type doc struct {
		D Date `json:"d"`
	}
	for in, want := range map[string]string{
		`{"d":"2017-08-09"}`:           "2017-08-09",
		`{"d":"2017-08-09T10:00:00Z"}`: "2017-08-09",
		`{"d":""}`:                     "",
		`{"d":null}`:                   "",
	} {
		var v doc
		if err := json.Unmarshal([]byte(in), &v); err != nil || v.D.String() != want {
			t.Errorf("unmarshal %s: %q, %v; want %q", in, v.D, err, want)
		}
		out, _ := json.Marshal(v)
		if string(out) != `{"d":"`+want+`"}` {
			t.Errorf("marshal %q: %s", want, out)
		}
	}
	var v doc
	if err := json.Unmarshal([]byte(`{"d":20170809}`), &v); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("a number as a date: %v", err)
	}
}
