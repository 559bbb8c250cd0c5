package index

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

func mustDate(s string) notice.Date {
	d, err := notice.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// corpus is small enough to count by hand: which partner and topic each
// notice has, and its year.
var corpus = []notice.Notice{
	{ID: "a", Title: "Smart city forum with KLID", Body: "KLID and UNPOG discussed smart city platforms in Incheon.", Date: mustDate("2017-08-09"), Publisher: "UNPOG", Partners: []string{"KLID"}, Topics: []string{"Smart city"}},
	{ID: "b", Title: "E-government survey launched", Body: "The survey on e-government was launched with UN DESA.", Date: mustDate("2018-03-01"), Publisher: "UNPOG", Partners: []string{"UN DESA"}, Topics: []string{"E-government"}},
	{ID: "c", Title: "Digital identity workshop", Body: "KLID and UN DESA held a workshop on digital identity and smart city services.", Date: mustDate("2020-05-05"), Publisher: "UNPOG", Partners: []string{"KLID", "UN DESA"}, Topics: []string{"Digital identity", "Smart city"}},
	{ID: "d", Title: "Korean notice", Body: "유엔거버넌스센터는 지역정보개발원과 협력하였다.", Date: mustDate("2020-07-01"), Publisher: "UNPOG", Partners: []string{"KLID"}, Topics: []string{}},
	{ID: "e", Title: "Undated capacity note", Body: "Capacity development for civil servants, with the Korea Local Information Research & Development Institute.", Publisher: "KOICA", Partners: []string{"KLID"}, Topics: []string{"Capacity development"}},
}

func MustIndex(tb testing.TB, notices []notice.Notice) *Index {
	tb.Helper()
	ix, err := Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.Apply(notices, uint64(len(notices))); err != nil {
		tb.Fatal(err)
	}
	ix.SetLabels(Labels{
		Partner: map[string]string{"KLID": "Korea Local Information Research & Development Institute"},
		PartnerAliases: map[string]string{
			"klid": "KLID", "korea local information research and development institute": "KLID",
			"un desa": "UN DESA", "desa": "UN DESA",
		},
	})
	return ix
}

func mustSearch(tb testing.TB, ix *Index, q notice.Query) *notice.Result {
	tb.Helper()
	r, err := ix.Search(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func ids(r *notice.Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	slices.Sort(out)
	return out
}

func counts(values []notice.FacetValue) map[string]uint64 {
	m := map[string]uint64{}
	for _, v := range values {
		m[v.Value] = v.Count
	}
	return m
}

func TestSearchWords(t *testing.T) {
	ix := MustIndex(t, corpus)
	tests := []struct {
		query string
		want  []string
	}{
		{"smart city", []string{"a", "c"}},
		{"smart -workshop", []string{"a"}},
		{`"digital identity"`, []string{"c"}},
		{"the smart city", []string{"a", "c"}}, // a stop word does not empty the result
		{`title:survey`, []string{"b"}},
		{`partner:klid`, []string{"a", "c", "d", "e"}},
		{`"smart city`, []string{"a", "c"}},    // an unterminated quote reads as words
		{"KLID", []string{"a", "c", "d", "e"}}, // e names the institute only by its full name
		{"Korea Local Information Research & Development Institute", []string{"a", "c", "d", "e"}},
		{"지역정보", []string{"d"}}, // a Korean word inside a longer word form
		{"nothingmatchesthis", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := mustSearch(t, ix, notice.Query{Text: tt.query})
			if got := ids(r); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			}
			if r.Total != uint64(len(tt.want)) {
				t.Errorf("Total = %d, want %d", r.Total, len(tt.want))
			}
		})
	}
}

func TestFacetsAreDisjunctive(t *testing.T) {
	ix := MustIndex(t, corpus)
	r := mustSearch(t, ix, notice.Query{Filters: map[string][]string{notice.FacetPartner: {"UN DESA"}}})
	if got := ids(r); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("hits = %v, want b c", got)
	}
	// The partner facet ignores its own selection: KLID still shows its 4.
	if got := counts(r.Facets[notice.FacetPartner]); got["KLID"] != 4 || got["UN DESA"] != 2 {
		t.Errorf("partner counts = %v, want KLID 4, UN DESA 2", got)
	}
	// Other facets follow the selection.
	if got := counts(r.Facets[notice.FacetTopic]); got["Smart city"] != 1 || got["E-government"] != 1 || got["Capacity development"] != 0 {
		t.Errorf("topic counts = %v", got)
	}
	for _, v := range r.Facets[notice.FacetPartner] {
		if v.Value == "UN DESA" && !v.Selected {
			t.Error("UN DESA not marked selected")
		}
		if v.Value == "KLID" && v.Label == "" {
			t.Error("KLID has no label")
		}
	}
}

