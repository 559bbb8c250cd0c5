package index

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/notice"
)

var querySeeds = []string{
	"smart city", `"smart city" -klid`, `partner:"UN Women" topic:E-government`, `title:forum body:"digital identity"`,
	`"unterminated`, `partner:"unterminated value`, "-", "+", `""`, `-"`, "year:2020 lang:ko", "유엔거버넌스센터 협력",
	"a:b:c", "*", "?", "smart~2", "/re.*/", "title:", `partner:""`, "-\"\" +\"\"", "\x00\xff", "KLID",
	// Queries as people type them, and bad ones (see TestHostileQueries).
	"Malé", "TURKIYE ha noi", "goverment resilence", "smart ci", "clim", "what did UNPOG agree with KLID on local e-government?",
	"!!! ??? ...", "a b c", strings.Repeat("x ", 100), strings.Repeat("government ", 200), strings.Repeat("z", 1000),
	"smart 유엔 Москва 東京 ١٢٣ city", "e\u0301e\u0301",
}

// FuzzParseQuery checks that any query reads as clauses without panic:
// no empty clause, a field only from the known fields, clause texts taken
// from the query (valid UTF-8 in, valid UTF-8 out), and never more
// clauses than the query has bytes. Seeds are in testdata/fuzz/FuzzParseQuery.
func FuzzParseQuery(f *testing.F) {
	for _, s := range querySeeds {
		f.Add(s)
	}
	known := map[string]bool{}
	for _, field := range queryFields {
		known[field] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The fuzzer has no time limit per input: a loop that never ends
		// would only show as a stall, so a second is a failure.
		done := make(chan []clause, 1)
		go func() { done <- parseQuery(s) }()
		var clauses []clause
		select {
		case clauses = <-done:
		case <-time.After(time.Second):
			t.Fatalf("parseQuery(%q) did not return in a second", s)
		}
		if len(clauses) > len(s) {
			t.Fatalf("%d clauses from %d bytes", len(clauses), len(s))
		}
		for _, c := range clauses {
			if strings.TrimSpace(c.text) == "" {
				t.Fatalf("parseQuery(%q) has an empty clause %+v", s, c)
			}
			if c.field != "" && !known[c.field] {
				t.Fatalf("parseQuery(%q) has unknown field %q", s, c.field)
			}
			if utf8.ValidString(s) && !utf8.ValidString(c.text) {
				t.Fatalf("parseQuery(%q) cut a character: %q", s, c.text)
			}
		}
	})
}

// FuzzSearch runs whatever a visitor may type, and whatever search-after
// key a client may send, against a real index: the answer is results or
// ErrInvalidQuery, never another error or a panic, and snippets hold no
// markup but <mark>. Seeds are in testdata/fuzz/FuzzSearch.
func FuzzSearch(f *testing.F) {
	for i, s := range querySeeds {
		f.Add(s, []string{"", "x", "2020-05-05T00:00:00Z", "1.5"}[i%4], uint8(i))
	}
	ix := MustIndex(f, corpus)
	sorts := []notice.Sort{"", notice.SortRelevance, notice.SortNewest, notice.SortOldest}
	f.Fuzz(func(t *testing.T, text, after string, opts uint8) {
		q := notice.Query{Text: text, Sort: sorts[opts%4], Months: opts&4 != 0}
		if after != "" {
			q.After = strings.Split(after, ",")
		}
		if opts&8 != 0 {
			q.Filters = map[string][]string{notice.FacetPartner: {text}}
		}
		res, err := ix.Search(context.Background(), q)
		if err != nil {
			if !errors.Is(err, notice.ErrInvalidQuery) {
				t.Fatalf("Search(%q, after %q): %v", text, after, err)
			}
			return
		}
		if res.Total > uint64(len(corpus)) {
			t.Fatalf("Search(%q) found %d of %d notices", text, res.Total, len(corpus))
		}
		for _, h := range res.Hits {
			rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h.Snippet)
			if strings.ContainsAny(rest, "<>") {
				t.Fatalf("Search(%q): snippet with markup %q", text, h.Snippet)
			}
		}
	})
}

// A search-after key of another length than the sort order once panicked
// inside Bleve and ended the process.
func TestSearchAfterOfTheWrongLength(t *testing.T) {
	ix := MustIndex(t, corpus)
	for _, after := range [][]string{{"x"}, {"a", "b", "c", "d"}, {""}} {
		_, err := ix.Search(context.Background(), notice.Query{Sort: notice.SortNewest, After: after})
		if !errors.Is(err, notice.ErrInvalidQuery) {
			t.Errorf("after %q: %v, want ErrInvalidQuery", after, err)
		}
	}
}
