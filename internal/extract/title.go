package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// titleSeparators split a <title> into the notice title and the site name.
var titleSeparators = []string{" | ", " – ", " — ", " - ", " :: ", " » ", " > ", " · ", " ｜ "}

const maxTitleRunes = 400

// findTitle picks the notice title: the rule's selector; else the page's
// main heading, or the prominent line above the body, when it agrees with
// a metadata title; else the longest metadata title that is not cut short
// and does not merely name the site or a section of it; else that
// prominent line, the heading or any metadata title.
func (pg *page) findTitle() (string, *html.Node) {
	if pg.rule != nil && pg.rule.title != nil {
		if sel := pg.doc.FindMatcher(pg.rule.title).First(); sel.Length() > 0 {
			if t := cleanTitle(sel.Text()); t != "" {
				return t, sel.Get(0)
			}
		}
	}
	heading, headingNode := pg.mainHeading()
	pg.headingNode = headingNode
	candidates := []string{
		cleanTitle(pg.meta.ld.headline),
		cleanTitle(pg.meta.ogTitle),
		titleFromHead(pg.meta.title),
	}
	// For a heading in the article's region, the first part of the
	// <title> counts for agreement too: the longest part may be the site's
	// name ("Choisir nos projets - Service numérique canadien"). Outside
	// it, a site-name heading would agree with "Site » Post".
	headTitle := cleanTitle(pg.meta.title)
	agrees := func(t string, n *html.Node) bool {
		for _, c := range candidates {
			if agree(t, c) {
				return true
			}
		}
		return inArticleRegion(n) && startsTitle(t, headTitle)
	}
	if heading != "" && agrees(heading, headingNode) {
		return heading, headingNode
	}
	visual, visualNode := pg.visualTitle()
	if visual != "" && agrees(visual, visualNode) {
		return visual, visualNode
	}
	// A metadata title the page does not show anywhere is the site's or a
	// section's name when the page shows a title-like line above its body.
	shown := func(c string) bool { return visual == "" || showsLine(pg.text().text, c) }
	best := ""
	for _, c := range candidates {
		if c != "" && !truncated(c) && !pg.namesSection(c) && shown(c) && utf8.RuneCountInString(c) > utf8.RuneCountInString(best) {
			best = c
		}
	}
	switch {
	case best != "":
		return best, nil
	case visual != "":
		return visual, visualNode
	case heading != "":
		return heading, headingNode
	}
	return firstNonEmpty(candidates[0], candidates[1], candidates[2]), nil
}

// namesSection reports whether a metadata title only names the site or a
// section of it: the site's name, or the text of one of its links
// ("Notice Archive" in a <title> and in the menu).
func (pg *page) namesSection(t string) bool {
	lt := strings.ToLower(t)
	if lt == strings.ToLower(pg.meta.ogSiteName) {
		return true
	}
	found := false
	pg.doc.Find("a").EachWithBreak(func(_ int, a *goquery.Selection) bool {
		found = strings.EqualFold(strings.Join(strings.Fields(a.Text()), " "), t)
		return !found
	})
	return found
}

// titleClass marks elements that hold a post's title in CMS templates.
var titleClass = regexp.MustCompile(`(?i)(^|[\s_-])(title|tit|subject|headline|heading|post-?title|entry-?title|article-?title|news-?title|view-?title)($|[\s_-])`)

// visualTitle is the prominent line nearest above the body: a heading, an
// element classed as a title, or a bold or large line standing alone, as
// table-layout pages without headings show their titles.
func (pg *page) visualTitle() (string, *html.Node) {
	pt := pg.text()
	bodyStart := pg.bodyStart()
	if bodyStart < 0 {
		return "", nil
	}
	firstLine, _, _ := strings.Cut(strings.TrimSpace(pg.body), "\n")
	var best *html.Node
	bestStart := -1
	var visit func(n *html.Node, chrome bool)
	visit = func(n *html.Node, chrome bool) {
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return
		}
		if n.Type == html.ElementNode {
			if invisible[n.DataAtom] || isHidden(n) {
				return
			}
			switch n.DataAtom {
			case atom.Nav, atom.Footer, atom.Aside:
				chrome = true
			}
			if chromeClass.MatchString(attr(n, "class") + " " + attr(n, "id")) {
				chrome = true
			}
			if !chrome && prominent(n) {
				if span, ok := pt.spanOf(n); ok && span.start > bestStart && span.start <= bodyStart {
					text := pt.text[span.start:span.end]
					if span.start < bodyStart || strings.Join(strings.Fields(firstLine), " ") == text {
						if titleLike(text) {
							best, bestStart = n, span.start
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, chrome)
		}
	}
	visit(pg.root, false)
	if best == nil {
		return "", nil
	}
	return cleanTitle(inlineText(best)), best
}

// prominent reports whether an element is shown as a title: a heading, a
// title class, or bold or large text that is all of its line.
func prominent(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4:
		return true
	case atom.B, atom.Strong, atom.Big, atom.Font:
		if n.DataAtom == atom.Font && !largeFont(attr(n, "size")) && !hasBold(n) {
			return false
		}
		return aloneOnLine(n)
	}
	return titleClass.MatchString(attr(n, "class")+" "+attr(n, "id")) && !strings.Contains(strings.ToLower(attr(n, "class")), "site")
}

func largeFont(size string) bool {
	size = strings.TrimSpace(size)
	return size == "4" || size == "5" || size == "6" || size == "7" || size == "+1" || size == "+2" || size == "+3"
}

func hasBold(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == atom.B || c.DataAtom == atom.Strong) {
			return true
		}
	}
	return false
}

