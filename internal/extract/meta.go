package extract

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/noticekb/noticekb/internal/notice"
)

// metadata is what a page says about itself outside its visible text.
type metadata struct {
	title      string // <title>
	ogTitle    string
	ogSiteName string
	ogType     string
	canonical  string
	ogURL      string
	base       string
	lang       string
	// publishedHints are publication dates from meta tags, JSON-LD and
	// itemprop, best first; weakHints are dates of vaguer names (a bare
	// "date", a creation date, a WebPage's datePublished).
	publishedHints, weakHints []string
	// modifiedHints are the page's own "last modified" dates, taken only
	// when nothing else dates the page, and then flagged.
	modifiedHints []string
	ld            jsonLD
	// scripts holds the text of inline scripts, which may carry page state
	// (JSON app state), for a last look for a publication time.
	scripts []string
}

// jsonLD is the part of a page's JSON-LD that describes the article.
type jsonLD struct {
	isArticle     bool
	headline      string
	datePublished string
	dateModified  string
	publisher     string
	// pageDatePublished is the datePublished of a WebPage or other
	// non-article thing, a weaker sign.
	pageDatePublished string
}

// metaDateNames are <meta> names and properties that carry a publication
// date, best first; weakMetaDateNames carry some date of the page that is
// usually, not always, its publication. "Modified" and "updated" names are
// deliberately absent.
var (
	metaDateNames = []string{
		"article:published_time", "og:published_time", "datepublished", "published_time",
		"article.published", "publish-date", "publish_date", "publishdate", "pubdate",
		"date_published", "published-date", "original-publish-date", "parsely-pub-date",
		"sailthru.date", "citation_publication_date", "dc.date.issued", "dcterms.issued",
		"og:pubdate", "article_date_original", "cxenseparse:recs:publishtime", "publication_date",
		"article:published",
	}
	weakMetaDateNames = []string{
		"citation_date", "dcterms.created", "dc.date.created", "dc.date", "dcterms.date", "date",
		"displaydate", "release_date", "created", "creation_date", "datecreated",
	}
	modifiedMetaDateNames = []string{
		"article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified",
		"dc.date.modified", "lastmod", "modified",
	}
)

