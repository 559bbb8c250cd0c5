package index

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
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
// Only the words that begin like a marked term are analysed (a stem
// begins like the words it comes from, "citi" like "cities", give or take
// its last letters), which spares analysing the whole body per hit.
func markedWords(body string, analyzer analysis.Analyzer, marks map[string]bool) []span {
	var prefixes []string
	for m := range marks {
		p := m[:min(len(m), 3)]
		if !isASCII(p) {
			return analysedSpans(body, 0, analyzer, marks) // no cheap test
		}
		prefixes = append(prefixes, p)
	}
	var spans []span
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
		for _, p := range prefixes {
			if hasPrefixFold(body[i:end], p) {
				spans = append(spans, analysedSpans(body[i:end], i, analyzer, marks)...)
				break
			}
		}
		i = end
	}
	return spans
}

// analysedSpans analyses text (found at offset in the body) and returns
// its marked tokens.
func analysedSpans(text string, offset int, analyzer analysis.Analyzer, marks map[string]bool) []span {
	var spans []span
	for _, t := range analyzer.Analyze([]byte(text)) {
		if marks[string(t.Term)] {
			spans = append(spans, span{offset + t.Start, offset + t.End, string(t.Term)})
			if len(spans) == maxMarks {
				break
			}
		}
	}
	return spans
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s begins with the lower-case ASCII prefix p,
// ignoring ASCII case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
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