// aloneOnLine reports whether n's text is all the text of its block.
func aloneOnLine(n *html.Node) bool {
	block := n.Parent
	for block != nil && block.Type == html.ElementNode && !paragraphBreaks[block.DataAtom] && !lineBreaks[block.DataAtom] &&
		block.DataAtom != atom.Td && block.DataAtom != atom.Th {
		block = block.Parent
	}
	if block == nil {
		return false
	}
	return inlineText(block) == inlineText(n)
}

// titleLike accepts text that can be a title: a few words, not a date, not
// navigation words.
func titleLike(text string) bool {
	n := utf8.RuneCountInString(text)
	if n < 8 || n > 300 || isDateLine(text) || isBoilerplateLine(text) {
		return false
	}
	return len(strings.Fields(text)) >= 2 || n >= 6 && !strings.ContainsFunc(text, unicode.IsSpace)
}

// mainHeading is the h1 of the article or main area, or the page's only h1.
func (pg *page) mainHeading() (string, *html.Node) {
	for _, sel := range []string{"article h1", "main h1", "[role=main] h1", "#content h1, .content h1", "h1"} {
		hs := pg.doc.Find(sel)
		if hs.Length() == 0 || (sel == "h1" && hs.Length() > 2) {
			continue
		}
		var found string
		var node *html.Node
		hs.EachWithBreak(func(_ int, h *goquery.Selection) bool {
			if !shown(h.Get(0)) {
				return true
			}
			found, node = cleanTitle(h.Text()), h.Get(0)
			return found == ""
		})
		if found != "" {
			return found, node
		}
	}
	return "", nil
}

// markup matches tags written as text in a metadata title.
var markup = regexp.MustCompile(`</?[a-zA-Z][^<>]*>`)

// ellipsisAndApostrophe are written one way for comparing titles.
var ellipsisAndApostrophe = strings.NewReplacer("…", "...", "’", "'")

// titleKey is a title as compared: as shown when the source escaped it
// twice ("&amp;nbsp;", "&lt;strong&gt;"), in lower case, with one way of
// writing an ellipsis and an apostrophe. Titles themselves stay as the
// page writes them.
func titleKey(s string) string {
	if strings.Contains(s, "&") && strings.Contains(s, ";") {
		s = html.UnescapeString(s)
	}
	if strings.Contains(s, "<") {
		s = markup.ReplaceAllString(s, "")
	}
	return ellipsisAndApostrophe.Replace(strings.ToLower(strings.Join(strings.Fields(s), " ")))
}

// startsTitle reports whether a <title> starts with t, then a separator
// and more: "Title - Site".
func startsTitle(t, title string) bool {
	rest, ok := strings.CutPrefix(titleKey(title), titleKey(t))
	if !ok || utf8.RuneCountInString(t) < 8 {
		return false
	}
	for _, sep := range titleSeparators {
		if strings.HasPrefix(rest, sep) {
			return true
		}
	}
	return false
}

// inArticleRegion reports whether n stands inside an <article>, <main> or
// role="main" element.
func inArticleRegion(n *html.Node) bool {
	for e := n; e != nil; e = e.Parent {
		if e.Type == html.ElementNode && (e.DataAtom == atom.Article || e.DataAtom == atom.Main || strings.EqualFold(attr(e, "role"), "main")) {
			return true
		}
	}
	return false
}

// titleFromHead takes the notice title out of "<title>": the longest part
// between site-name separators.
func titleFromHead(t string) string {
	best := ""
	for _, p := range splitTitle(t) {
		if p = strings.TrimSpace(p); len(p) > len(best) {
			best = p
		}
	}
	return best
}

// splitTitle cuts a "<title>" into its parts between site-name separators
// ("Notice title | Site name").
func splitTitle(t string) []string {
	parts := []string{cleanTitle(t)}
	for _, sep := range titleSeparators {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	return parts
}

func cleanTitle(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxTitleRunes {
		return ""
	}
	return s
}

func truncated(s string) bool {
	return strings.HasSuffix(s, "…") || strings.HasSuffix(s, "...")
}

// agree reports whether a heading and a metadata title name the same
// notice: equal, or one the start of the other (metadata titles are often
// cut with an ellipsis or carry the site name).
func agree(heading, other string) bool {
	if other == "" {
		return false
	}
	h, o := titleKey(heading), titleKey(other)
	o = strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(o, "…"), "..."), " ")
	// Metadata titles may also carry a prefix ("Notice: ", "[Event] ").
	return h == o || (len(o) >= 12 && strings.HasPrefix(h, o)) ||
		(len(h) >= 12 && (strings.HasPrefix(o, h) || strings.HasSuffix(o, h)))
}

// showsLine reports whether text has line as one of its lines.
func showsLine(text, line string) bool {
	for at := 0; ; {
		i := strings.Index(text[at:], line)
		if i < 0 {
			return false
		}
		i += at
		end := i + len(line)
		if (i == 0 || text[i-1] == '\n') && (end == len(text) || text[end] == '\n') {
			return true
		}
		at = i + 1
	}
}
