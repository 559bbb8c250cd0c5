package extract

import (
	"regexp"
	"strings"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// rawBody returns the notice text before cleaning: the rule's body
// selector when it matches and holds text, else the generic extractor's
// main content; with the element it was read from when a rule gave it.
func (pg *page) rawBody() (string, *html.Node) {
	if pg.rule != nil && pg.rule.body != nil {
		if n := pg.doc.FindMatcher(pg.rule.body).First(); n.Length() > 0 {
			skip := func(e *html.Node) bool {
				return isBoilerplateElement(e) || (pg.rule.exclude != nil && pg.rule.exclude.Match(e))
			}
			if text := nodeText(n.Get(0), skip); cleanBody(text, "", nil, nil) != "" {
				return text, n.Get(0)
			}
		}
	}
	return trimEdges(pg.genericBody(), pg.linkTexts()), nil
}

// trimEdges drops the lines a generic extractor may keep around the text
// of a page without markup to tell content from chrome (table layouts):
// menu links and copyright lines at either end, so that the body's start
// can be placed on the page before the title is known.
func trimEdges(text string, links map[string]bool) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	edge := func(line string) bool {
		line = strings.Join(strings.Fields(line), " ")
		return line == "" || links[line] || isBoilerplateLine(line) || isCopyrightLine(line)
	}
	for len(lines) > 0 && edge(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && edge(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// linkTexts are the texts of the page's links, one line each, collected
// on first use.
func (pg *page) linkTexts() map[string]bool {
	if pg.linkText != nil {
		return pg.linkText
	}
	texts := map[string]bool{}
	pg.linkText = texts
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			if t := inlineText(n); t != "" && len(t) <= 160 {
				texts[t] = true
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(pg.root)
	return texts
}

// isFooter reports whether n is a page footer: a <footer>, or an element
// whose class or id names one ("footer", "site-footer", "footer-wrap",
// "ft", "copyright"; not "copy", which some sites call their article
// text). The page's outer elements and anything holding the
// main heading or article are never taken for one, whatever their classes
// say ("active-footer-widgets" on <body>).
func isFooter(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Html, atom.Body, atom.Main, atom.Article:
		return false
	}
	named := n.DataAtom == atom.Footer
	for _, name := range strings.Fields(strings.ToLower(attr(n, "class") + " " + attr(n, "id"))) {
		switch {
		case name == "ft", name == "foot", name == "copyright",
			strings.HasPrefix(name, "footer"), strings.HasSuffix(name, "-footer"), strings.HasSuffix(name, "_footer"):
			named = true
		}
	}
	return named && !holdsMain(n)
}

// holdsMain reports whether n contains a page's main heading or article.
func holdsMain(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == atom.H1 || c.DataAtom == atom.Article || c.DataAtom == atom.Main || holdsMain(c)) {
			return true
		}
	}
	return false
}

// footerTexts are the texts of the leaf blocks (address, copyright and
// contact lines) of the page's footers, as cleanBody compares lines.
func (pg *page) footerTexts() map[string]bool {
	texts := map[string]bool{}
	var collect func(n *html.Node) bool // reports whether n holds a block
	collect = func(n *html.Node) bool {
		hasBlock := false
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && collect(c) {
				hasBlock = true
			}
		}
		block := n.Type == html.ElementNode && textBlock[n.DataAtom]
		if block && !hasBlock {
			if t := inlineText(n); t != "" {
				texts[t] = true
			}
		}
		return block || hasBlock
	}
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && isFooter(n) {
			collect(n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(pg.root)
	return texts
}

// textBlock are the elements a footer writes its lines in.
var textBlock = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Address: true, atom.Li: true, atom.Dd: true, atom.Dt: true,
	atom.Td: true, atom.Section: true, atom.Ul: true, atom.Footer: true,
}

// genericBody runs go-trafilatura, which scores the page's blocks and keeps
// the main content; its own date search is off because findDate does that
// with the page's other evidence.
func (pg *page) genericBody() string {
	opts := trafilatura.Options{
		OriginalURL:     pg.url,
		EnableFallback:  true,
		ExcludeComments: true,
		HtmlDateMode:    trafilatura.Disabled,
	}
	res, err := trafilatura.ExtractDocument(pg.root, opts)
	if err != nil || res == nil || res.ContentNode == nil {
		return ""
	}
	return nodeText(res.ContentNode, nil)
}

// boilerplateClass marks elements inside content areas that are not
// content: share bars, print buttons, previous/next navigation, tags.
var boilerplateClass = regexp.MustCompile(`(?i)(^|[\s_-])(share|sharing|sharedaddy|sns|social|print|prevnext|prev_next|pager|pagination|related|relatedposts|comments?|breadcrumbs?|btn_area|board_btn|post-navigation|tags-links)($|[\s_-])`)

func isBoilerplateElement(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	return boilerplateClass.MatchString(attr(n, "class")) || boilerplateClass.MatchString(attr(n, "id"))
}