// The sites' own sections are a facet like the topics: counted, filtered
// on (OR within), searched as section:value, with values kept whole.
func TestSectionFacet(t *testing.T) {
	ix := MustIndex(t, []notice.Notice{
		{ID: "p1", Title: "Permit fees change", Body: "New fees.", Sections: []string{"Press releases", "Permits"}},
		{ID: "p2", Title: "Road works", Body: "Works on Main Street.", Sections: []string{"Press releases"}},
		{ID: "p3", Title: "Council meets", Body: "The council met.", Sections: []string{"City council"}},
	})
	r := mustSearch(t, ix, notice.Query{Filters: map[string][]string{notice.FacetSection: {"Permits", "City council"}}})
	if got := ids(r); !slices.Equal(got, []string{"p1", "p3"}) {
		t.Errorf("filtered on two sections: %v, want p1 p3", got)
	}
	if got := counts(r.Facets[notice.FacetSection]); got["Press releases"] != 2 || got["Permits"] != 1 || got["City council"] != 1 {
		t.Errorf("section counts = %v", got)
	}
	if got := ids(mustSearch(t, ix, notice.Query{Text: `section:"Press releases"`})); !slices.Equal(got, []string{"p1", "p2"}) {
		t.Errorf("section:\"Press releases\" = %v", got)
	}
}

func TestSelectedValueShownAtZero(t *testing.T) {
	ix := MustIndex(t, corpus)
	// "Capacity development" exists, but no notice about a survey has it.
	r := mustSearch(t, ix, notice.Query{Text: "survey", Filters: map[string][]string{notice.FacetTopic: {"Capacity development"}}})
	if r.Total != 0 {
		t.Fatalf("total = %d, want 0", r.Total)
	}
	found := false
	for _, v := range r.Facets[notice.FacetTopic] {
		if v.Value == "Capacity development" && v.Selected && v.Count == 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("selected value missing from %+v", r.Facets[notice.FacetTopic])
	}
}

func TestUnknownFilterValueIsInvalid(t *testing.T) {
	ix := MustIndex(t, corpus)
	_, err := ix.Search(context.Background(), notice.Query{Filters: map[string][]string{notice.FacetTopic: {"No such topic"}}})
	if !errors.Is(err, notice.ErrInvalidQuery) {
		t.Fatalf("err = %v, want ErrInvalidQuery", err)
	}
	// Case, spacing and another name of a partner still find the value.
	for _, v := range []string{"smart CITY", "klid", "Korea Local Information Research and Development Institute"} {
		facet := notice.FacetTopic
		if v != "smart CITY" {
			facet = notice.FacetPartner
		}
		if _, err := ix.Search(context.Background(), notice.Query{Filters: map[string][]string{facet: {v}}}); err != nil {
			t.Errorf("%s %q: %v", facet, v, err)
		}
	}
}

