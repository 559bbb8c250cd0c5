package index

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// These tests check search against a generated site's truth.jsonl: for
// many queries and filter combinations, the hit set, the total and every
// facet and histogram count must equal what the truth implies, counted
// here by brute force over the truth's notices.
//
// The notices are indexed from truth.jsonl directly, not imported from the
// site's pages: what is tested is search, and extraction mistakes (scored
// on their own by score_import.py) would otherwise make the index and the
// truth disagree for reasons that have nothing to do with search. Words
// are compared folded (words.FoldText) and after Bleve's English analyzer,
// the same on both sides, so that "cities" finding "city" is not counted
// as a difference: the analyzer is not what these tests are about, the
// query logic is. The query's last word, typed to the end of the query,
// may be unfinished: it also matches the words it begins (the most
// frequent maxPrefixTerms of them, as written in the notices).

const truthNotices = 500

type truthNotice struct {
	notice.Notice
	titleTerms, bodyTerms []posTerm
	terms                 map[string]bool
}

// posTerm is an analysed term and its position (stop words leave gaps).
type posTerm struct {
	term string
	pos  int
}

type truthCorpus struct {
	notices []truthNotice
	aliases map[string]string // folded name -> partner
	// surface counts the notices having each word as written (folded,
	// unstemmed), for unfinished words.
	surface map[string]int
	stem    func(string) []string
}

