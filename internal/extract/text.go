package extract

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// invisible elements never contribute text.
var invisible = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Svg: true, atom.Canvas: true, atom.Object: true,
	atom.Embed: true, atom.Select: true, atom.Button: true, atom.Input: true,
	atom.Textarea: true, atom.Head: true, atom.Audio: true, atom.Video: true,
	atom.Math: true,
}

// paragraphBreaks separate blocks of prose; lineBreaks separate lines.
var (
	paragraphBreaks = map[atom.Atom]bool{
		atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
		atom.H5: true, atom.H6: true, atom.Blockquote: true, atom.Pre: true,
		atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Dl: true,
		atom.Section: true, atom.Article: true, atom.Figure: true, atom.Hr: true,
		atom.Header: true, atom.Footer: true, atom.Main: true, atom.Nav: true,
		atom.Aside: true, atom.Form: true, atom.Address: true, atom.Center: true,
		atom.Fieldset: true, atom.Details: true,
	}
	lineBreaks = map[atom.Atom]bool{
		atom.Div: true, atom.Li: true, atom.Tr: true, atom.Dt: true, atom.Dd: true,
		atom.Figcaption: true, atom.Caption: true, atom.Summary: true, atom.Br: true,
		atom.Tbody: true, atom.Thead: true, atom.Tfoot: true,
	}
)

// textWriter accumulates visible text with line and paragraph structure,
// collapsing runs of white space the way a browser renders them.
type textWriter struct {
	b        strings.Builder
	pending  int // 0 none, 1 space, 2 newline, 3 blank line
	anything bool
}

func (w *textWriter) brk(level int) {
	if level > w.pending {
		w.pending = level
	}
}

func (w *textWriter) write(s string) {
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff' {
			w.brk(1)
			continue
		}
		if w.anything {
			switch w.pending {
			case 1:
				w.b.WriteByte(' ')
			case 2:
				w.b.WriteByte('\n')
			case 3:
				w.b.WriteString("\n\n")
			}
		}
		w.pending = 0
		w.anything = true
		w.b.WriteRune(r)
	}
}

// renderText writes the visible text under n. skip, when not nil, prunes
// subtrees (boilerplate inside the content area).
func renderText(w *textWriter, n *html.Node, skip func(*html.Node) bool) {
	switch n.Type {
	case html.TextNode:
		w.write(n.Data)
		return
	case html.ElementNode:
		if invisible[elementAtom(n)] || isHidden(n) || (skip != nil && skip(n)) {
			return
		}
	case html.CommentNode, html.DoctypeNode:
		return
	}
	a := elementAtom(n)
	level := 0
	switch {
	case paragraphBreaks[a]:
		level = 3
	case lineBreaks[a]:
		level = 2
	case a == atom.Td || a == atom.Th:
		level = 1
	}
	w.brk(level)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		renderText(w, c, skip)
	}
	w.brk(level)
}

// nodeText is the visible text of one subtree as lines and paragraphs.
func nodeText(n *html.Node, skip func(*html.Node) bool) string {
	var w textWriter
	renderText(&w, n, skip)
	return w.b.String()
}

// inlineText is the visible text of a subtree on one line.
func inlineText(n *html.Node) string {
	return strings.Join(strings.Fields(nodeText(n, nil)), " ")
}

// isHidden reports whether an element is not shown to a reader as it
// stands: hidden by its attributes or inline style, a dialog that is not
// open, or a search form (a search dialog's "Filter by type" is never a
// title, nor text of the page).
func isHidden(n *html.Node) bool {
	if n.DataAtom == atom.Dialog {
		if _, open := getAttr(n, "open"); !open {
			return true
		}
	}
	if searchUI(n) {
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			s := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// elementAtom is an element's atom. Trees built by other libraries (the
// generic extractor's output) may leave DataAtom unset, so fall back to
// looking the name up.
func elementAtom(n *html.Node) atom.Atom {
	if n.DataAtom != 0 || n.Type != html.ElementNode {
		return n.DataAtom
	}
	return atom.Lookup([]byte(n.Data))
}

// searchUIClass marks the containers of search boxes and of the dialogs
// and overlays search results open in.
var searchUIClass = regexp.MustCompile(`(?i)(^|[\s_-])(search|modal|overlay|popup|dialog|lightbox|off-?canvas)($|[\s_-])`)

// searchUI reports whether n is a search form: role="search", or a form or
// a search-like container (a search modal) holding a search box and no
// content (a page wrapper classed "has-overlay" holds the article too).
func searchUI(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if strings.EqualFold(attr(n, "role"), "search") {
		return true
	}
	if n.DataAtom != atom.Form && !searchUIClass.MatchString(attr(n, "class")+" "+attr(n, "id")) {
		return false
	}
	box, content := searchBoxAndContent(n)
	return box && !content
}

// searchBoxAndContent reports whether n holds an <input type="search">,
// and whether it holds content: an article, a main region or a heading.
func searchBoxAndContent(n *html.Node) (box, content bool) {
	for c := n.FirstChild; c != nil && !content; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Input:
			box = box || strings.EqualFold(attr(c, "type"), "search")
		case atom.Article, atom.Main, atom.H1:
			content = true
		}
		b, ct := searchBoxAndContent(c)
		box, content = box || b, content || ct
	}
	return box, content
}

// shown reports whether n and all its ancestors are shown to a reader.
func shown(n *html.Node) bool {
	for e := n; e != nil; e = e.Parent {
		if e.Type == html.ElementNode && (invisible[elementAtom(e)] || isHidden(e)) {
			return false
		}
	}
	return true
}