func TestYearHistogramZeroFilledAndDateFilter(t *testing.T) {
	ix := MustIndex(t, corpus)
	r := mustSearch(t, ix, notice.Query{})
	var years []string
	for _, v := range r.Facets[notice.FacetYear] {
		years = append(years, v.Value+"="+itoa(v.Count))
	}
	if want := "2017=1 2018=1 2019=0 2020=2"; strings.Join(years, " ") != want {
		t.Errorf("years = %v, want %s", years, want)
	}
	from, _ := notice.ParseDateBound("2018", false)
	to, _ := notice.ParseDateBound("2019", true)
	r = mustSearch(t, ix, notice.Query{From: from, To: to})
	if got := ids(r); !slices.Equal(got, []string{"b"}) {
		t.Errorf("2018–2019 hits = %v, want b", got)
	}
	// The histogram ignores the range, so other years stay visible.
	for _, v := range r.Facets[notice.FacetYear] {
		wantSelected := v.Value == "2018" || v.Value == "2019"
		if v.Selected != wantSelected {
			t.Errorf("year %s selected = %v", v.Value, v.Selected)
		}
		if v.Value == "2020" && v.Count != 2 {
			t.Errorf("2020 count = %d, want 2", v.Count)
		}
	}
}

func TestSortAndPaging(t *testing.T) {
	ix := MustIndex(t, corpus)
	r := mustSearch(t, ix, notice.Query{Sort: notice.SortOldest, Size: 2})
	if r.Hits[0].ID != "a" || r.Hits[1].ID != "b" {
		t.Fatalf("oldest first = %v", ids(r))
	}
	next := mustSearch(t, ix, notice.Query{Sort: notice.SortOldest, Size: 2, After: r.Hits[1].SortKey})
	if next.Hits[0].ID != "c" {
		t.Errorf("after b = %s, want c", next.Hits[0].ID)
	}
	last := mustSearch(t, ix, notice.Query{Sort: notice.SortNewest, Size: 10})
	if last.Hits[len(last.Hits)-1].ID != "e" {
		t.Errorf("undated notice should sort last, got %v", ids(last))
	}
}

func TestSnippetEscapesAndMarks(t *testing.T) {
	ix := MustIndex(t, []notice.Notice{{ID: "x", Title: "T", Body: "A <script>alert(1)</script> smart city note.", Date: mustDate("2020-01-01"), Partners: []string{}, Topics: []string{}}})
	r := mustSearch(t, ix, notice.Query{Text: "smart"})
	s := r.Hits[0].Snippet
	if strings.Contains(s, "<script>") || !strings.Contains(s, "<mark>smart</mark>") {
		t.Errorf("snippet = %q, want escaped text with <mark>", s)
	}
}

func TestRebuildSwitchesAndKeepsServing(t *testing.T) {
	ix := MustIndex(t, corpus[:2])
	src := fakeSource{notices: corpus, seq: 42}
	if err := ix.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if ix.Count() != uint64(len(corpus)) || ix.AppliedSeq() != 42 {
		t.Errorf("after rebuild: count %d seq %d", ix.Count(), ix.AppliedSeq())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ix.Rebuild(ctx, fakeSource{notices: corpus[:1], seq: 43}); err == nil {
		t.Fatal("cancelled rebuild succeeded")
	}
	if ix.Count() != uint64(len(corpus)) {
		t.Errorf("a failed rebuild changed the index: count %d", ix.Count())
	}
}

type fakeSource struct {
	notices []notice.Notice
	seq     uint64
}

func (f fakeSource) EachNotice(fn func(notice.Notice) error) error {
	for _, n := range f.notices {
		if err := fn(n); err != nil {
			return err
		}
	}
	return nil
}
func (f fakeSource) LastSeq() uint64 { return f.seq }

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// An index another process holds is reported as busy, by the lock's own
// error rather than its wording. (A second open in this process takes a
// second lock on the file, which waits like another process's would.)
func TestOpenOfAHeldIndexIsBusy(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := Open(dir)
	if err == nil {
		second.Close()
		t.Fatal("a second open of a held index succeeded")
	}
	if !errors.Is(err, notice.ErrBusy) {
		t.Errorf("a held index: %v, want notice.ErrBusy", err)
	}
}
