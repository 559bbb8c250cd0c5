package bench

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"

	"github.com/noticekb/noticekb/internal/notice"
)

// Mixer builds a reproducible query mix from the notices it observes: two
// words taken from one notice's title (so both occur together at least
// once), one query in five the empty match-all query, and optionally
// filters on partners, topics and years, the way visitors click facets.
type Mixer struct {
	rng     *rand.Rand
	sample  []mixNotice
	seen    int
	partner []string
	topic   []string
	years   [2]int
}

type mixNotice struct {
	words            []string
	partners, topics []string
	year             int
}

const mixSample = 5000

// NewMixer returns a mixer whose queries depend only on the seed and the
// notices observed, in order.
func NewMixer(seed uint64) *Mixer {
	return &Mixer{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Observe offers one notice to the mixer (a reservoir sample keeps a few
// thousand of them).
func (m *Mixer) Observe(n *notice.Notice) {
	m.seen++
	words := titleWords(n.Title)
	if len(words) < 2 {
		return
	}
	mn := mixNotice{words: words, partners: n.Partners, topics: n.Topics}
	if !n.Date.IsZero() {
		mn.year = n.Date.Time().Year()
		if m.years[0] == 0 || mn.year < m.years[0] {
			m.years[0] = mn.year
		}
		m.years[1] = max(m.years[1], mn.year)
	}
	if len(m.sample) < mixSample {
		m.sample = append(m.sample, mn)
		return
	}
	if i := m.rng.IntN(m.seen); i < mixSample {
		m.sample[i] = mn
	}
}

// Years is the first and last year of the observed notices.
func (m *Mixer) Years() (int, int) { return m.years[0], m.years[1] }

// AsTyped makes a share (0..1) of the queries with words the way visitors
// type them: half with a typo in the second word, half with the second
// word unfinished (its first half, at least three letters).
func (m *Mixer) AsTyped(queries []notice.Query, share float64) {
	for i := range queries {
		q := &queries[i]
		ws := strings.Fields(q.Text)
		if len(ws) != 2 || m.rng.Float64() >= share {
			continue
		}
		r := []rune(ws[1])
		if m.rng.IntN(2) == 0 {
			j := 1 + m.rng.IntN(len(r)-1)
			r[j] = rune('a' + m.rng.IntN(26))
		} else {
			r = r[:max(3, (len(r)+1)/2)]
		}
		q.Text = ws[0] + " " + string(r)
	}
}

// Queries returns n queries. filtered is the share (0..1) of queries that
// also select facet values or a date range.
func (m *Mixer) Queries(n int, filtered float64) []notice.Query {
	out := make([]notice.Query, 0, n)
	if len(m.sample) == 0 {
		return out
	}
	for i := range n {
		q := notice.Query{Size: 10}
		src := m.sample[m.rng.IntN(len(m.sample))]
		if i%5 != 0 {
			a := m.rng.IntN(len(src.words))
			b := (a + 1 + m.rng.IntN(len(src.words)-1)) % len(src.words)
			q.Text = src.words[a] + " " + src.words[b]
		}
		if m.rng.Float64() < filtered {
			m.addFilter(&q, src)
		}
		out = append(out, q)
	}
	return out
}

func (m *Mixer) addFilter(q *notice.Query, src mixNotice) {
	q.Filters = map[string][]string{}
	switch m.rng.IntN(4) {
	case 0:
		if len(src.partners) > 0 {
			q.Filters[notice.FacetPartner] = []string{src.partners[0]}
		}
	case 1:
		if len(src.topics) > 0 {
			q.Filters[notice.FacetTopic] = []string{src.topics[0]}
		}
	case 2: // two partners of the facet: OR within it
		if len(src.partners) > 1 {
			q.Filters[notice.FacetPartner] = src.partners[:2]
		}
	case 3:
		if src.year > 0 {
			from, _ := notice.ParseDateBound(strconv.Itoa(src.year-1), false)
			to, _ := notice.ParseDateBound(strconv.Itoa(src.year), true)
			q.From, q.To = from, to
		}
	}
}

// titleWords are the words of a title a visitor might type: letters
// only, four or more of them, lower-cased, without common words.
func titleWords(title string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) < 4 || mixStop(w) || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// mixStop reports words too common to make a query of.
func mixStop(w string) bool {
	switch w {
	case "with", "from", "this", "that", "their", "into", "about", "over", "under", "between":
		return true
	}
	return false
}
