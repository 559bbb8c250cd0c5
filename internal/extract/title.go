package extract

import (
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// titleSeparators split a <title> into the notice title and the site name.
var titleSeparators = []string{" | ", " – ", " — ", " - ", " :: ", " » ", " > ", " · ", " ｜ "}

const maxTitleRunes = 400

// findTitle picks the notice title: the rule's selector, else the page's
// main heading when it agrees with the metadata titles, else the longest
// metadata title that is not cut short with an ellipsis.
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
	if heading != "" {
		for _, c := range candidates {
			if agree(heading, c) {
				return heading, headingNode
			}
		}
	}
	best := ""
	for _, c := range candidates {
		if c != "" && !truncated(c) && utf8.RuneCountInString(c) > utf8.RuneCountInString(best) {
			best = c
		}
	}
	if best == "" {
		if heading != "" {
			return heading, headingNode
		}
		best = firstNonEmpty(candidates[0], candidates[1], candidates[2])
	}
	return best, nil
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
			found, node = cleanTitle(h.Text()), h.Get(0)
			return found == ""
		})
		if found != "" {
			return found, node
		}
	}
	return "", nil
}

// titleFromHead takes the notice title out of "<title>": the longest part
// between site-name separators.
func titleFromHead(t string) string {
	t = cleanTitle(t)
	parts := []string{t}
	for _, sep := range titleSeparators {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	best := ""
	for _, p := range parts {
		if p = strings.TrimSpace(p); len(p) > len(best) {
			best = p
		}
	}
	return best
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
	h, o := strings.ToLower(heading), strings.ToLower(other)
	o = strings.TrimRight(strings.TrimSuffix(strings.TrimSuffix(o, "…"), "..."), " ")
	return h == o || (len(o) >= 12 && strings.HasPrefix(h, o)) || (len(h) >= 12 && strings.HasPrefix(o, h))
}
