package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// Robustness: queries as visitors type them. For a sample of notices, the
// query of two of its rarest words ("exact") should find the notice in
// the top 10; the same query with one typo in the second word, the second
// word unfinished, in upper case, or with its accents left out should
// still find it. Each row is the share of the notices found by "exact"
// that its variant finds too.

// RobustQuery is one notice's queries, one per row.
type RobustQuery struct {
	ID       string
	Variants map[string]string // row -> query text
}

// Rows of the robustness benchmark, in the order they are printed.
const (
	RowExact      = "exact"
	RowTypo       = "one typo in the second word"
	RowUnfinished = "second word unfinished"
	RowUpper      = "upper case"
	RowAccents    = "accents left out"
)

// RobustRows lists the rows in order.
var RobustRows = []string{RowExact, RowTypo, RowUnfinished, RowUpper, RowAccents}

// robustMinLetters is the shortest word a query is made of: a typo in a
// shorter one is not looked for (Meilisearch's threshold).
const robustMinLetters = 5

// RobustBuilder counts the words of every notice, then draws queries.
type RobustBuilder struct {
	rng     *rand.Rand
	df      map[string]int // folded word -> notices having it
	notices []robustNotice
	seen    int
	sample  int
}

type robustNotice struct {
	id    string
	words []string // as written, letters only, distinct by folded form
}

// NewRobustBuilder draws from a reservoir sample of size notices.
func NewRobustBuilder(seed uint64, size int) *RobustBuilder {
	return &RobustBuilder{rng: rand.New(rand.NewPCG(seed, seed^0x5deece66d)), df: map[string]int{}, sample: size}
}

// Observe counts a notice's words and may keep it in the sample.
func (b *RobustBuilder) Observe(n *notice.Notice) {
	var ws []string
	seen := map[string]bool{}
	for _, w := range words.Split(n.Title + "\n\n" + n.Body) {
		if utf8.RuneCountInString(w.Raw) < robustMinLetters || !lettersOnly(w.Raw) {
			continue
		}
		key := words.FoldText(w.Raw)
		if seen[key] {
			continue
		}
		seen[key] = true
		b.df[key]++
		ws = append(ws, w.Raw)
	}
	b.seen++
	rn := robustNotice{id: n.ID, words: ws}
	if len(b.notices) < b.sample {
		b.notices = append(b.notices, rn)
	} else if i := b.rng.IntN(b.seen); i < b.sample {
		b.notices[i] = rn
	}
}

func lettersOnly(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return true
}

// Queries makes each sampled notice's queries: its two rarest words
// (the rarest first), and their variants. For the accents row, the second
// word is the notice's rarest word written with accents, when it has one.
func (b *RobustBuilder) Queries() []RobustQuery {
	var out []RobustQuery
	for _, n := range b.notices {
		ws := slices.Clone(n.words)
		slices.SortStableFunc(ws, func(x, y string) int { return b.df[words.FoldText(x)] - b.df[words.FoldText(y)] })
		if len(ws) < 2 {
			continue
		}
		first, second := strings.ToLower(ws[0]), strings.ToLower(ws[1])
		q := RobustQuery{ID: n.id, Variants: map[string]string{RowExact: first + " " + second}}
		q.Variants[RowTypo] = first + " " + b.typo(second)
		if half := halfWord(second); half != "" {
			q.Variants[RowUnfinished] = first + " " + half
		}
		q.Variants[RowUpper] = strings.ToUpper(first + " " + second)
		for _, w := range ws[1:] {
			if strings.ToLower(w) != words.FoldText(w) {
				// The exact query has the accents; the variant leaves them out.
				q.Variants[RowExact+" (accents)"] = first + " " + strings.ToLower(w)
				q.Variants[RowAccents] = first + " " + words.FoldText(w)
				break
			}
		}
		out = append(out, q)
	}
	return out
}

// typo makes one mistake in a word, at a random place: a letter left out,
// two neighbours swapped, or one letter changed.
func (b *RobustBuilder) typo(w string) string {
	r := []rune(w)
	for {
		i := b.rng.IntN(len(r))
		var out []rune
		switch b.rng.IntN(3) {
		case 0:
			out = append(slices.Clone(r[:i]), r[i+1:]...)
		case 1:
			if i == len(r)-1 {
				i--
			}
			out = slices.Clone(r)
			out[i], out[i+1] = out[i+1], out[i]
		default:
			out = slices.Clone(r)
			out[i] = rune('a' + b.rng.IntN(26))
		}
		if s := string(out); s != w {
			return s
		}
	}
}

// halfWord is the first half of a word (rounded up), or "" when that is
// shorter than four letters.
func halfWord(w string) string {
	r := []rune(w)
	half := (len(r) + 1) / 2
	if half < 4 {
		return ""
	}
	return string(r[:half])
}

// RobustResult counts, per row, the notices its query found in the top
// 10 and first, among those the exact query found in the top 10.
type RobustResult struct {
	Tried, Top10, First map[string]int
}

// RunRobust runs every query and counts where each notice came.
func RunRobust(ctx context.Context, queries []RobustQuery, search func(ctx context.Context, q notice.Query) (*notice.Result, error)) (RobustResult, error) {
	res := RobustResult{Tried: map[string]int{}, Top10: map[string]int{}, First: map[string]int{}}
	rank := func(text, id string) (int, error) {
		r, err := search(ctx, notice.Query{Text: text, Size: 10})
		if err != nil {
			return 0, fmt.Errorf("bench: robust query %q: %w", text, err)
		}
		for i, h := range r.Hits {
			if h.ID == id {
				return i + 1, nil
			}
		}
		return 0, nil
	}
	count := func(row string, at int) {
		res.Tried[row]++
		if at > 0 {
			res.Top10[row]++
		}
		if at == 1 {
			res.First[row]++
		}
	}
	for _, q := range queries {
		exact, err := rank(q.Variants[RowExact], q.ID)
		if err != nil {
			return res, err
		}
		count(RowExact, exact)

		if exact == 0 {
			continue
		}
		for _, row := range []string{RowTypo, RowUnfinished, RowUpper} {
			if text, ok := q.Variants[row]; ok {
				at, err := rank(text, q.ID)
				if err != nil {
					return res, err
				}
				count(row, at)
			}
		}
		if text, ok := q.Variants[RowExact+" (accents)"]; ok {
			if at, err := rank(text, q.ID); err != nil || at == 0 {
				continue // the accented query itself must find the notice
			}
			at, err := rank(q.Variants[RowAccents], q.ID)
			if err != nil {
				return res, err
			}
			count(RowAccents, at)
		}
	}
	return res, nil
}

// PrintRobust writes the rows: how many notices each was tried on, and
// the share found in the top 10 and first. The exact row's shares are of
// the sample; the others' of the notices the exact query found.
func PrintRobust(w io.Writer, r RobustResult) {
	fmt.Fprintf(w, "%-30s %7s %8s %8s\n", "query as typed", "tried", "top 10", "first")
	for _, row := range RobustRows {
		n := r.Tried[row]
		if n == 0 {
			fmt.Fprintf(w, "%-30s %7d %8s %8s\n", row, 0, "-", "-")
			continue
		}
		fmt.Fprintf(w, "%-30s %7d %8.3f %8.3f\n", row, n, float64(r.Top10[row])/float64(n), float64(r.First[row])/float64(n))
	}
}
