package index_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/notice"
)

func date(s string) notice.Date {
	d, err := notice.ParseDate(s)
	if err != nil {
		log.Fatal(err)
	}
	return d
}

// openExample opens an index in a temporary folder with three notices.
func openExample() (*index.Index, func()) {
	dir, err := os.MkdirTemp("", "noticekb-example-")
	if err != nil {
		log.Fatal(err)
	}
	ix, err := index.Open(dir)
	if err != nil {
		log.Fatal(err)
	}
	notices := []notice.Notice{
		{ID: "n1", Title: "Smart city forum", Body: "KLID and UNPOG discussed smart city platforms.", Date: date("2017-08-09"),
			Publisher: "UNPOG", Partners: []string{"KLID"}, Topics: []string{"Smart city"}},
		{ID: "n2", Title: "E-government survey", Body: "The Korea Local Information Research & Development Institute presented the survey.", Date: date("2018-03-01"),
			Publisher: "UNPOG", Partners: []string{"KLID", "UN DESA"}, Topics: []string{"E-government"}},
		{ID: "n3", Title: "Digital identity workshop", Body: "UN DESA held a workshop on digital identity for smart city services.", Date: date("2020-05-05"),
			Publisher: "UNPOG", Partners: []string{"UN DESA"}, Topics: []string{"Digital identity", "Smart city"}},
	}
	// Apply indexes changed notices; the number is the store's sequence
	// number they bring the index up to (see AppliedSeq).
	if err := ix.Apply(notices, 3); err != nil {
		log.Fatal(err)
	}
	// Labels give partners their full names, for facets and acronym search.
	ix.SetLabels(index.NewLabels([]notice.Partner{
		{Name: "KLID", FullName: "Korea Local Information Research & Development Institute"},
		{Name: "UN DESA", FullName: "United Nations Department of Economic and Social Affairs", Aliases: []string{"DESA"}},
	}))
	return ix, func() { ix.Close(); os.RemoveAll(dir) }
}

func Example() {
	ix, done := openExample()
	defer done()
	res, err := ix.Search(context.Background(), notice.Query{Text: "smart city"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Total, "notices")
	for _, h := range res.Hits {
		fmt.Println(h.ID, h.Date, h.Title)
		fmt.Println("  ", h.Snippet)
	}
	// Output:
	// 2 notices
	// n1 2017-08-09 Smart city forum
	//    KLID and UNPOG discussed <mark>smart</mark> <mark>city</mark> platforms.
	// n3 2020-05-05 Digital identity workshop
	//    UN DESA held a workshop on digital identity for <mark>smart</mark> <mark>city</mark> services.
}

// An acronym finds the notices that only wrote the full name, and the
// full name those that only wrote the acronym.
func ExampleIndex_Search_acronym() {
	ix, done := openExample()
	defer done()
	for _, text := range []string{"KLID", "Korea Local Information Research & Development Institute"} {
		res, _ := ix.Search(context.Background(), notice.Query{Text: text, Sort: notice.SortOldest})
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		fmt.Println(strings.Join(ids, " "))
	}
	// Output:
	// n1 n2
	// n1 n2
}

// Facet counts are disjunctive: with UN DESA selected, KLID still shows
// how many notices it has, and choosing it too would widen the result
// (OR within a facet). Other facets follow the selection.
func ExampleIndex_Search_facets() {
	ix, done := openExample()
	defer done()
	res, _ := ix.Search(context.Background(), notice.Query{
		Filters: map[string][]string{notice.FacetPartner: {"UN DESA"}},
	})
	fmt.Println(res.Total, "notices")
	for _, f := range []string{notice.FacetPartner, notice.FacetTopic} {
		for _, v := range res.Facets[f] {
			fmt.Printf("%s: %s %d selected=%v\n", f, v.Value, v.Count, v.Selected)
		}
	}
	// Output:
	// 2 notices
	// partner: KLID 2 selected=false
	// partner: UN DESA 2 selected=true
	// topic: Digital identity 1 selected=false
	// topic: E-government 1 selected=false
	// topic: Smart city 1 selected=false
}

// The year histogram lists every year from the first notice to the last,
// empty years too, in time order; it ignores the date range (so the years
// around it stay visible) and marks the years in it.
func ExampleIndex_Search_histogram() {
	ix, done := openExample()
	defer done()
	from, _ := notice.ParseDateBound("2018", false)
	to, _ := notice.ParseDateBound("2019", true)
	res, _ := ix.Search(context.Background(), notice.Query{From: from, To: to})
	fmt.Println(res.Total, "notice")
	for _, y := range res.Facets[notice.FacetYear] {
		fmt.Println(y.Value, y.Count, y.Selected)
	}
	// Output:
	// 1 notice
	// 2017 1 false
	// 2018 1 true
	// 2019 0 true
	// 2020 1 false
}

// Words are found within a typo or two (by their length), and a word no
// notice has as typed gets a correction from the index's own words; when
// the words as typed find nothing, the results are for the correction.
func ExampleIndex_Search_suggestion() {
	ix, done := openExample()
	defer done()
	// One notice is too few to trust a spelling: index a few more.
	var more []notice.Notice
	for _, id := range []string{"w1", "w2", "w3"} {
		more = append(more, notice.Notice{ID: id, Title: "Workshop", Body: "A workshop on identity.", Date: date("2021-01-01")})
	}
	ix.Apply(more, 4)
	for _, text := range []string{"wrokshop", "wrkshp"} {
		res, _ := ix.Search(context.Background(), notice.Query{Text: text})
		fmt.Printf("%s: %q corrected=%v total=%d\n", text, res.Suggestion, res.Corrected, res.Total)
	}
	// Output:
	// wrokshop: "workshop" corrected=false total=4
	// wrkshp: "workshop" corrected=true total=4
}

// Deep pages continue after the last hit of the previous page, by its
// sort key, instead of counting from the start.
func ExampleIndex_Search_after() {
	ix, done := openExample()
	defer done()
	q := notice.Query{Sort: notice.SortNewest, Size: 2}
	for {
		res, _ := ix.Search(context.Background(), q)
		for _, h := range res.Hits {
			fmt.Println(h.ID, h.SortKey)
		}
		if len(res.Hits) < q.Size {
			break
		}
		q.After = res.Hits[len(res.Hits)-1].SortKey
	}
	// Output:
	// n3 [2020-05-05 n3]
	// n2 [2018-03-01 n2]
	// n1 [2017-08-09 n1]
}

func ExampleIndex_Related() {
	ix, done := openExample()
	defer done()
	hits, _ := ix.Related(context.Background(), "n1", 2)
	for _, h := range hits {
		fmt.Println(h.ID, h.Title)
	}
	// Output:
	// n3 Digital identity workshop
	// n2 E-government survey
}
