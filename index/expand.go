package index

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum/levenshtein"
)

// A query word matches a notice in one of several ways (alternatives):
// as typed (its stemmed terms in the text field), as the beginning of a
// longer word (the query's last word, while it is being typed), within a
// typo or two of a word the index has, as a partner's name, or inside a
// Korean word form. Typed words are compared with the index's own words as
// notices write them (the unstemmed words field), then taken to their
// stems, so "adaptaton" finds "adaptation" and with it "adapted".

// alt is one way a query word matches.
type alt struct {
	// terms of the text field, all of which must occur; several only for
	// a phrase, whose notices are then in docs.
	terms []string
	// docs are the notices the alternative matches when it is not simply
	// where its term occurs: a phrase, a partner, a Korean word.
	docs    *roaring.Bitmap
	quality uint8 // 0 as typed; qualityPrefix; qualityTypo per typo
	idf     float64
}

// candidate is a word of the index's dictionary near a typed word.
type candidate struct {
	word  string // folded, as notices write it
	typos int
	df    uint64
}

const (
	qualityPrefix = 1
	qualityTypo   = 2

	// Meilisearch's thresholds: no typo below 5 letters, one from 5, two
	// from 9. A typo is a letter added, left out, changed, or two letters
	// swapped; a typo in the first letter counts as two (as Meilisearch
	// counts it), so the dictionary is read from the typed first letter,
	// which keeps the cost down, and only a long word with nothing near it
	// there is looked for under other first letters.
	oneTypoLetters  = 5
	twoTyposLetters = 9
	// maxTypoLetters: a longer "word" is no word (a pasted identifier, a
	// hostile query), and the automaton grows with the word.
	maxTypoLetters = 32
	// minPrefixLetters is the shortest unfinished word looked up as the
	// beginning of others (live search answers from the third letter).
	minPrefixLetters = 3
	// maxFuzzyTerms and maxPrefixTerms bound what one word expands to,
	// the most frequent first.
	maxFuzzyTerms  = 16
	maxPrefixTerms = 64
)

// expand finds the ways a word matches in this snapshot. tolerant allows
// typos and prefixes; a word that occurs as typed is never taken for a
// typo.
func (s *searcher) expand(ctx context.Context, w *qword, tolerant bool) error {
	w.alts = w.alts[:0]
	switch {
	case len(w.terms) == 1:
		df := s.df(w.terms[0])
		w.exactDF = df
		if df > 0 {
			w.alts = append(w.alts, alt{terms: w.terms, idf: s.idf(df)})
		}
	case len(w.terms) > 1:
		docs, err := s.bitmapOf(ctx, fieldQuery(fieldText, w.folded, true))
		if err != nil {
			return err
		}
		w.exactDF = docs.GetCardinality()
		if w.exactDF > 0 {
			w.alts = append(w.alts, alt{terms: w.terms, docs: docs})
		}
	}
	if w.partner != "" {
		if docs := s.partnerDocs(w.partner); docs != nil {
			w.alts = append(w.alts, alt{docs: docs, idf: s.idf(docs.GetCardinality())})
		}
	}
	if len(w.hangul) > 0 {
		docs, err := s.bitmapOf(ctx, koreanQuery(w.hangul))
		if err != nil {
			return err
		}
		if !docs.IsEmpty() {
			w.alts = append(w.alts, alt{docs: docs, idf: s.idf(docs.GetCardinality())})
		}
	}
	if tolerant && w.exactDF == 0 && typoLetters(w) > 0 {
		w.fuzzy = s.fuzzyWords(w.folded, typoLetters(w))
		s.addWordAlts(w, w.fuzzy, func(c candidate) uint8 { return uint8(qualityTypo * c.typos) })
	}
	if tolerant && w.open && len(w.terms) == 1 && utf8.RuneCountInString(w.folded) >= minPrefixLetters && len(w.hangul) == 0 {
		s.addWordAlts(w, s.prefixWords(w.folded), func(candidate) uint8 { return qualityPrefix })
	}
	return nil
}

