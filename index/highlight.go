package index

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/noticekb/noticekb/internal/words"
)

// Snippets are cut from the stored body around the query's words: the
// body is analysed again (as it was for indexing, so "cities" marks a
// search for "city"), and the passage with the most different words is
// shown, HTML-escaped, with each match in <mark>. Bleve's own highlighter
// would need every search to carry term locations for every hit.

const (
	snippetBytes = 240 // about two lines of text
	snippetLead  = 60  // context shown before the first match
	maxMarks     = 256 // matches considered, for very long bodies
)

type span struct {
	start, end int
	term       string
}

// snippet returns the marked passage, or "" when no word of the query
// occurs in the body (it matched the title or a partner).
func snippet(body string, analyzer analysis.Analyzer, marks map[string]bool, hangul []string) string {
	spans := matchSpans(body, analyzer, marks, hangul)
	if len(spans) == 0 {
		return ""
	}
	start, end := bestWindow(body, spans)
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	at := start
	for _, sp := range spans {
		if sp.start < at || sp.end > end {
			continue
		}
		b.WriteString(escapeText(body[at:sp.start]))
		b.WriteString("<mark>")
		b.WriteString(escapeText(body[sp.start:sp.end]))
		b.WriteString("</mark>")
		at = sp.end
	}
	b.WriteString(escapeText(body[at:end]))
	if end < len(body) {
		b.WriteString(" …")
	}
	return b.String()
}

// escapeText escapes text for HTML with each run of white space made one space.
func escapeText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return html.EscapeString(b.String())
}

// matchSpans finds the query's words in the body, in order, without overlaps.
func matchSpans(body string, analyzer analysis.Analyzer, marks map[string]bool, hangul []string) []span {
	var spans []span
	if len(marks) > 0 {
		spans = markedWords(body, analyzer, marks)
	}
	for _, w := range hangul {
		for at := 0; len(spans) < 2*maxMarks; {
			i := strings.Index(body[at:], w)
			if i < 0 {
				break
			}
			spans = append(spans, span{at + i, at + i + len(w), w})
			at += i + len(w)
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	out := spans[:0]
	for _, sp := range spans {
		if len(out) > 0 && sp.start < out[len(out)-1].end {
			continue
		}
		out = append(out, sp)
	}
	return out
}

// markedWords finds the words of the body whose analysed form is marked.
// Words are compared folded (words.FoldText), so "Malé" is marked for a
// search of "male", and the mark covers the word as written. Only the
// words that begin like a marked term are analysed (a stem begins like the
// words it comes from, "citi" like "cities", give or take its last
// letters), which spares analysing the whole body per hit.
func markedWords(body string, analyzer analysis.Analyzer, marks map[string]bool) []span {
	prefixes := map[string]bool{}
	for m := range marks {
		prefixes[leadingRunes(m, markPrefixRunes)] = true
	}
	var spans []span
	var lead [markPrefixRunes * utf8.UTFMax]byte
	for i := 0; i < len(body) && len(spans) < maxMarks; {
		r, size := utf8.DecodeRuneInString(body[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		end := i + size
		for end < len(body) {
			r, size := utf8.DecodeRuneInString(body[end:])
			if !isWordRune(r) {
				break
			}
			end += size
		}
		word := body[i:end]
		if beginsLikeOne(prefixes, foldedLead(lead[:0], word)) {
			for _, t := range analyzer.Analyze([]byte(words.FoldText(word))) {
				if marks[string(t.Term)] {
					spans = append(spans, span{i, end, string(t.Term)})
					break
				}
			}
		}
		i = end
	}
	return spans
}

// beginsLikeOne reports whether a word's folded lead begins with one of
// the marked terms' leads (a term may be shorter than the lead: "us").
func beginsLikeOne(prefixes map[string]bool, lead []byte) bool {
	for i := range string(lead) {
		if i > 0 && prefixes[string(lead[:i])] {
			return true
		}
	}
	return prefixes[string(lead)]
}

// markPrefixRunes is how much of a word is compared with the marked terms
// before it is analysed.
const markPrefixRunes = 3

// foldedLead appends the first markPrefixRunes letters of a word, folded.
func foldedLead(dst []byte, word string) []byte {
	n := 0
	for i := 0; i < len(word) && n < markPrefixRunes; i++ {
		c := word[i]
		if c >= utf8.RuneSelf {
			return append(dst[:0], leadingRunes(words.FoldText(word), markPrefixRunes)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		n++
	}
	return dst
}

// leadingRunes is the first n runes of s.
func leadingRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '\'' || r == '’'
}

// bestWindow picks the passage holding the most different matched words
// (then the most matches), and widens it to word boundaries.
func bestWindow(body string, spans []span) (int, int) {
	best, bestDistinct, bestCount := 0, -1, -1
	for i := range spans {
		seen := map[string]bool{}
		count := 0
		for j := i; j < len(spans) && spans[j].end-spans[i].start <= snippetBytes-snippetLead; j++ {
			seen[spans[j].term] = true
			count++
		}
		if len(seen) > bestDistinct || (len(seen) == bestDistinct && count > bestCount) {
			best, bestDistinct, bestCount = i, len(seen), count
		}
	}
	start := max(0, spans[best].start-snippetLead)
	if start > 0 {
		if sp := strings.IndexByte(body[start:spans[best].start], ' '); sp >= 0 {
			start += sp + 1
		} else {
			start = spans[best].start
		}
	}
	end := min(len(body), start+snippetBytes)
	if end < len(body) {
		if sp := strings.LastIndexByte(body[spans[best].end:end], ' '); sp >= 0 {
			end = spans[best].end + sp
		}
		for end > start && end < len(body) && !utf8.RuneStart(body[end]) {
			end--
		}
	}
	return start, max(end, spans[best].end)
}
