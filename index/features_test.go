package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

func TestMonthHistogram(t *testing.T) {
	ix := MustIndex(t, corpus)
	from, _ := notice.ParseDateBound("2018-03", false)
	r := mustSearch(t, ix, notice.Query{Months: true, From: from})
	months := r.Facets[notice.FacetMonth]
	// From the first month with a notice to the last, empty ones included.
	if len(months) != 36 || months[0].Value != "2017-08" || months[35].Value != "2020-07" {
		t.Fatalf("months: %d from %s to %s, want 36 from 2017-08 to 2020-07", len(months), months[0].Value, months[len(months)-1].Value)
	}
	got := map[string]notice.FacetValue{}
	for _, m := range months {
		got[m.Value] = m
	}
	// The histogram ignores the date range; months inside it are selected.
	if got["2017-08"].Count != 1 || got["2017-08"].Selected {
		t.Errorf("2017-08 = %+v, want count 1, not selected", got["2017-08"])
	}
	if got["2020-05"].Count != 1 || !got["2020-05"].Selected || got["2019-01"].Count != 0 || !got["2019-01"].Selected {
		t.Errorf("2020-05 = %+v, 2019-01 = %+v", got["2020-05"], got["2019-01"])
	}
}

func TestFacetPrefixTopAndSizes(t *testing.T) {
	ix := MustIndex(t, corpus)
	r := mustSearch(t, ix, notice.Query{FacetTop: 1})
	if len(r.Facets[notice.FacetPartner]) != 1 || r.Facets[notice.FacetPartner][0].Value != "KLID" {
		t.Errorf("top 1 partner = %+v, want KLID", r.Facets[notice.FacetPartner])
	}
	if r.FacetSizes[notice.FacetPartner] != 2 || r.FacetSizes[notice.FacetTopic] != 4 {
		t.Errorf("facet sizes = %v, want partner 2, topic 4", r.FacetSizes)
	}
	all := mustSearch(t, ix, notice.Query{FacetTop: notice.FacetAll})
	if len(all.Facets[notice.FacetTopic]) != 4 {
		t.Errorf("all topics = %d, want 4", len(all.Facets[notice.FacetTopic]))
	}
	tests := []struct {
		facet, prefix string
		want          []string
	}{
		{notice.FacetPartner, "kor", []string{"KLID"}}, // by its full name
		{notice.FacetPartner, "un d", []string{"UN DESA"}},
		{notice.FacetTopic, "ci", []string{"Smart city"}}, // any word of the value
		{notice.FacetTopic, "x", nil},
	}
	for _, tt := range tests {
		r := mustSearch(t, ix, notice.Query{FacetPrefix: map[string]string{tt.facet: tt.prefix}})
		var got []string
		for _, v := range r.Facets[tt.facet] {
			got = append(got, v.Value)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s prefix %q = %v, want %v", tt.facet, tt.prefix, got, tt.want)
		}
	}
}

