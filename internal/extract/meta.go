package extract

import (
	"encoding/json"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// metadata is what a page says about itself outside its visible text.
type metadata struct {
	title      string // <title>
	ogTitle    string
	ogSiteName string
	ogType     string
	canonical  string
	base       string
	lang       string
	// publishedHints are publication dates from meta tags and JSON-LD, best first.
	publishedHints []string
	ld             jsonLD
}

// jsonLD is the part of a page's JSON-LD that describes the article.
type jsonLD struct {
	isArticle     bool
	headline      string
	datePublished string
	publisher     string
}

// metaDateNames are <meta> names and properties that carry a publication
// date, best first. "Modified" and "updated" names are deliberately absent.
var metaDateNames = []string{
	"article:published_time", "og:published_time", "datepublished", "published_time",
	"article.published", "publish-date", "publish_date", "publishdate", "pubdate",
	"date_published", "published-date", "original-publish-date", "parsely-pub-date",
	"sailthru.date", "citation_publication_date", "citation_date", "dc.date.issued",
	"dcterms.issued", "dcterms.created", "dc.date.created", "dc.date", "dcterms.date",
	"date", "og:pubdate", "article_date_original", "cxenseparse:recs:publishtime",
	"displaydate", "release_date", "created", "creation_date",
}

func readMetadata(doc *html.Node) metadata {
	var m metadata
	dates := map[string]string{}
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				m.lang = attr(n, "lang")
			case atom.Title:
				if m.title == "" {
					m.title = inlineText(n)
				}
			case atom.Base:
				if m.base == "" {
					m.base = attr(n, "href")
				}
			case atom.Link:
				if strings.EqualFold(attr(n, "rel"), "canonical") && m.canonical == "" {
					m.canonical = strings.TrimSpace(attr(n, "href"))
				}
			case atom.Meta:
				m.readMeta(n, dates)
			case atom.Script:
				if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
					m.ld.merge(parseJSONLD(n.FirstChild.Data))
				}
				return
			case atom.Body:
				// JSON-LD and itemprop dates may sit in the body too.
			}
			if prop := attr(n, "itemprop"); strings.EqualFold(prop, "datePublished") {
				if v := firstNonEmpty(attr(n, "content"), attr(n, "datetime")); v != "" {
					dates["datepublished"] = v
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)
	if m.ld.datePublished != "" {
		m.publishedHints = append(m.publishedHints, m.ld.datePublished)
	}
	for _, name := range metaDateNames {
		if v := dates[name]; v != "" {
			m.publishedHints = append(m.publishedHints, v)
		}
	}
	return m
}

func (m *metadata) readMeta(n *html.Node, dates map[string]string) {
	key := strings.ToLower(firstNonEmpty(attr(n, "property"), attr(n, "name"), attr(n, "itemprop"), attr(n, "http-equiv")))
	content := strings.TrimSpace(attr(n, "content"))
	if key == "" || content == "" {
		return
	}
	switch key {
	case "og:title", "twitter:title":
		if m.ogTitle == "" {
			m.ogTitle = content
		}
	case "og:site_name", "application-name":
		if m.ogSiteName == "" {
			m.ogSiteName = content
		}
	case "og:type":
		m.ogType = strings.ToLower(content)
	}
	if _, seen := dates[key]; !seen {
		dates[key] = content
	}
}

var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "blogposting": true, "report": true,
	"pressrelease": true, "scholarlyarticle": true, "reportagenewsarticle": true,
	"analysisnewsarticle": true, "backgroundnewsarticle": true, "opinionnewsarticle": true,
	"socialmediaposting": true, "liveblogposting": true, "event": false,
}

// parseJSONLD reads the article facts out of one JSON-LD script. Malformed
// JSON-LD is common and simply yields nothing.
func parseJSONLD(src string) jsonLD {
	var v any
	if err := json.Unmarshal([]byte(strings.TrimSpace(src)), &v); err != nil {
		return jsonLD{}
	}
	var out jsonLD
	var walk func(any, int)
	walk = func(v any, depth int) {
		if depth > 6 {
			return
		}
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				walk(e, depth+1)
			}
		case map[string]any:
			if isArticleType(t["@type"]) && !out.isArticle {
				out.isArticle = true
				out.headline = firstNonEmpty(str(t["headline"]), str(t["name"]))
				out.datePublished = firstNonEmpty(str(t["datePublished"]), str(t["dateCreated"]))
				out.publisher = name(t["publisher"])
			}
			if out.publisher == "" && isType(t["@type"], "organization", "newsmediaorganization", "governmentorganization") && depth <= 2 {
				out.publisher = str(t["name"])
			}
			if g, ok := t["@graph"]; ok {
				walk(g, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}

func (l *jsonLD) merge(o jsonLD) {
	if !l.isArticle && o.isArticle {
		pub := l.publisher
		*l = o
		if l.publisher == "" {
			l.publisher = pub
		}
		return
	}
	if l.publisher == "" {
		l.publisher = o.publisher
	}
}

func isArticleType(t any) bool {
	for _, s := range types(t) {
		if articleTypes[strings.ToLower(s)] {
			return true
		}
	}
	return false
}

func isType(t any, want ...string) bool {
	for _, s := range types(t) {
		for _, w := range want {
			if strings.EqualFold(s, w) {
				return true
			}
		}
	}
	return false
}

func types(t any) []string {
	switch v := t.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case []any:
		if len(t) > 0 {
			return str(t[0])
		}
	}
	return ""
}

func name(v any) string {
	switch t := v.(type) {
	case map[string]any:
		return str(t["name"])
	case []any:
		if len(t) > 0 {
			return name(t[0])
		}
	case string:
		return strings.TrimSpace(t)
	}
	return ""
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
