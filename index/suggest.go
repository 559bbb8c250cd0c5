package index

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/noticekb/noticekb/internal/words"
)

// Spelling suggestions come from the index's own words, as notices write
// them (the unstemmed words field, and so names of partners and places
// too): a word of the query that no notice has as typed is replaced by the
// dictionary word with the fewest typos from it, then the most frequent,
// shown the way notices write it ("Malé"). No dictionary is shipped or
// kept: the index is the dictionary, so names and jargon of the corpus are
// suggested and nothing else is. A word that matched as typed, or that is
// the beginning of longer words while it is being typed, is never
// corrected.

// minSuggestLetters is the shortest word a correction is looked for.
const minSuggestLetters = 3

// suggest returns the query with its misspelt words corrected, or "" when
// it finds nothing to correct. It reads the words as the search expanded
// them.
func (r *reader) suggest(plan *textPlan) string {
	if !plan.tolerant() {
		return ""
	}
	fixes := map[string]string{}
	for _, w := range plan.words {
		if w.exactDF > 0 || w.phrase || w.partner != "" || len(w.hangul) > 0 || len(w.terms) != 1 || w.open && hasPrefixAlt(w) {
			continue
		}
		letters := utf8.RuneCountInString(w.folded)
		if letters < minSuggestLetters || letters > maxTypoLetters || strings.ContainsFunc(w.folded, func(r rune) bool { return !unicode.IsLetter(r) }) {
			continue
		}
		cands := w.fuzzy
		if len(cands) == 0 && typoLetters(w) < 2 {
			// One more typo than search allows: what it found nothing for.
			cands = r.fuzzyWords(w.folded, 1+typoLetters(w))
		}
		if len(cands) == 0 {
			continue
		}
		typed := strings.ToLower(w.text)
		if word := r.surfaceForm(cands[0].word, w.text); word != "" && word != typed {
			fixes[typed] = word
		}
	}
	if len(fixes) == 0 {
		return ""
	}
	text := strings.Join(strings.Fields(plan.text), " ")
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

func hasPrefixAlt(w *qword) bool {
	for _, a := range w.alts {
		if a.quality == qualityPrefix {
			return true
		}
	}
	return false
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

// surfaceFormDocs is how many notices surfaceForm reads: which notice
// comes first depends on the order of the import, and one could write a
// word in capitals only.
const surfaceFormDocs = 16

// surfaceForm is how notices write a dictionary word (which is folded:
// "male" is written "Malé"): of the forms in the first few notices with
// it, the most frequent, then the first in alphabetical order; in lower
// case when the visitor typed in lower case.
func (r *reader) surfaceForm(word, typed string) string {
	best, ok := r.view.surfaces.get(word)
	if !ok {
		best = r.commonestForm(word)
		r.view.surfaces.put(word, best)
	}
	if typed == strings.ToLower(typed) {
		return strings.ToLower(best)
	}
	return best
}

// commonestForm is the most frequent way the first few notices with a
// dictionary word write it, then the first in alphabetical order.
func (r *reader) commonestForm(word string) string {
	counts := map[string]int{}
	read := 0
	r.postings(fieldWords, word, func(_ int, offset uint32, pl segment.PostingsList) {
		it := pl.Iterator(false, false, false, nil)
		for p, err := it.Next(); p != nil && err == nil && read < surfaceFormDocs; p, err = it.Next() {
			read++
			d, err := r.loadDoc(offset+uint32(p.Number()), true)
			if err != nil {
				continue
			}
			for _, w := range words.Split(d.title + "\n\n" + d.body) {
				if words.FoldText(w.Raw) == word {
					counts[w.Raw]++
				}
			}
		}
	})
	best := ""
	for form, n := range counts {
		if best == "" || n > counts[best] || n == counts[best] && form < best {
			best = form
		}
	}
	return best
}