// genSite runs gen_site.py into a temporary folder, or skips the test
// when the shared test bed or Python is not there.
func genSite(t *testing.T, notices int) string {
	t.Helper()
	script := filepath.Join("..", "..", "shared", "bench", "site", "gen_site.py")
	if v := os.Getenv("NOTICEKB_SHARED"); v != "" {
		script = filepath.Join(v, "bench", "site", "gen_site.py")
	}
	if _, err := os.Stat(script); err != nil {
		t.Skipf("no site generator at %s (set NOTICEKB_SHARED)", script)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	dir := t.TempDir()
	out, err := exec.Command(python, script, "--out", dir, "--notices", fmt.Sprint(notices), "--seed", "7", "--large-mb", "0.1").CombinedOutput()
	if err != nil {
		t.Fatalf("gen_site.py: %v\n%s", err, out)
	}
	return dir
}

func loadTruth(t *testing.T, site string, analyzer analysis.Analyzer) (*truthCorpus, Labels) {
	t.Helper()
	var orgs struct {
		Organisations []struct {
			Name, Acronym string
			Aliases       []string
			Publisher     bool
		}
	}
	b, err := os.ReadFile(filepath.Join(site, "organisations.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &orgs); err != nil {
		t.Fatal(err)
	}
	// Partners are stored under their acronym, as extraction does.
	short := map[string]string{}
	var partners []notice.Partner
	for _, o := range orgs.Organisations {
		name := o.Acronym
		if name == "" {
			name = o.Name
		}
		short[o.Name] = name
		partners = append(partners, notice.Partner{Name: name, FullName: o.Name, Aliases: o.Aliases})
	}
	labels := NewLabels(partners)
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	plain := m.AnalyzerNamed(plainAnalyzer)
	c := &truthCorpus{aliases: labels.PartnerAliases, surface: map[string]int{}, stem: func(s string) []string { return termsOf(analyzer, s) }}
	f, err := os.Open(filepath.Join(site, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var line struct {
			URL, Title, Body, Template string
			Date                       *string
			Partners, Topics           []string
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		n := notice.Notice{ID: notice.IDForURL(line.URL), URL: line.URL, Title: line.Title, Body: line.Body,
			// The site has one publisher; the page template stands in for
			// it so the publisher facet has several values to count.
			Publisher: line.Template, Topics: line.Topics, Partners: []string{}}
		for _, p := range line.Partners {
			n.Partners = append(n.Partners, short[p])
		}
		if line.Date != nil {
			n.Date = mustDate(*line.Date)
		}
		tn := truthNotice{Notice: n, titleTerms: positions(analyzer, words.FoldText(n.Title)), bodyTerms: positions(analyzer, words.FoldText(n.Body)), terms: map[string]bool{}}
		for _, pt := range append(slices.Clone(tn.titleTerms), tn.bodyTerms...) {
			tn.terms[pt.term] = true
		}
		seen := map[string]bool{}
		for _, w := range termsOf(plain, words.FoldText(n.Title+"\n\n"+n.Body)) {
			if !seen[w] {
				seen[w] = true
				c.surface[w]++
			}
		}
		c.notices = append(c.notices, tn)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return c, labels
}

func positions(a analysis.Analyzer, s string) []posTerm {
	var out []posTerm
	for _, tok := range a.Analyze([]byte(s)) {
		out = append(out, posTerm{string(tok.Term), tok.Position})
	}
	return out
}

func termsOf(a analysis.Analyzer, s string) []string {
	var out []string
	for _, tok := range a.Analyze([]byte(s)) {
		out = append(out, string(tok.Term))
	}
	return out
}

// truthQuery is a query the brute-force counter understands: words (all
// must occur, in the title or the body, or name a partner of the notice),
// one phrase, excluded words, filters and a date range.
type truthQuery struct {
	words   []string
	phrase  string
	exclude []string
	filters map[string][]string
	from    string
	to      string
}

func (tq truthQuery) text() string {
	parts := slices.Clone(tq.words)
	if tq.phrase != "" {
		parts = append(parts, `"`+tq.phrase+`"`)
	}
	for _, w := range tq.exclude {
		parts = append(parts, "-"+w)
	}
	return strings.Join(parts, " ")
}

func (tq truthQuery) query(t *testing.T) notice.Query {
	q := notice.Query{Text: tq.text(), Filters: tq.filters, Size: 100, FacetTop: notice.FacetAll, Months: true}
	var err error
	if q.From, err = notice.ParseDateBound(tq.from, false); err != nil {
		t.Fatal(err)
	}
	if q.To, err = notice.ParseDateBound(tq.to, true); err != nil {
		t.Fatal(err)
	}
	return q
}

// matchesText reports whether a notice matches the words of a query.
func (c *truthCorpus) matchesText(a analysis.Analyzer, n *truthNotice, tq truthQuery) bool {
	for i, w := range tq.words {
		if !c.matchesWord(a, n, w, i == len(tq.words)-1 && tq.lastWordOpen()) {
			return false
		}
	}
	if tq.phrase != "" {
		p := positions(a, words.FoldText(tq.phrase))
		if !containsRun(n.titleTerms, p) && !containsRun(n.bodyTerms, p) {
			return false
		}
	}
	for _, w := range tq.exclude {
		for _, term := range termsOf(a, words.FoldText(w)) {
			if n.terms[term] {
				return false
			}
		}
	}
	return true
}

// lastWordOpen reports whether the query's text ends with its last word,
// which may then be unfinished.
func (tq truthQuery) lastWordOpen() bool { return tq.phrase == "" && len(tq.exclude) == 0 }

// matchesWord reports whether a notice matches one word of a query (or a
// partner's name in several words).
func (c *truthCorpus) matchesWord(a analysis.Analyzer, n *truthNotice, w string, open bool) bool {
	if partner, ok := c.aliases[words.Key(w)]; ok && slices.Contains(n.Partners, partner) {
		return true
	}
	fields := strings.Fields(w)
	for j, word := range fields {
		if !c.hasWord(a, n, word, open && j == len(fields)-1) {
			return false
		}
	}
	return true
}

// matchesAnyWord reports whether a notice has one of the query's words
// (and, as in matchesText, its phrase and none of its excluded words).
func (c *truthCorpus) matchesAnyWord(a analysis.Analyzer, n *truthNotice, tq truthQuery) bool {
	rest := tq
	rest.words = nil
	if !c.matchesText(a, n, rest) {
		return false
	}
	for i, w := range tq.words {
		if c.matchesWord(a, n, w, i == len(tq.words)-1 && tq.lastWordOpen()) {
			return true
		}
	}
	return false
}

// hasWord reports whether a notice has a word's terms, or, for an
// unfinished word, the stem of a word it begins.
func (c *truthCorpus) hasWord(a analysis.Analyzer, n *truthNotice, word string, open bool) bool {
	folded := words.FoldText(word)
	terms := termsOf(a, folded)
	has := true
	for _, term := range terms {
		has = has && n.terms[term]
	}
	if has || !open || len(terms) != 1 || len([]rune(folded)) < minPrefixLetters {
		return has
	}
	var longer []string
	for w := range c.surface {
		if strings.HasPrefix(w, folded) && w != folded {
			longer = append(longer, w)
		}
	}
	slices.SortFunc(longer, func(x, y string) int { return cmp.Or(cmp.Compare(c.surface[y], c.surface[x]), cmp.Compare(x, y)) })
	for _, w := range longer[:min(len(longer), maxPrefixTerms)] {
		if stems := c.stem(w); len(stems) == 1 && n.terms[stems[0]] {
			return true
		}
	}
	return false
}

// containsRun reports whether the run's terms occur at the same relative
// positions (a phrase, stop words included as gaps).
func containsRun(terms, run []posTerm) bool {
	at := map[int]string{}
	for _, pt := range terms {
		at[pt.pos] = pt.term
	}
	for _, start := range terms {
		ok := true
		for _, r := range run {
			if at[start.pos+r.pos-run[0].pos] != r.term {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (tq truthQuery) inDates(t *testing.T, n *truthNotice) bool {
	q := tq.query(t)
	if q.From.IsZero() && q.To.IsZero() {
		return true
	}
	if n.Date.IsZero() {
		return false
	}
	return (q.From.IsZero() || !n.Date.Before(q.From)) && (q.To.IsZero() || !n.Date.After(q.To))
}

func valuesOf(n *truthNotice, facet string) []string {
	switch facet {
	case notice.FacetPartner:
		return n.Partners
	case notice.FacetTopic:
		return n.Topics
	case notice.FacetPublisher:
		return []string{n.Publisher}
	}
	return nil
}

// passes reports whether a notice has one of the selected values of every
// facet but skip.
func (tq truthQuery) passes(n *truthNotice, skip string) bool {
	for facet, selected := range tq.filters {
		if facet == skip {
			continue
		}
		if !slices.ContainsFunc(valuesOf(n, facet), func(v string) bool { return slices.Contains(selected, v) }) {
			return false
		}
	}
	return true
}

// expected is what the truth says a query returns.
type expected struct {
	hits   []string
	facets map[string]map[string]uint64
}

func (c *truthCorpus) expect(t *testing.T, a analysis.Analyzer, tq truthQuery) expected {
	e := expected{facets: map[string]map[string]uint64{}}
	for _, f := range []string{notice.FacetPartner, notice.FacetTopic, notice.FacetPublisher, notice.FacetYear, notice.FacetMonth} {
		e.facets[f] = map[string]uint64{}
	}
	// Two or three words that no notice has together: notices with any
	// of them.
	relaxed := len(tq.words) >= 2 && len(tq.words) <= keywordWords && !slices.ContainsFunc(c.notices, func(n truthNotice) bool {
		return c.matchesText(a, &n, tq)
	})
	first, last := "9999", "0000"
	for i := range c.notices {
		n := &c.notices[i]
		if !n.Date.IsZero() {
			first, last = min(first, n.Date.String()[:7]), max(last, n.Date.String()[:7])
		}
		if !c.matchesText(a, n, tq) && !(relaxed && c.matchesAnyWord(a, n, tq)) {
			continue
		}
		dates := tq.inDates(t, n)
		if dates && tq.passes(n, "") {
			e.hits = append(e.hits, n.ID)
		}
		for _, f := range []string{notice.FacetPartner, notice.FacetTopic, notice.FacetPublisher} {
			if dates && tq.passes(n, f) {
				for _, v := range valuesOf(n, f) {
					e.facets[f][v]++
				}
			}
		}
		if tq.passes(n, "") && !n.Date.IsZero() { // histograms ignore the date range
			e.facets[notice.FacetYear][n.Date.String()[:4]]++
			e.facets[notice.FacetMonth][n.Date.String()[:7]]++
		}
	}
	// Histograms list every bucket of the index's range, empty ones too.
	for m := first; m <= last; m = nextMonth(m) {
		e.facets[notice.FacetMonth][m] += 0
		e.facets[notice.FacetYear][m[:4]] += 0
	}
	slices.Sort(e.hits)
	return e
}

func nextMonth(m string) string {
	var y, mo int
	fmt.Sscanf(m, "%d-%d", &y, &mo)
	if mo == 12 {
		return fmt.Sprintf("%04d-01", y+1)
	}
	return fmt.Sprintf("%04d-%02d", y, mo+1)
}

// allHits pages through a search with search-after and returns every hit
// ID, checking that no hit comes twice.
func allHits(t *testing.T, ix *Index, q notice.Query) ([]string, *notice.Result) {
	t.Helper()
	first := mustSearch(t, ix, q)
	var ids []string
	seen := map[string]bool{}
	r := first
	for {
		for _, h := range r.Hits {
			if seen[h.ID] {
				t.Fatalf("hit %s came twice", h.ID)
			}
			seen[h.ID] = true
			ids = append(ids, h.ID)
		}
		if len(r.Hits) < q.Size {
			break
		}
		q.After = r.Hits[len(r.Hits)-1].SortKey
		r = mustSearch(t, ix, q)
	}
	slices.Sort(ids)
	return ids, first
}

func TestSearchAgreesWithTruth(t *testing.T) {
	site := genSite(t, truthNotices)
	analyzer, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		t.Fatal(err)
	}
	corpus, labels := loadTruth(t, site, analyzer)
	ix := MustIndexTruth(t, corpus, labels)

	klid := map[string][]string{notice.FacetPartner: {"KLID"}}
	queries := []truthQuery{
		{},
		{words: []string{"smart"}},
		{words: []string{"digital", "government"}},
		{words: []string{"capacity", "workshop"}},
		{words: []string{"cities"}},
		{words: []string{"digital", "gov"}}, // unfinished: government, governance…
		{words: []string{"Turkiye"}},        // Türkiye
		{words: []string{"BOGOTA", "male"}}, // Bogotá, Malé: no notice has both
		{words: []string{"smart", "resilience", "xyzzy"}},
		{phrase: "local government"},
		{words: []string{"forum"}, exclude: []string{"smart"}},
		{words: []string{"KLID"}},
		{words: []string{"DESA"}},
		{words: []string{"Korea Local Information Research & Development Institute"}},
		{filters: klid},
		{filters: map[string][]string{notice.FacetPartner: {"KLID", "UNDP"}}},
		{filters: map[string][]string{notice.FacetTopic: {"Smart city"}}},
		{filters: map[string][]string{notice.FacetPartner: {"KLID", "UN DESA"}, notice.FacetTopic: {"E-government", "Digital identity"}}},
		{filters: map[string][]string{notice.FacetPublisher: {"board", "wp"}}},
		{from: "2015", to: "2017-06"},
		{from: "2019-03-15"},
		{words: []string{"innovation"}, filters: klid, from: "2012", to: "2020"},
		{words: []string{"policy"}, filters: map[string][]string{notice.FacetTopic: {"Localizing the SDGs"}, notice.FacetPublisher: {"jsonld"}}, to: "2016-12-31"},
	}
	for _, tq := range queries {
		name := fmt.Sprintf("%s %v %s..%s", tq.text(), tq.filters, tq.from, tq.to)
		t.Run(name, func(t *testing.T) {
			// Single words count only when the whole query is that word.
			if len(tq.words) == 1 && strings.Contains(tq.words[0], " ") {
				tq.words = []string{tq.words[0]}
			}
			want := corpus.expect(t, analyzer, tq)
			q := tq.query(t)
			got, first := allHits(t, ix, q)
			if !slices.Equal(got, want.hits) {
				t.Errorf("hits: got %d, want %d; missing %v, extra %v", len(got), len(want.hits), missing(want.hits, got), missing(got, want.hits))
			}
			if first.Total != uint64(len(want.hits)) {
				t.Errorf("total = %d, want %d", first.Total, len(want.hits))
			}
			for facet, counts := range want.facets {
				gotCounts := map[string]uint64{}
				for _, v := range first.Facets[facet] {
					if v.Count > 0 || facet == notice.FacetYear || facet == notice.FacetMonth {
						gotCounts[v.Value] = v.Count
					}
				}
				wantCounts := maps.Clone(counts)
				if facet != notice.FacetYear && facet != notice.FacetMonth {
					maps.DeleteFunc(wantCounts, func(_ string, n uint64) bool { return n == 0 })
				}
				if !maps.Equal(gotCounts, wantCounts) {
					t.Errorf("%s counts differ:\n got %v\nwant %v", facet, gotCounts, wantCounts)
				}
			}
			if len(want.hits) < 10 && len(tq.words) > 0 {
				t.Logf("only %d hits: pick a commoner word", len(want.hits))
			}
		})
	}
}

// TestSearchOrderAgreesWithTruth checks date order, page and search-after
// paging against the truth: newest (or oldest) first, ties by ID, undated
// notices last.
func TestSearchOrderAgreesWithTruth(t *testing.T) {
	site := genSite(t, 300)
	analyzer, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		t.Fatal(err)
	}
	corpus, labels := loadTruth(t, site, analyzer)
	ix := MustIndexTruth(t, corpus, labels)
	for _, sort := range []notice.Sort{notice.SortNewest, notice.SortOldest} {
		t.Run(string(sort), func(t *testing.T) {
			tq := truthQuery{filters: map[string][]string{notice.FacetTopic: {"Smart city", "E-government"}}}
			want := corpus.expect(t, analyzer, tq).hits
			byID := map[string]*truthNotice{}
			for i := range corpus.notices {
				byID[corpus.notices[i].ID] = &corpus.notices[i]
			}
			slices.SortFunc(want, func(a, b string) int {
				da, db := byID[a].Date, byID[b].Date
				switch {
				case da != db && da.IsZero():
					return 1
				case da != db && db.IsZero():
					return -1
				case da.Before(db) == (sort == notice.SortNewest) && da != db:
					return 1
				case da != db:
					return -1
				}
				return strings.Compare(a, b)
			})
			q := tq.query(t)
			q.Sort, q.Size = sort, 7
			var byPage, byAfter []string
			for page := 1; ; page++ {
				q.Page = page
				r := mustSearch(t, ix, q)
				for _, h := range r.Hits {
					byPage = append(byPage, h.ID)
				}
				if len(r.Hits) < q.Size {
					break
				}
			}
			q.Page = 1
			for {
				r := mustSearch(t, ix, q)
				for _, h := range r.Hits {
					byAfter = append(byAfter, h.ID)
				}
				if len(r.Hits) < q.Size {
					break
				}
				q.After = r.Hits[len(r.Hits)-1].SortKey
			}
			if !slices.Equal(byPage, want) {
				t.Errorf("pages: got %v…, want %v…", byPage[:min(8, len(byPage))], want[:min(8, len(want))])
			}
			if !slices.Equal(byAfter, want) {
				t.Errorf("search-after: got %v…, want %v…", byAfter[:min(8, len(byAfter))], want[:min(8, len(want))])
			}
		})
	}
}

// MustIndexTruth indexes a truth corpus in several batches (so the index
// has several segments) and sets its partner labels.
func MustIndexTruth(tb testing.TB, corpus *truthCorpus, labels Labels) *Index {
	tb.Helper()
	ix, err := Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	notices := make([]notice.Notice, len(corpus.notices))
	for i, n := range corpus.notices {
		notices[i] = n.Notice
	}
	for start := 0; start < len(notices); start += 200 {
		if err := ix.Apply(notices[start:min(start+200, len(notices))], uint64(start+1)); err != nil {
			tb.Fatal(err)
		}
	}
	ix.SetLabels(labels)
	return ix
}

func missing(want, got []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			out = append(out, w)
		}
	}
	if len(out) > 5 {
		out = append(out[:5], "…")
	}
	return out
}