// typoLetters is how many typos a word may have: 0 for phrases, Korean,
// words with digits and short words.
func typoLetters(w *qword) int {
	if w.phrase || len(w.terms) != 1 || len(w.hangul) > 0 {
		return 0
	}
	n := 0
	for _, r := range w.folded {
		if !unicode.IsLetter(r) {
			return 0
		}
		n++
	}
	switch {
	case n > maxTypoLetters:
		return 0
	case n >= twoTyposLetters:
		return 2
	case n >= oneTypoLetters:
		return 1
	}
	return 0
}

// addWordAlts adds the stems of dictionary words as alternatives of a
// query word, each stem once, at its best quality; the word's own terms
// are already there.
func (s *searcher) addWordAlts(w *qword, cands []candidate, quality func(candidate) uint8) {
	have := map[string]int{}
	for i, a := range w.alts {
		if a.docs == nil && len(a.terms) == 1 {
			have[a.terms[0]] = i
		}
	}
	for _, c := range cands {
		term := s.stem(c.word)
		if term == "" {
			continue
		}
		q := quality(c)
		if i, ok := have[term]; ok {
			w.alts[i].quality = min(w.alts[i].quality, q)
			continue
		}
		df := s.df(term)
		if df == 0 {
			continue
		}
		have[term] = len(w.alts)
		w.alts = append(w.alts, alt{terms: []string{term}, quality: q, idf: s.idf(df)})
	}
}

// stem is the text field's term for a dictionary word ("" when it has
// none, or several).
func (r *reader) stem(word string) string {
	if t, ok := r.stems[word]; ok {
		return t
	}
	tokens := r.analyzer.Analyze([]byte(word))
	t := ""
	if len(tokens) == 1 {
		t = string(tokens[0].Term)
	}
	r.stems[word] = t
	return t
}

// fuzzyWords are the dictionary words within the typos allowed of a
// folded word, fewest typos then most frequent first.
func (r *reader) fuzzyWords(word string, typos int) []candidate {
	dfa, err := r.levenshtein(typos).BuildDfa(word, uint8(typos))
	if err != nil {
		return nil
	}
	first, _ := utf8.DecodeRuneInString(word)
	start := []byte(string(first))
	found := map[string]*candidate{}
	add := func(term string, count uint64, typos int) {
		if term == word || typos > 2 {
			return
		}
		c := found[term]
		if c == nil {
			c = &candidate{word: term, typos: typos}
			found[term] = c
		}
		c.df += count
	}
	r.eachDictEntry(fieldWords, dfa, start, prefixEnd(start), func(term string, count uint64, dist uint8) bool {
		add(term, count, int(dist))
		return true
	})
	if len(found) == 0 && typos == 2 {
		r.eachDictEntry(fieldWords, dfa, nil, nil, func(term string, count uint64, dist uint8) bool {
			if c, _ := utf8.DecodeRuneInString(term); c != first {
				add(term, count, int(dist)+1) // the first letter counts as two
			}
			return true
		})
	}
	out := make([]candidate, 0, len(found))
	for _, c := range found {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.typos, b.typos), cmp.Compare(b.df, a.df), cmp.Compare(a.word, b.word))
	})
	return out[:min(len(out), maxFuzzyTerms)]
}

// prefixWords are the most frequent dictionary words that begin with a
// folded word (itself aside).
func (r *reader) prefixWords(word string) []candidate {
	if cached, ok := r.view.prefixes.get(word); ok {
		return cached
	}
	start := []byte(word)
	counts := map[string]uint64{}
	r.eachDictEntry(fieldWords, nil, start, prefixEnd(start), func(term string, count uint64, _ uint8) bool {
		if term != word {
			counts[term] += count
		}
		return true
	})
	out := make([]candidate, 0, len(counts))
	for term, n := range counts {
		out = append(out, candidate{word: term, df: n})
	}
	slices.SortFunc(out, func(a, b candidate) int { return cmp.Or(cmp.Compare(b.df, a.df), cmp.Compare(a.word, b.word)) })
	out = out[:min(len(out), maxPrefixTerms)]
	r.view.prefixes.put(word, out)
	return out
}