func TestTypoSuggestionAndCorrection(t *testing.T) {
	var notices []notice.Notice
	for i, body := range []string{
		"Smart city platforms were discussed with the government.",
		"The government launched a smart city survey.",
		"Resilience of local government services.",
		"A workshop on government resilience.",
		"Government officials met on resilience planning.",
	} {
		notices = append(notices, notice.Notice{ID: string(rune('a' + i)), Title: "Notice", Body: body, Date: mustDate("2020-01-0" + string(rune('1'+i))), Partners: []string{}, Topics: []string{}})
	}
	ix := MustIndex(t, notices)
	// Within the typos allowed: found as typed, and the spelling offered.
	r := mustSearch(t, ix, notice.Query{Text: "goverment resilence"})
	if r.Suggestion != "government resilience" || r.Corrected || r.Total != 3 {
		t.Errorf("suggestion %q corrected %v total %d, want \"government resilience\", false, 3", r.Suggestion, r.Corrected, r.Total)
	}
	// Beyond them (two typos in a word of 8 letters): no notice has the
	// words as typed (some have one of them), so the correction's results,
	// said so.
	r = mustSearch(t, ix, notice.Query{Text: "govrment resilence"})
	if r.Suggestion != "government resilience" || !r.Corrected || r.Total != 3 {
		t.Errorf("suggestion %q corrected %v total %d, want \"government resilience\", true, 3", r.Suggestion, r.Corrected, r.Total)
	}
	// Verbatim: what was typed (notices with one of the words), and the
	// correction only offered.
	r = mustSearch(t, ix, notice.Query{Text: "govrment resilence", Verbatim: true})
	if r.Suggestion != "government resilience" || r.Corrected || !r.Relaxed || r.Total != 3 {
		t.Errorf("verbatim: suggestion %q corrected %v relaxed %v total %d, want \"government resilience\", false, true, 3", r.Suggestion, r.Corrected, r.Relaxed, r.Total)
	}
	// Words that are in the index are left alone; no notice has both, so
	// those with either are shown, and the result says so.
	r = mustSearch(t, ix, notice.Query{Text: "smart resilience"})
	if r.Suggestion != "" || r.Total != 5 || !r.Relaxed {
		t.Errorf("suggestion %q total %d relaxed %v, want none, 5, true", r.Suggestion, r.Total, r.Relaxed)
	}
}

func TestRelated(t *testing.T) {
	ix := MustIndex(t, corpus)
	hits, err := ix.Related(context.Background(), "a", 3)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	// c shares KLID, Smart city and words; it ranks first; a itself never shows.
	if len(ids) == 0 || ids[0] != "c" || slices.Contains(ids, "a") {
		t.Errorf("related to a = %v, want c first and not a", ids)
	}
	if _, err := ix.Related(context.Background(), "nope", 3); !errors.Is(err, notice.ErrNotFound) {
		t.Errorf("related to a missing notice: err = %v, want ErrNotFound", err)
	}
}

