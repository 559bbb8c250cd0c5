package words

import (
	"strings"
	"testing"
	"time"
)

func TestFindAll(t *testing.T) {
	d := NewDict()
	d.Add("Korea International Cooperation Agency", 1, false)
	d.Add("KOICA", 1, true)
	d.Add("e-government", 2, false)
	d.Add("award*", 3, false)
	d.Add("전자정부", 2, false)
	text := "KOICA and the Korea International Cooperation Agency's e-government awards; 전자정부의 who koica"
	var got []int
	for _, m := range d.FindAll(Split(text)) {
		got = append(got, m.Value)
	}
	if want := []int{1, 1, 2, 3, 2}; !equal(got, want) {
		t.Errorf("values %v, want %v", got, want)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A word of a million letters (a hostile page) costs as little to look
// up as a short one: only prefixes up to the longest stem are tried. It
// once took a lookup of every prefix, about a minute for a 16 MB page.
func TestLongWordIsCheap(t *testing.T) {
	d := NewDict()
	// Enough stems that the map hashes its keys (a small map compares
	// them one by one, which hid the cost).
	for i := range 50 {
		d.Add(strings.Repeat("b", i+1)+"*", 1, false)
	}
	ws := Split(strings.Repeat("a", 1<<20))
	start := time.Now()
	d.FindAll(ws)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a one-megabyte word took %s", took)
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
		cut  bool
	}{
		{"short enough", 20, "short enough", false},
		{"exactly ten", 11, "exactly ten", false},
		{"cut at the last word that fits", 20, "cut at the last", true},
		{"Averyveryverylongwordwithoutspaces here", 20, "Averyveryverylongwor", true},
		{"a b", 2, "a ", true},
		{"서울에서 열린 회의에 참석했다", 10, "서울에서 열린", true},
	}
	for _, tt := range tests {
		if got, cut := Shorten(tt.s, tt.n); got != tt.want || cut != tt.cut {
			t.Errorf("Shorten(%q, %d) = %q, %v; want %q, %v", tt.s, tt.n, got, cut, tt.want, tt.cut)
		}
	}
}
