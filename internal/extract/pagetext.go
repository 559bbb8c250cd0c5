package extract

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/noticekb/noticekb/internal/pubdate"
)

// pageText is the visible text of a whole page on one string, one block
// per line, with a map from text offsets back to elements. Title and date
// finding read the page through it: where a date stands relative to the
// title, whether it sits in a short line of its own or in a sentence.
type pageText struct {
	text string
	// spans are the text nodes in order: the offset where each starts and
	// its parent element.
	spans []textSpan
	// blocks are the block elements with their text's start and end offsets.
	blocks map[*html.Node]blockSpan
	// elements are all rendered elements with text, with the same offsets.
	elements map[*html.Node]blockSpan
	// headings are the rendered h1–h6 elements in text order.
	headings []heading
}

type heading struct {
	el   *html.Node
	span blockSpan
}

type textSpan struct {
	start int
	el    *html.Node
}

type blockSpan struct{ start, end int }

// maxPageText bounds the text rendered for title and date finding; what
// matters for them sits in the first part of any page.
const maxPageText = 1 << 20

func renderPage(root *html.Node) *pageText {
	pt := &pageText{blocks: map[*html.Node]blockSpan{}, elements: map[*html.Node]blockSpan{}}
	var b strings.Builder
	space := false // a space or line break is pending
	newline := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if b.Len() > maxPageText {
			return
		}
		switch n.Type {
		case html.TextNode:
			if n.Data != "" && isSpace(rune(n.Data[0])) {
				space = true
			}
			first := true
			for _, f := range strings.FieldsFunc(n.Data, isSpace) {
				if b.Len() > 0 && (space || !first || numberAfterElement(b.String(), f)) {
					if newline {
						b.WriteByte('\n')
					} else {
						b.WriteByte(' ')
					}
				}
				if first {
					pt.spans = append(pt.spans, textSpan{start: b.Len(), el: n.Parent})
					first = false
				}
				b.WriteString(f)
				space, newline = false, false
			}
			if len(n.Data) > 0 && isSpace(rune(n.Data[len(n.Data)-1])) {
				space = true
			}
			return
		case html.ElementNode:
			if n.DataAtom == atom.Script && inBody(n) {
				// A short inline script in the body that writes a date shows
				// it where it stands: showDate("2020/04/17 01:43").
				if lit := writtenDate(n); lit != "" {
					pt.spans = append(pt.spans, textSpan{start: b.Len() + 1, el: n.Parent})
					b.WriteString(" " + lit + " ")
					space = true
				}
				return
			}
			if invisible[n.DataAtom] || isHidden(n) {
				return
			}
		case html.DocumentNode:
		default:
			return
		}
		block := n.Type == html.ElementNode && (paragraphBreaks[n.DataAtom] || lineBreaks[n.DataAtom] || n.DataAtom == atom.Td || n.DataAtom == atom.Th)
		if block {
			space, newline = true, true
		}
		start, spans := b.Len(), len(pt.spans)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if len(pt.spans) > spans {
			// The text starts at the first text node, after any separator.
			start = pt.spans[spans].start
			pt.elements[n] = blockSpan{start, b.Len()}
		}
		if block {
			space, newline = true, true
			pt.blocks[n] = blockSpan{start, b.Len()}
		}
		if isHeading(n) && len(pt.spans) > spans {
			pt.headings = append(pt.headings, heading{n, blockSpan{start, b.Len()}})
		}
	}
	walk(root)
	pt.text = b.String()
	// Headings were added as their walk ended: an outer one after those
	// inside it, which never happens in sane pages; sort them anyway.
	sort.SliceStable(pt.headings, func(i, j int) bool { return pt.headings[i].span.start < pt.headings[j].span.start })
	return pt
}

func isHeading(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// headingBefore is the last heading that ends at or before offset at.
func (pt *pageText) headingBefore(at int) *html.Node {
	i := sort.Search(len(pt.headings), func(i int) bool { return pt.headings[i].span.end > at }) - 1
	if i < 0 {
		return nil
	}
	return pt.headings[i].el
}

// numberAfterElement reports whether word, the first of a text node that
// follows the written text with no space between, is a number right after
// a letter or digit. Only an element boundary separates them then, and the
// parts of a date set in separate elements (<span>Apr</span>
// <span>04</span><span>2013</span>) are separate words to a reader: run
// together, they are no date.
func numberAfterElement(written, word string) bool {
	next, _ := utf8.DecodeRuneInString(word)
	last, _ := utf8.DecodeLastRuneInString(written)
	return unicode.IsDigit(next) && (unicode.IsDigit(last) || unicode.IsLetter(last))
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff'
}

// elementAt is the element whose text holds the byte at off.
func (pt *pageText) elementAt(off int) *html.Node {
	i := sort.Search(len(pt.spans), func(i int) bool { return pt.spans[i].start > off }) - 1
	if i < 0 {
		return nil
	}
	return pt.spans[i].el
}

// blockOf is the nearest block ancestor of n (or n itself) and its span.
func (pt *pageText) blockOf(n *html.Node) (*html.Node, blockSpan) {
	for e := n; e != nil; e = e.Parent {
		if s, ok := pt.blocks[e]; ok {
			return e, s
		}
	}
	return nil, blockSpan{0, len(pt.text)}
}

// lineAround is the line of text holding [start, end).
func lineAround(text string, start, end int) (int, int) {
	from := strings.LastIndexByte(text[:start], '\n') + 1
	to := strings.IndexByte(text[end:], '\n')
	if to < 0 {
		to = len(text)
	} else {
		to += end
	}
	return from, to
}

// spanOf returns where the text of element n starts and ends: its block
// span if n is a block, else the span of its text.
func (pt *pageText) spanOf(n *html.Node) (blockSpan, bool) {
	if s, ok := pt.blocks[n]; ok {
		return s, true
	}
	s, ok := pt.elements[n]
	return s, ok
}

func inBody(n *html.Node) bool {
	for e := n.Parent; e != nil; e = e.Parent {
		if e.DataAtom == atom.Body {
			return true
		}
	}
	return false
}

// scriptString is a quoted string in a script.
var scriptString = regexp.MustCompile(`"([^"\\\n]{6,60})"|'([^'\\\n]{6,60})'`)

// writtenDate returns the string of a short inline script that holds a
// date, or "".
func writtenDate(n *html.Node) string {
	if attr(n, "src") != "" || n.FirstChild == nil || len(n.FirstChild.Data) > 200 {
		return ""
	}
	for _, m := range scriptString.FindAllStringSubmatch(n.FirstChild.Data, 3) {
		lit := m[1] + m[2]
		if len(pubdate.Find(lit, pubdate.Auto)) == 1 {
			return lit
		}
	}
	return ""
}
