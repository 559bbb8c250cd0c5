package words

import (
	"sort"
	"strings"
)

// Dict is a dictionary of phrases, each with an integer value, found in
// text by longest match from left to right. The zero value is not usable:
// call NewDict. A Dict is not safe for concurrent writes.
type Dict struct {
	byFirst map[string][]entry // first word key -> phrases, longest first
	// stems holds one-word phrases whose word may continue (전자정부의),
	// looked up by the prefixes of each word of a text.
	stems map[string][]entry
	// maxStem is the longest stem in bytes: no longer prefix of a word
	// can be one, so a word of a million letters costs no more than a
	// short one (it once cost a million map lookups of growing keys).
	maxStem int
}

type entry struct {
	words []string
	// exact phrases compare the words as written (acronyms: "WHO" is not "who").
	exact bool
	// prefix lets the last word match a longer word: a trailing "*" in the
	// phrase, or a Korean word followed by a particle (전자정부의).
	prefix bool
	value  int
}

// Match is one phrase found in a text: words [Start, Start+Width) of the
// Split of that text.
type Match struct {
	Value, Start, Width int
}

func NewDict() *Dict {
	return &Dict{byFirst: map[string][]entry{}, stems: map[string][]entry{}}
}

// Add registers a phrase. exact makes it case-sensitive. A trailing "*"
// makes the last word a prefix. It reports false for a phrase with no words.
func (d *Dict) Add(phrase string, value int, exact bool) bool {
	prefix := strings.HasSuffix(phrase, "*")
	ws := Split(strings.TrimSuffix(phrase, "*"))
	if len(ws) == 0 {
		return false
	}
	e := entry{exact: exact, value: value, prefix: prefix || IsHangul(ws[len(ws)-1].Raw)}
	for _, w := range ws {
		if exact {
			e.words = append(e.words, w.Raw)
		} else {
			e.words = append(e.words, w.Key)
		}
	}
	first := ws[0].Key
	list := append(d.byFirst[first], e)
	sort.SliceStable(list, func(i, j int) bool { return len(list[i].words) > len(list[j].words) })
	d.byFirst[first] = list
	if e.prefix && len(e.words) == 1 {
		d.stems[first] = append(d.stems[first], e)
		d.maxStem = max(d.maxStem, len(first))
	}
	return true
}

// FindAll returns the non-overlapping phrases in ws, leftmost-longest.
func (d *Dict) FindAll(ws []Word) []Match {
	var out []Match
	for i := 0; i < len(ws); {
		value, width := d.matchAt(ws, i)
		if width == 0 {
			i++
			continue
		}
		out = append(out, Match{Value: value, Start: i, Width: width})
		i += width
	}
	return out
}

func (d *Dict) matchAt(ws []Word, i int) (int, int) {
	for _, e := range d.candidates(ws[i].Key) {
		if i+len(e.words) <= len(ws) && e.matches(ws[i:i+len(e.words)]) {
			return e.value, len(e.words)
		}
	}
	return 0, 0
}

// candidates lists the phrases that may start at a word. A word that may
// carry a suffix (Korean particles, "award*") is also looked up by its prefixes.
func (d *Dict) candidates(key string) []entry {
	out := d.byFirst[key]
	if len(d.stems) == 0 {
		return out
	}
	for i := min(len(key)-1, d.maxStem); i > 0; i-- {
		if stems, ok := d.stems[key[:i]]; ok {
			out = append(out[:len(out):len(out)], stems...)
		}
	}
	return out
}

func (e entry) matches(ws []Word) bool {
	last := len(e.words) - 1
	for j, want := range e.words {
		got := ws[j].Key
		if e.exact {
			// As written, but a possessive still names its owner: "World Bank's".
			got = strings.TrimSuffix(strings.TrimSuffix(ws[j].Raw, "'s"), "’s")
		}
		if got == want || (j == last && e.prefix && strings.HasPrefix(got, want)) {
			continue
		}
		return false
	}
	return true
}
