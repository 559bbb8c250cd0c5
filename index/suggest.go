package index

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/words"
)

// Spelling suggestions come from the index's own terms: a word of the
// query that (almost) no notice contains is replaced by the most frequent
// body term within one or two edits of it, written the way notices write
// it. No dictionary is shipped or kept: the index is the dictionary, so
// names and jargon of the corpus are suggested and nothing else is.

const (
	// minSuggestFreq is how many notices a word needs to be taken as
	// spelt right, and a correction to be offered.
	minSuggestFreq = 3
	minSuggestRune = 3
)

// suggest returns the query with its misspelt words corrected, or "" when
// it finds nothing to correct.
func (r *reader) suggest(ctx context.Context, plan *textPlan, text string) string {
	fixes := map[string]string{}
	for _, c := range plan.clauses {
		if c.field != "" || c.phrase || c.negate || len(hangulWords(c.text)) > 0 {
			continue
		}
		if _, ok := r.labels.PartnerAliases[words.Key(c.text)]; ok {
			continue
		}
		tokens := r.analyzer.Analyze([]byte(c.text))
		if len(tokens) != 1 {
			continue
		}
		term := string(tokens[0].Term)
		if utf8.RuneCountInString(term) < minSuggestRune {
			continue
		}
		df := r.docFreq(ctx, fieldText, term)
		if df >= minSuggestFreq {
			continue
		}
		best, ok := r.closestTerm(ctx, term, df)
		if !ok {
			continue
		}
		typed := strings.ToLower(c.text)
		if word := r.surfaceForm(ctx, best, typed); word != "" && word != typed {
			fixes[typed] = word
		}
	}
	if len(fixes) == 0 {
		return ""
	}
	words := strings.Fields(text)
	for i, w := range words {
		sign := ""
		if strings.HasPrefix(w, "+") {
			sign, w = "+", w[1:]
		}
		if fix, ok := fixes[strings.ToLower(w)]; ok {
			words[i] = sign + fix
		}
	}
	if out := strings.Join(words, " "); out != text {
		return out
	}
	return ""
}

// docFreq is the number of notices with a term in a field.
func (r *reader) docFreq(ctx context.Context, field, term string) uint64 {
	tfr, err := r.snap.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0
	}
	defer tfr.Close()
	return tfr.Count()
}

// closestTerm finds the body term nearest a misspelt one: fewest edits,
// then most notices. Longer words may be two edits away.
func (r *reader) closestTerm(ctx context.Context, term string, df uint64) (string, bool) {
	fuzziness := 1
	if utf8.RuneCountInString(term) >= 6 {
		fuzziness = 2
	}
	fd, err := r.snap.FieldDictFuzzy(fieldText, term, fuzziness, "")
	if err != nil {
		return "", false
	}
	defer fd.Close()
	best, bestDist, bestCount := "", 99, uint64(0)
	for {
		e, err := fd.Next()
		if err != nil || e == nil {
			break
		}
		if e.Term == term {
			continue
		}
		d := editDistance(term, e.Term)
		if d > bestDist {
			continue
		}
		// Fuzzy dictionaries leave counts out: look each one up.
		n := r.docFreq(ctx, fieldText, e.Term)
		if n < minSuggestFreq || n <= df {
			continue
		}
		if d < bestDist || n > bestCount {
			best, bestDist, bestCount = e.Term, d, n
		}
	}
	return best, best != ""
}

// surfaceFormDocs is how many notices surfaceForm reads: one could hold
// only a rarer form of the stem ("governance" for "govern"), and which
// notice comes first depends on the order of the import.
const surfaceFormDocs = 16

// surfaceForm is how notices write an analysed term (the index holds
// stems: "govern" is written "government", "governance"…): of the forms in
// the first few notices with the term, the one closest to what was typed,
// then the most frequent, then the first in alphabetical order.
func (r *reader) surfaceForm(ctx context.Context, term, typed string) string {
	tfr, err := r.snap.TermFieldReader(ctx, []byte(term), fieldText, false, false, false)
	if err != nil {
		return ""
	}
	defer tfr.Close()
	counts := map[string]int{}
	for range surfaceFormDocs {
		tfd, err := tfr.Next(nil)
		if err != nil || tfd == nil {
			break
		}
		d, err := r.loadDoc(uint32(tfd.ID.Value()), true)
		if err != nil {
			continue
		}
		text := d.title + "\n\n" + d.body
		for _, t := range r.analyzer.Analyze([]byte(text)) {
			if string(t.Term) == term {
				counts[strings.ToLower(text[t.Start:t.End])]++
			}
		}
	}
	best, bestDist := "", 1<<30
	for form, n := range counts {
		dist := editDistance(typed, form)
		if dist < bestDist || dist == bestDist && (n > counts[best] || n == counts[best] && form < best) {
			best, bestDist = form, dist
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two strings, by rune.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