// eachDictEntry calls fn with the terms of a field in every segment that
// the automaton (nil: any) accepts within [start, end), with the
// segment's count of notices having the term (deleted ones included) and
// the edit distance a Levenshtein automaton found.
func (r *reader) eachDictEntry(field string, a segment.Automaton, start, end []byte, fn func(term string, count uint64, dist uint8) bool) {
	for i := range r.snap.Segments() {
		dict := r.dict(field, i)
		if dict == nil {
			continue
		}
		it := dict.AutomatonIterator(a, start, end)
		for {
			e, err := it.Next()
			if err != nil || e == nil {
				break
			}
			if !fn(e.Term, e.Count, e.EditDistance) {
				return
			}
		}
	}
}

// prefixEnd is the first key after every key beginning with prefix.
func prefixEnd(prefix []byte) []byte {
	end := slices.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// dict is a segment's dictionary of a field, opened once per search.
func (r *reader) dict(field string, seg int) segment.TermDictionary {
	key := dictKey{field, seg}
	if d, ok := r.dicts[key]; ok {
		return d
	}
	d, err := r.snap.Segments()[seg].Segment().Dictionary(field)
	if err != nil {
		d = nil
	}
	r.dicts[key] = d
	return d
}

type dictKey struct {
	field string
	seg   int
}

// postings calls fn with a term's postings list in each segment of the
// snapshot that has the field (deleted notices left out), its segment and
// the number of the segment's first document. The list is reused.
func (r *reader) postings(field, term string, fn func(seg int, offset uint32, pl segment.PostingsList)) {
	var pl segment.PostingsList
	for i, seg := range r.snap.Segments() {
		dict := r.dict(field, i)
		if dict == nil {
			continue
		}
		var err error
		if pl, err = dict.PostingsList([]byte(term), seg.Deleted(), pl); err == nil {
			fn(i, uint32(r.view.offsets[i]), pl)
		}
	}
}

// df is the number of live notices with a term in the text field.
func (r *reader) df(term string) uint64 {
	if n, ok := r.dfs[term]; ok {
		return n
	}
	var n uint64
	r.postings(fieldText, term, func(_ int, _ uint32, pl segment.PostingsList) { n += pl.Count() })
	r.dfs[term] = n
	return n
}

// termDocs are the live notices with a term in the text field.
func (r *reader) termDocs(term string) *roaring.Bitmap {
	out := roaring.New()
	r.postings(fieldText, term, func(_ int, offset uint32, pl segment.PostingsList) {
		local := roaring.New()
		if bp, ok := pl.(bitmapPostings); ok {
			bp.OrInto(local) // deleted notices too: live ones are kept below
		} else {
			it := pl.Iterator(false, false, false, nil)
			for p, err := it.Next(); p != nil && err == nil; p, err = it.Next() {
				local.Add(uint32(p.Number()))
			}
		}
		out.Or(shifted(local, uint64(offset)))
	})
	out.And(r.view.live)
	return out
}

// partnerDocs are the notices with a partner (nil when none has it).
func (r *reader) partnerDocs(name string) *roaring.Bitmap {
	col := r.view.facets["partner"]
	if i, ok := col.byTerm[name]; ok {
		return col.docs[i]
	}
	return nil
}

// BM25 (Robertson and Zaragoza, "The Probabilistic Relevance Framework:
// BM25 and Beyond", 2009), with the usual defaults of Lucene and
// Elasticsearch.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// idf is BM25's inverse document frequency, never negative.
func (r *reader) idf(df uint64) float64 {
	n := float64(r.view.live.GetCardinality())
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// levenshtein returns the automaton builder for a number of typos
// (transpositions count as one), built once per index: building one
// takes a while.
func (r *reader) levenshtein(typos int) *levenshtein.LevenshteinAutomatonBuilder {
	return r.lev[typos-1]
}

// levenshteinBuilders builds the automaton builders for one and two typos.
func levenshteinBuilders() ([2]*levenshtein.LevenshteinAutomatonBuilder, error) {
	var out [2]*levenshtein.LevenshteinAutomatonBuilder
	for i := range out {
		b, err := levenshtein.NewLevenshteinAutomatonBuilder(uint8(i+1), true)
		if err != nil {
			return out, fmt.Errorf("index: typo automaton: %w", err)
		}
		out[i] = b
	}
	return out, nil
}
