package extract

import (
	"regexp"
	"strings"
	"unicode"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"noticekb/internal/pubdate"
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
			if text := nodeText(n.Get(0), skip); cleanBody(text, "") != "" {
				return text, n.Get(0)
			}
		}
	}
	return trimEdges(pg.genericBody(), pg.linkTexts()), nil
}

// linkTexts are the texts of the page's links, one line each.
func (pg *page) linkTexts() map[string]bool {
	texts := map[string]bool{}
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

// trimEdges drops the lines a generic extractor may keep around the text
// of a page without markup to tell content from chrome (table layouts):
// menu links, breadcrumbs, "Back to list" and copyright lines at either
// end. Lines in the middle stay: a link there may be part of the text.
func trimEdges(text string, links map[string]bool) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	edge := func(line string) bool {
		line = strings.Join(strings.Fields(line), " ")
		return line == "" || links[line] || isBoilerplateLine(line) || copyrightLine.MatchString(line)
	}
	for len(lines) > 0 && edge(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && edge(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

var copyrightLine = regexp.MustCompile(`(?i)^(copyright|©|\(c\))`)

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

// boilerplateWords are the words of navigation and share lines ("LIST Prev
// Next", "SHARE Facebook Twitter LinkedIn Print", "목록 이전글 다음글").
var boilerplateWords = map[string]bool{
	"list": true, "prev": true, "previous": true, "next": true, "top": true,
	"print": true, "share": true, "this": true, "back": true, "to": true,
	"facebook": true, "twitter": true, "x": true, "linkedin": true, "email": true,
	"e": true, "mail": true, "kakao": true, "kakaotalk": true, "naver": true,
	"band": true, "blog": true, "more": true, "read": true, "continue": true,
	"reading": true, "go": true, "whatsapp": true, "telegram": true, "copy": true,
	"link": true, "url": true, "목록": true, "이전글": true, "다음글": true,
	"이전": true, "다음": true, "인쇄": true, "공유": true, "공유하기": true,
	"스크랩": true, "목록으로": true, "post": true, "posts": true, "navigation": true,
}

// cleanBody drops boilerplate lines, a repeated title or bare date at the
// top, and extra blank lines.
func cleanBody(text, title string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if isBoilerplateLine(line) {
			continue
		}
		if len(out) == 0 && (sameTitle(line, title) || isDateLine(line)) {
			continue // the heading and date block above the text
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func isBoilerplateLine(line string) bool {
	ws := strings.FieldsFunc(strings.ToLower(line), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(ws) == 0 {
		return len([]rune(line)) <= 3 // stray bullets and separators: "|", "»"
	}
	if len(ws) > 8 {
		return false
	}
	for _, w := range ws {
		if !boilerplateWords[w] {
			return false
		}
	}
	return true
}

func isDateLine(line string) bool {
	if len(line) > 40 {
		return false
	}
	ms := pubdate.Find(line, pubdate.Auto)
	return len(ms) == 1 && ms[0].End-ms[0].Start >= len(line)-12
}

// sameTitle reports whether a line repeats the title, allowing for a
// prefix such as "Notice:" on either.
func sameTitle(line, title string) bool {
	if title == "" {
		return false
	}
	l, t := strings.ToLower(line), strings.ToLower(title)
	return l == t || (len(l) >= 12 && (strings.HasSuffix(t, l) || strings.HasSuffix(l, t)))
}