func TestKoreanWordForms(t *testing.T) {
	ix := MustIndex(t, []notice.Notice{
		{ID: "k1", Title: "협력 소식", Body: "유엔거버넌스센터는 지역정보개발원과 협력하였다.", Partners: []string{}, Topics: []string{}},
		{ID: "k2", Title: "정보 소식", Body: "지역 주민에게 정보를 제공하였다.", Partners: []string{}, Topics: []string{}},
	})
	tests := []struct {
		query string
		want  []string
	}{
		{"지역정보", []string{"k1"}},        // inside 지역정보개발원과, not 지역 … 정보 apart
		{"협력", []string{"k1"}},          // 협력하였다
		{"정보", []string{"k1", "k2"}},    // 정보를 and 지역정보개발원과
		{"센", []string{"k1"}},           // one syllable: the start of a gram
		{"개발원 협력", []string{"k1"}},      // two words, both must match
		{"지역정보 -협력", []string(nil)},     // excluded
		{"유엔거버넌스센터", []string{"k1"}},    // a long word
		{"제공하였다", []string{"k2"}},       // a whole word form
		{"없는단어", []string(nil)},         // no such word
		{"정보 title:협력", []string{"k1"}}, // a field clause
	}
	for _, tt := range tests {
		r := mustSearch(t, ix, notice.Query{Text: tt.query})
		if got := ids(r); !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
	r := mustSearch(t, ix, notice.Query{Text: "지역정보"})
	if len(r.Hits) == 1 && !strings.Contains(r.Hits[0].Snippet, "<mark>지역정보</mark>") {
		t.Errorf("snippet = %q, want the Korean word marked", r.Hits[0].Snippet)
	}
}

func TestBadInput(t *testing.T) {
	ix := MustIndex(t, corpus)
	tests := []struct {
		name string
		q    notice.Query
	}{
		{"huge query", notice.Query{Text: strings.Repeat("a", notice.MaxQueryLength+1)}},
		{"too many filters", notice.Query{Text: strings.Repeat("-word ", maxFilterClauses+1)}},
		{"page out of range", notice.Query{Page: notice.MaxPage + 1}},
		{"size out of range", notice.Query{Size: notice.MaxPageSize + 1}},
		{"negative size", notice.Query{Size: -1}},
		{"unknown partner", notice.Query{Filters: map[string][]string{notice.FacetPartner: {"Nobody"}}}},
		{"from after to", notice.Query{From: mustDate("2020-01-02"), To: mustDate("2020-01-01")}},
		{"bad sort", notice.Query{Sort: "random"}},
		{"bad after", notice.Query{After: []string{"x"}}},
		{"after from another order", notice.Query{Text: "smart", After: []string{"2020-01-01", "a"}}},
		{"facet size", notice.Query{FacetTop: notice.MaxFacetTop + 1}},
	}
	for _, tt := range tests {
		_, err := ix.Search(context.Background(), tt.q)
		if !errors.Is(err, notice.ErrInvalidQuery) {
			t.Errorf("%s: err = %v, want ErrInvalidQuery", tt.name, err)
		}
	}
	// Syntax that would break a query-string parser is read as words.
	for _, text := range []string{`"smart`, `smart)`, `title:`, `+`, `-`, `partner:"`, `((`, `smart AND OR city`, `*`, `\`} {
		if _, err := ix.Search(context.Background(), notice.Query{Text: text}); err != nil {
			t.Errorf("Search(%q): %v", text, err)
		}
	}
}

func TestNoHitCapAndExactTotal(t *testing.T) {
	var notices []notice.Notice
	for i := range 2500 {
		notices = append(notices, notice.Notice{ID: strings.Repeat("0", 6-len(itoa(uint64(i)))) + itoa(uint64(i)), Title: "Notice", Body: "common words here",
			Date: notice.DateOf(time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%700)), Partners: []string{}, Topics: []string{}})
	}
	ix := MustIndex(t, notices)
	r := mustSearch(t, ix, notice.Query{Text: "common", Size: 100, Page: 25})
	if r.Total != 2500 || len(r.Hits) != 100 {
		t.Fatalf("total %d, hits %d on page 25, want 2500 and 100", r.Total, len(r.Hits))
	}
	seen := map[string]bool{}
	q := notice.Query{Sort: notice.SortOldest, Size: 100}
	for {
		r := mustSearch(t, ix, q)
		for _, h := range r.Hits {
			seen[h.ID] = true
		}
		if len(r.Hits) < q.Size {
			break
		}
		q.After = r.Hits[len(r.Hits)-1].SortKey
	}
	if len(seen) != 2500 {
		t.Errorf("search-after reached %d notices, want 2500", len(seen))
	}
}

// markedWords analyses only the words that may match; it must find what
// analysing every word finds, accents and case aside.
func TestMarkedWordsMatchFullAnalysis(t *testing.T) {
	ix := MustIndex(t, corpus)
	r, err := ix.openReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.snap.Close()
	body := "Cities' e-government: UNPOG's Smart-City work with KLID, 2030 Agenda; the city's CITIZENS met ‘citizen’ groups. Governance & governments — Türkiye's digital IDs, used by TURKİYE."
	for _, query := range []string{"city", "cities government", "unpog", "2030 agenda", "citizens", "id digital", "türkiye", "turkiye", "e-government", "smart", "use"} {
		plan, err := planText(r.analyzer, query, &Labels{})
		if err != nil {
			t.Fatal(err)
		}
		got := markedWords(body, r.analyzer, plan.marks)
		want := everyMarkedWord(body, r.analyzer, plan.marks)
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", query, got, want)
		}
	}
}

// everyMarkedWord is markedWords without its shortcut: every word of the
// body, folded and analysed.
func everyMarkedWord(body string, analyzer analysis.Analyzer, marks map[string]bool) []span {
	var spans []span
	for _, w := range strings.FieldsFunc(body, func(r rune) bool { return !isWordRune(r) }) {
		start := strings.Index(body, w)
		for _, t := range analyzer.Analyze([]byte(words.FoldText(w))) {
			if marks[string(t.Term)] {
				spans = append(spans, span{start, start + len(w), string(t.Term)})
				break
			}
		}
		body = body[:start] + strings.Repeat(" ", len(w)) + body[start+len(w):]
	}
	return spans
}

// Updates and withdrawals change hits and counts at once: a view never
// counts a replaced or removed notice.
func TestUpdatesAndWithdrawalsInFacets(t *testing.T) {
	ix := MustIndex(t, corpus)
	changed := corpus[0] // a: KLID, Smart city
	changed.Partners = []string{"UN DESA"}
	gone := corpus[1] // b
	gone.WithdrawnAt = time.Now()
	if err := ix.Apply([]notice.Notice{changed, gone}, 10); err != nil {
		t.Fatal(err)
	}
	r := mustSearch(t, ix, notice.Query{})
	if r.Total != 4 {
		t.Errorf("total = %d, want 4", r.Total)
	}
	if got := counts(r.Facets[notice.FacetPartner]); got["KLID"] != 3 || got["UN DESA"] != 2 {
		t.Errorf("partner counts = %v, want KLID 3, UN DESA 2", got)
	}
	if got := counts(r.Facets[notice.FacetYear]); got["2018"] != 0 || got["2017"] != 1 {
		t.Errorf("year counts = %v", got)
	}
	if got := ids(mustSearch(t, ix, notice.Query{Text: "survey"})); len(got) != 0 {
		t.Errorf("withdrawn notice still found: %v", got)
	}
}

// A one-syllable Korean query expands to every gram it begins; past the
// clause limit that is a clear invalid query, not a failure.
func TestClauseLimitIsInvalidQuery(t *testing.T) {
	var words []string
	for r := '가'; r < '가'+maxClauseCount+10; r++ {
		words = append(words, "각"+string(r))
	}
	ix := MustIndex(t, []notice.Notice{{ID: "k", Title: "t", Body: strings.Join(words, " "), Partners: []string{}, Topics: []string{}}})
	if _, err := ix.Search(context.Background(), notice.Query{Text: "각"}); !errors.Is(err, notice.ErrInvalidQuery) {
		t.Errorf("err = %v, want ErrInvalidQuery", err)
	}
	if r := mustSearch(t, ix, notice.Query{Text: "각가"}); r.Total != 1 {
		t.Errorf("two syllables: total %d, want 1", r.Total)
	}
}

// Accents and case are folded at index and query time; the snippet marks
// the words as written.
func TestAccentsAndCase(t *testing.T) {
	ix := MustIndex(t, []notice.Notice{
		{ID: "male", Title: "Forum in Malé", Body: "Officials met in Malé, Maldives.", Partners: []string{}, Topics: []string{}},
		{ID: "hue", Title: "Workshop in Huế", Body: "The city of Huế hosted it.", Partners: []string{}, Topics: []string{}},
		{ID: "hanoi", Title: "Seminar in Hà Nội", Body: "Held in Hà Nội with partners from Türkiye and İstanbul.", Partners: []string{}, Topics: []string{}},
		{ID: "make", Title: "How to make it", Body: "We make things.", Partners: []string{}, Topics: []string{}},
	})
	for _, tt := range []struct{ query, want string }{
		{"Male", "male"}, {"malé", "male"}, {"MALE", "male"}, {"Hue", "hue"}, {"Ha Noi", "hanoi"},
		{"Turkiye", "hanoi"}, {"TÜRKIYE", "hanoi"}, {"istanbul", "hanoi"}, {"Istanbul", "hanoi"},
	} {
		r := mustSearch(t, ix, notice.Query{Text: tt.query})
		if got := ids(r); len(got) == 0 || got[0] != tt.want {
			t.Errorf("%q: %v, want %s first", tt.query, got, tt.want)
		}
	}
	r := mustSearch(t, ix, notice.Query{Text: "male"})
	if len(r.Hits) == 0 || !strings.Contains(r.Hits[0].Snippet, "<mark>Malé</mark>") {
		t.Errorf("snippet %q: want Malé marked as written", r.Hits)
	}
	if r.Hits[0].Title != "Forum in Malé" {
		t.Errorf("title %q, want it as written", r.Hits[0].Title)
	}
}

// Typos per word with Meilisearch's thresholds, the last word as the
// beginning of longer words, and what matched as typed first.
func TestTyposAndUnfinishedWords(t *testing.T) {
	var notices []notice.Notice
	for i, body := range []string{
		"Climate adaptation in coastal cities.",     // 0
		"A governance workshop on resilience.",      // 1
		"Work plans for the year.",                  // 2
		"A workshop on digital work.",               // 3
		"The cat sat on the mat with the capacity.", // 4
		"Budget of the province and the climb.",     // 5
	} {
		notices = append(notices, notice.Notice{ID: fmt.Sprint(i), Title: "Notice", Body: body, Partners: []string{}, Topics: []string{}})
	}
	ix := MustIndex(t, notices)
	for _, tt := range []struct {
		query string
		want  []string // in rank order; nil: none
	}{
		{"adaptaton", []string{"0"}},      // a letter left out (9 letters: two typos allowed)
		{"climte", []string{"0"}},         // 6 letters, one typo
		{"clmiate", []string{"0"}},        // a swap is one typo
		{"clmt", nil},                     // 4 letters: no typo
		{"governence", []string{"1"}},     // a letter changed
		{"xovernance", []string{"1"}},     // the first letter, in a word of 9 or more letters
		{"xlimate", nil},                  // the first letter counts as two typos
		{"clim", []string{"0", "5"}},      // unfinished: climate, climb
		{"work", []string{"2", "3", "1"}}, // as typed first: work, then workshop
		{"digital wor", []string{"3"}},    // every word, the last unfinished
	} {
		// Verbatim: what typo tolerance finds, no correction applied.
		r := mustSearch(t, ix, notice.Query{Text: tt.query, Verbatim: true})
		var got []string
		for _, h := range r.Hits {
			got = append(got, h.ID)
		}
		if tt.query == "clim" || tt.query == "work" {
			// Equals by quality rank by BM25; check the set and what comes last.
			if len(got) != len(tt.want) || got[len(got)-1] != tt.want[len(tt.want)-1] && tt.query == "work" || !slices.Equal(ids(r), slices.Sorted(slices.Values(tt.want))) {
				t.Errorf("%q: %v, want %v", tt.query, got, tt.want)
			}
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: %v, want %v", tt.query, got, tt.want)
		}
	}
}

// hostileQueries are queries no visitor means but some send: each is
// answered (results or none), never refused or failed, and in bounded
// time (the figures at 100,000 notices are in README's benchmarks).
var hostileQueries = map[string]string{
	"only punctuation":          "!!! ??? ... --- ;;; *** ///",
	"one-letter words":          "a b c x y z",
	"100 one-letter words":      strings.Repeat("q ", 100),
	"200 fuzzy-eligible words":  strings.Repeat("goverment resilence adaptaton climte ", 50),
	"200 different typos":       typoWords(200),
	"a word of 1,000 letters":   strings.Repeat("w", 1000),
	"mixed scripts":             "smart 유엔거버넌스 Москва 東京 ١٢٣ city Huế",
	"a pasted abstract":         strings.Repeat("The present study is a history of the classification of digital government services. ", 40),
	"combining marks alone":     strings.Repeat("\u0301", 300),
	"one-syllable Korean words": strings.Repeat("가 ", 100),
}

// typoWords are n different words of 9 letters no notice has.
func typoWords(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("governzx")
		b.WriteByte(byte('a' + i%26))
		b.WriteString(strings.Repeat("q", i/26))
		b.WriteByte(' ')
	}
	return b.String()
}

func TestHostileQueries(t *testing.T) {
	ix := MustIndex(t, corpus)
	for name, text := range hostileQueries {
		if len([]rune(text)) > notice.MaxQueryLength {
			text = string([]rune(text)[:notice.MaxQueryLength])
		}
		for _, sort := range []notice.Sort{notice.SortRelevance, notice.SortNewest} {
			if _, err := ix.Search(context.Background(), notice.Query{Text: text, Sort: sort}); err != nil {
				t.Errorf("%s (%s): %v", name, sort, err)
			}
		}
	}
	// A paste of a notice's own words finds it first.
	r := mustSearch(t, ix, notice.Query{Text: "What did KLID and UNPOG discuss about smart city platforms in Incheon, and with whom?"})
	if len(r.Hits) == 0 || r.Hits[0].ID != "a" {
		t.Errorf("question: %v, want a first", ids(r))
	}
}

// Skipping through postings to the candidates reads what reading them all
// reads, for any candidates.
func TestSkipToMatchesScan(t *testing.T) {
	var notices []notice.Notice
	for i := range 300 {
		body := "word "
		if i%3 != 0 { // gaps, so that skipping overshoots candidates
			body += strings.Repeat("common ", 1+i%5)
		}
		if i%7 == 0 {
			body += "rare"
		}
		notices = append(notices, notice.Notice{ID: fmt.Sprintf("n%03d", i), Title: "t", Body: body, Partners: []string{}, Topics: []string{}})
	}
	ix := MustIndex(t, notices)
	r, err := ix.openReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.snap.Close()
	for _, step := range []uint32{1, 2, 3, 7, 50, 299} {
		cands := roaring.New()
		for d := uint32(0); d < 300; d += step {
			cands.Add(d)
		}
		type hit struct{ doc, tf uint64 }
		var scanned, skipped []hit
		dict := r.dict(fieldText, 0)
		seg := r.snap.Segments()[0]
		pl, _ := dict.PostingsList([]byte("common"), seg.Deleted(), nil)
		it := pl.Iterator(true, false, false, nil)
		for p, err := it.Next(); p != nil && err == nil; p, err = it.Next() {
			if cands.Contains(uint32(p.Number())) {
				scanned = append(scanned, hit{p.Number(), p.Frequency()})
			}
		}
		skipTo(pl.Iterator(true, false, false, nil), cands, 0, uint32(seg.Count()), func(doc uint32, tf uint64) {
			skipped = append(skipped, hit{uint64(doc), tf})
		})
		if !slices.Equal(scanned, skipped) || len(scanned) == 0 {
			t.Errorf("every %d: scanned %v, skipped %v", step, scanned, skipped)
		}
	}
}

// A common term's kept weights are the BM25 weights its postings give.
func TestCommonTermWeights(t *testing.T) {
	var notices []notice.Notice
	for i := range commonTermMin*5/4 + 100 {
		body := strings.Repeat("alpha ", 1+i%4) + strings.Repeat("filler ", i%9)
		if i%5 == 0 {
			body = "beta"
		}
		notices = append(notices, notice.Notice{ID: fmt.Sprintf("n%04d", i), Title: "t", Body: body, Partners: []string{}, Topics: []string{}})
	}
	ix := MustIndex(t, notices)
	r, err := ix.openReader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.snap.Close()
	w := r.commonTerm("alpha")
	if w == nil || r.commonTerm("beta") != nil {
		t.Fatalf("alpha common: %v, beta common: %v", w != nil, r.commonTerm("beta") != nil)
	}
	sc := r.scratch.get(len(r.view.day))
	defer r.scratch.put(sc)
	sc.mark(r.view.live)
	idf := r.idf(r.df("alpha"))
	n := 0
	r.eachPosting("alpha", sc, func(doc uint32, tf uint64) {
		n++
		if want := float32(r.bm25(idf, tf, doc)); w.weight[doc] != want {
			t.Errorf("doc %d: kept %v, postings give %v", doc, w.weight[doc], want)
		}
	})
	if uint64(n) != w.docs.GetCardinality() || n == 0 {
		t.Errorf("%d postings, %d kept notices", n, w.docs.GetCardinality())
	}
}
