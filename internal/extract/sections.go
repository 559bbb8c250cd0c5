package extract

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/noticekb/noticekb/internal/verdict"
)

// A notice's sections are its site's own words for where it belongs: the
// section and tags its metadata names, the tag and category links of its
// byline, the trail of its breadcrumbs. Sites' categories always exist
// where a taxonomy of cooperation topics may match nothing.
const (
	maxSections     = 12
	maxSectionRunes = 60
)

// taxonomyLinkClass marks the containers of a post's category and tag links.
var taxonomyLinkClass = regexp.MustCompile(`(?i)(^|[\s_-])(cat-links|tags?-links|post-categories|post-tags|entry-categories|entry-tags|article-tags|article-categories|categories|tags|tag-list|category-list|post-category|post-tag)($|[\s_-])`)

// sideOfSections marks the places whose category and tag links are the
// site's, wherever they stand: widgets, tag clouds, menus, related posts.
var sideOfSections = regexp.MustCompile(`(?i)(^|[\s_-])(sidebar|widgets?|tagcloud|tag-cloud|related|recent|popular|menu|nav|navbar|navigation)($|[\s_-])`)

// breadcrumbClass marks a breadcrumb trail.
var breadcrumbClass = regexp.MustCompile(`(?i)breadcrumb`)

// sections lists the page's sections and tags, in the order found, each
// once: metadata (article:section, article:tag, JSON-LD articleSection and
// keywords), links marked rel=tag or rel=category and the links of a
// post's category and tag lists, then the breadcrumb trail between the
// home page and the page itself.
func (pg *page) sections(title string) []string {
	s := sectionSet{seen: map[string]bool{}, title: strings.ToLower(title)}
	var crumbs []string
	trailRead := false
	var visit func(n *html.Node, taxonomy, side, inArticle bool)
	visit = func(n *html.Node, taxonomy, side, inArticle bool) {
		if n.Type != html.ElementNode {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				visit(c, taxonomy, side, inArticle)
			}
			return
		}
		label := attr(n, "class") + " " + attr(n, "id")
		switch n.DataAtom {
		case atom.Meta:
			switch strings.ToLower(attr(n, "property") + attr(n, "name")) {
			case "article:section", "article:tag":
				s.add(attr(n, "content"))
			}
			return
		case atom.Script:
			if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
				for _, v := range ldSections(n.FirstChild.Data) {
					s.add(v)
				}
			}
			return
		case atom.A:
			rel := " " + strings.ToLower(attr(n, "rel")) + " "
			if !side && (taxonomy || strings.Contains(rel, " tag ") || strings.Contains(rel, " category ")) {
				s.add(inlineText(n))
			}
			return
		case atom.Nav, atom.Aside:
			side = true
		case atom.Footer:
			side = side || !inArticle // an entry's footer holds its categories and tags
		case atom.Article:
			inArticle = true
		}
		if !trailRead && (breadcrumbClass.MatchString(label+" "+attr(n, "aria-label")) || strings.HasSuffix(attr(n, "itemtype"), "BreadcrumbList")) {
			// The first breadcrumb trail is the page's; its links between
			// the home page and the page itself are its sections.
			trailRead = true
			crumbs = pg.trail(n)
			return
		}
		if invisible[n.DataAtom] && n.DataAtom != atom.Head {
			return
		}
		// A sidebar's category list or tag cloud is the site's, not the post's.
		side = side || sideOfSections.MatchString(label) || !inArticle && sideClass.MatchString(label)
		taxonomy = taxonomy || taxonomyLinkClass.MatchString(label)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, taxonomy, side, inArticle)
		}
	}
	visit(pg.root, false, false, false)
	for _, c := range crumbs {
		s.add(c)
	}
	return s.list
}

// maxTrail bounds a breadcrumb trail's links: more is a menu.
const maxTrail = 8

// trail reads a breadcrumb trail's links, home and the page itself left out.
func (pg *page) trail(n *html.Node) []string {
	var out []string
	links := 0
	var visit func(*html.Node)
	visit = func(e *html.Node) {
		if e.Type == html.ElementNode && e.DataAtom == atom.A {
			links++
			if !pg.homeOrSelf(attr(e, "href")) {
				out = append(out, inlineText(e))
			}
			return
		}
		for c := e.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	if links > maxTrail {
		return nil
	}
	return out
}

// homeOrSelf reports whether a breadcrumb's link leads to the site's home
// page or to the page itself: neither is a section.
func (pg *page) homeOrSelf(href string) bool {
	u := pg.resolve(href)
	return u == "" || verdict.ReadURL(u).Home || sameDocKey(u) == sameDocKey(pg.urlString())
}

// homeWords name a site's home page in its breadcrumbs: no section.
var homeWords = map[string]bool{"home": true, "homepage": true, "home page": true, "accueil": true, "startseite": true,
	"inicio": true, "início": true, "홈": true, "首页": true, "ホーム": true}

// sectionSet gathers sections, each once whatever its case, none that is
// only the page's own title or too long for a section's name.
type sectionSet struct {
	list  []string
	seen  map[string]bool
	title string
}

func (s *sectionSet) add(v string) {
	v = strings.Join(strings.Fields(html.UnescapeString(v)), " ")
	v = strings.Trim(v, " /|»›>·,;:")
	key := strings.ToLower(v)
	n := utf8.RuneCountInString(v)
	if n < 2 || n > maxSectionRunes || s.seen[key] || key == s.title || homeWords[key] || len(s.list) >= maxSections {
		return
	}
	s.seen[key] = true
	s.list = append(s.list, v)
}

// ldSections reads articleSection and keywords from a JSON-LD script: a
// string, a comma-separated string (keywords) or a list of strings.
func ldSections(src string) []string {
	var out []string
	walkJSONLD(src, func(t map[string]any, _ int) {
		if isArticleType(t["@type"]) {
			out = append(out, ldStrings(t["articleSection"])...)
			out = append(out, ldStrings(t["keywords"])...)
		}
	})
	return out
}

// ldStrings reads a JSON-LD value that is a string, a comma-separated
// string or a list of strings.
func ldStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return strings.Split(t, ",")
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
