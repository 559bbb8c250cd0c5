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
		for _, t := range analyzer.Analyze([]byte(body)) {
			if marks[string(t.Term)] {
				spans = append(spans, span{t.Start, t.End, string(t.Term)})
				if len(spans) == maxMarks {
					break
				}
			}
		}
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