// anyPublishedMeta matches other meta names that carry a publication or
// upload time ("five_hundred_pixels:uploaded", "bt:pubdate").
var anyPublishedMeta = regexp.MustCompile(`(?i)publish|pubdate|uploaded|created`)

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
				if n.FirstChild == nil {
					return
				}
				if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") {
					m.ld.merge(parseJSONLD(n.FirstChild.Data))
				} else {
					m.scripts = append(m.scripts, n.FirstChild.Data)
				}
				return
			case atom.Body:
				// JSON-LD and itemprop dates may sit in the body too.
			}
			for _, p := range [...]string{"datePublished", "dateModified"} {
				key := "itemprop:" + strings.ToLower(p)
				if prop := attr(n, "itemprop"); strings.EqualFold(prop, p) && dates[key] == "" {
					// The first is the page's own; later ones belong to listed articles.
					if v := firstNonEmpty(attr(n, "content"), attr(n, "datetime"), inlineText(n)); v != "" {
						dates[key] = v
					}
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
	if v := dates["itemprop:datepublished"]; v != "" {
		m.publishedHints = append(m.publishedHints, v)
	}
	known := map[string]bool{"itemprop:datepublished": true, "itemprop:datemodified": true}
	for _, name := range metaDateNames {
		if v := dates[name]; v != "" {
			m.publishedHints = append(m.publishedHints, v)
		}
		known[name] = true
	}
	if m.ld.pageDatePublished != "" {
		m.weakHints = append(m.weakHints, m.ld.pageDatePublished)
	}
	for _, name := range weakMetaDateNames {
		if v := dates[name]; v != "" {
			m.weakHints = append(m.weakHints, v)
		}
		known[name] = true
	}
	if m.ld.dateModified != "" {
		m.modifiedHints = append(m.modifiedHints, m.ld.dateModified)
	}
	if v := dates["itemprop:datemodified"]; v != "" {
		m.modifiedHints = append(m.modifiedHints, v)
	}
	for _, name := range modifiedMetaDateNames {
		if v := dates[name]; v != "" {
			m.modifiedHints = append(m.modifiedHints, v)
		}
	}
	for _, name := range sortedKeys(dates) {
		if !known[name] && anyPublishedMeta.MatchString(name) && !updatedMarker.MatchString(name) {
			m.weakHints = append(m.weakHints, dates[name])
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
	case "og:url":
		if m.ogURL == "" {
			m.ogURL = content
		}
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
	var out jsonLD
	walkJSONLD(src, func(t map[string]any, depth int) {
		if isArticleType(t["@type"]) && !out.isArticle {
			out.isArticle = true
			out.headline = firstNonEmpty(str(t["headline"]), str(t["name"]))
			out.datePublished = firstNonEmpty(str(t["datePublished"]), str(t["dateCreated"]))
			out.dateModified = str(t["dateModified"])
			out.publisher = name(t["publisher"])
		}
		if !isArticleType(t["@type"]) && out.pageDatePublished == "" {
			out.pageDatePublished = str(t["datePublished"])
		}
		if out.publisher == "" && isType(t["@type"], "organization", "newsmediaorganization", "governmentorganization") && depth <= 2 {
			out.publisher = str(t["name"])
		}
	})
	return out
}

// walkJSONLD calls visit with each object of a JSON-LD script, in
// document order, through lists and @graph, to a bounded depth (the
// depth is visit's second argument). Malformed JSON-LD visits nothing.
func walkJSONLD(src string, visit func(map[string]any, int)) {
	var v any
	if err := json.Unmarshal([]byte(unwrapCDATA(src)), &v); err != nil {
		return
	}
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
			visit(t, depth)
			if g, ok := t["@graph"]; ok {
				walk(g, depth+1)
			}
		}
	}
	walk(v, 0)
}

// unwrapCDATA takes JSON out of the CDATA section some CMSs wrap their
// scripts in for XHTML ("//<![CDATA[ … //]]>", "<![CDATA[ … ]]>").
func unwrapCDATA(src string) string {
	s := strings.TrimSpace(src)
	if rest, ok := strings.CutPrefix(strings.TrimPrefix(s, "//"), "<![CDATA["); ok {
		s = strings.TrimSpace(rest)
		s = strings.TrimSpace(strings.TrimSuffix(s, "]]>"))
		s = strings.TrimSpace(strings.TrimSuffix(s, "//"))
	}
	return s
}

func (l *jsonLD) merge(o jsonLD) {
	if !l.isArticle && o.isArticle {
		pub, page := l.publisher, l.pageDatePublished
		*l = o
		l.publisher = firstNonEmpty(l.publisher, pub)
		l.pageDatePublished = firstNonEmpty(l.pageDatePublished, page)
		return
	}
	l.publisher = firstNonEmpty(l.publisher, o.publisher)
	l.pageDatePublished = firstNonEmpty(l.pageDatePublished, o.pageDatePublished)
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

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// updatedMarker matches names and labels of "last updated" dates.
var updatedMarker = regexp.MustCompile(`(?i)updated|modified|revised|edited|수정|변경`)

// stateDateRe finds publication times in the JSON state that script-built
// pages ship inline: "publishedAt": "2022-01-31T15:58:43+01:00".
var stateDateRe = regexp.MustCompile(`(?i)["']?(date_?published|published_?(at|date|time|on)|publish_?(date|time)|pub_?date|first_?published(_?at)?|created_?(at|date|on)|date_?created|upload_?date|uploaded_?at)["']?\s*:\s*["']((?:19|20)\d\d-[01]\d-[0-3]\d)`)

// stateDate is the first publication time in inline script state.
func (m *metadata) stateDate() (notice.Date, bool) {
	for _, src := range m.scripts {
		if sm := stateDateRe.FindStringSubmatch(src); sm != nil {
			d, err := notice.ParseDate(sm[len(sm)-1])
			return d, err == nil
		}
	}
	return notice.Date{}, false
}
