package verdict

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Address is what a URL's shape says of its page. Sites in any language
// and CMS name their lists alike: a year or month for an archive, "page"
// and a number for pagination, "tag", "category" or "author" and a name
// for a taxonomy's lists; an article's address ends in a slug of its
// title, often after its date.
type Address struct {
	Home    bool // the site's root, or a language's ("/", "/ko/", "/en-us/")
	Archive bool // ends in a year, a month or a day: /news/2003/, /2003/01/
	Paged   bool // a page number: /page/2/, ?page=3, ?paged=3
	// Taxonomy names the list kind ("tag", "category", "author",
	// "archive", "search", "feed") when the URL is such a list.
	Taxonomy string
	// DatedSlug: a date, then a segment with words: /2014/02/24/ruby-2-1-1/.
	DatedSlug bool
	// SlugWords counts the words of the last path segment.
	SlugWords int
}

// taxonomyWords are path segments naming lists of a taxonomy, in the
// languages of the sites noticekb meets; the value is the kind.
var taxonomyWords = map[string]string{
	"tag": "tag", "tags": "tag", "tagged": "tag", "etiquette": "tag", "etiquettes": "tag", "étiquette": "tag",
	"étiquettes": "tag", "schlagwort": "tag", "schlagworte": "tag", "etiqueta": "tag", "etiquetas": "tag",
	"label": "tag", "labels": "tag", "keyword": "tag", "keywords": "tag", "태그": "tag", "タグ": "tag", "标签": "tag",
	"category": "category", "categories": "category", "categorie": "category", "catégorie": "category",
	"categorie-produit": "category", "catégories": "category", "kategorie": "category", "kategorien": "category",
	"categoria": "category", "categorias": "category", "categorías": "category", "categorieen": "category",
	"rubrique": "category", "rubriques": "category", "카테고리": "category", "분류": "category", "カテゴリー": "category",
	"カテゴリ": "category", "分类": "category", "topic": "category", "topics": "category",
	"author": "author", "authors": "author", "auteur": "author", "auteurs": "author", "autor": "author",
	"autoren": "author", "autores": "author", "autore": "author", "writer": "author", "people": "author",
	"archive": "archive", "archives": "archive", "archiv": "archive", "archivo": "archive", "archivio": "archive",
	"아카이브": "archive", "search": "search", "recherche": "search", "suche": "search", "buscar": "search",
	"busqueda": "search", "검색": "search", "feed": "feed", "rss": "feed", "atom": "feed",
}

// maxTermWords bounds the words of a tag's or an author's name: a longer
// last segment after "topic" is an article's slug.
const maxTermWords = 5

// pageWords are path segments that come before a page number.
var pageWords = map[string]bool{
	"page": true, "seite": true, "pagina": true, "página": true, "strona": true, "pg": true, "페이지": true,
}

// pageParams are query parameters holding a list's page number.
var pageParams = map[string]bool{
	"page": true, "paged": true, "pg": true, "pageno": true, "pagenum": true, "pageindex": true,
	"currentpage": true, "page_no": true, "pagenumber": true, "start": true, "offset": true,
}

// searchParams are query parameters of a search or a filtered list.
var searchParams = map[string]string{
	"s": "search", "q": "search", "query": "search", "search": "search", "keyword": "search",
	"tag": "tag", "cat": "category", "category": "category", "author": "author",
}

var (
	yearSeg  = regexp.MustCompile(`^(19|20)\d\d$`)
	monthSeg = regexp.MustCompile(`^(0?[1-9]|1[0-2])$`)
	daySeg   = regexp.MustCompile(`^(0?[1-9]|[12]\d|3[01])$`)
	numSeg   = regexp.MustCompile(`^\d+$`)
	langSeg  = regexp.MustCompile(`^([a-z]{2})([-_][a-z]{2,4})?$`)
	// datedName is a segment that starts with a date: 2020-05-06-title.
	datedName = regexp.MustCompile(`^(19|20)\d\d-\d\d-\d\d-.*\pL`)
	indexName = regexp.MustCompile(`^(index|default|home)\.\w+$`)
)

// languages are the ISO 639-1 codes sites name their language versions
// by ("/ko/", "/en-us/", "/zh_cn/").
var languages = map[string]bool{}

func init() {
	for _, c := range strings.Fields(`ar az be bg bn bs ca cs cy da de el en eo es et eu fa fi fr ga gl he hi hr hu hy id
		is it ja ka kk km ko ky lb lo lt lv mk ml mn mr ms mt my nb ne nl nn no pa pl ps pt ro ru si sk sl sq sr sv
		sw ta te tg th tk tl tr uk ur uz vi zh zu`) {
		languages[c] = true
	}
}

// isLanguage reports whether a path segment names a language version.
func isLanguage(seg string) bool {
	m := langSeg.FindStringSubmatch(seg)
	return m != nil && languages[m[1]]
}

// ReadURL reads what a URL's shape says of its page. Only web addresses
// speak: a file's path or an unknown address says nothing.
func ReadURL(raw string) Address {
	var a Address
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return a
	}
	segs := pathSegments(u.Path)
	a.Home = len(u.Query()) == 0 && (len(segs) == 0 || len(segs) == 1 && (isLanguage(segs[0]) || indexName.MatchString(segs[0])))
	a.Archive = endsInDate(segs)
	a.Paged = paged(segs, u.Query())
	a.Taxonomy = taxonomy(segs, u.Query())
	a.DatedSlug = datedSlug(segs)
	if len(segs) > 0 {
		a.SlugWords = countWords(segs[len(segs)-1])
	}
	return a
}

// pathSegments are the path's non-empty segments, lower case, decoded.
func pathSegments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s == "" {
			continue
		}
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
		out = append(out, strings.ToLower(s))
	}
	return out
}

// endsInDate: the path ends in a year, a year and month, or a full date,
// once a trailing page number is set aside.
func endsInDate(segs []string) bool {
	segs = withoutPage(segs)
	n := len(segs)
	switch {
	case n >= 1 && yearSeg.MatchString(segs[n-1]):
		return true
	case n >= 2 && yearSeg.MatchString(segs[n-2]) && monthSeg.MatchString(segs[n-1]):
		return true
	case n >= 3 && yearSeg.MatchString(segs[n-3]) && monthSeg.MatchString(segs[n-2]) && daySeg.MatchString(segs[n-1]):
		return true
	}
	return false
}

// withoutPage drops a trailing "page/N".
func withoutPage(segs []string) []string {
	n := len(segs)
	if n >= 2 && pageWords[segs[n-2]] && numSeg.MatchString(segs[n-1]) {
		return segs[:n-2]
	}
	return segs
}

func paged(segs []string, q url.Values) bool {
	if len(withoutPage(segs)) != len(segs) {
		return true
	}
	for k, vs := range q {
		if pageParams[strings.ToLower(k)] && len(vs) > 0 && numSeg.MatchString(vs[0]) && vs[0] != "0" && vs[0] != "1" {
			return true
		}
	}
	return false
}

// taxonomy names the kind of list a URL is: a taxonomy word followed by
// at most one name (/tag/climate/, /author/jane/, /category/news/), or a
// search or filter in the query.
func taxonomy(segs []string, q url.Values) string {
	segs = withoutPage(segs)
	n := len(segs)
	for i := max(0, n-2); i < n; i++ {
		if kind, ok := taxonomyWords[segs[i]]; ok && (i == n-1 || countWords(segs[n-1]) < maxTermWords) {
			return kind
		}
	}
	for k := range q {
		if kind, ok := searchParams[strings.ToLower(k)]; ok {
			return kind
		}
	}
	return ""
}

// datedSlug: a year (and month, and day) followed by a segment with
// words, or a segment that starts with a date.
func datedSlug(segs []string) bool {
	for i, s := range segs {
		if datedName.MatchString(s) {
			return true
		}
		if !yearSeg.MatchString(s) {
			continue
		}
		j := i + 1
		for j < len(segs) && j <= i+2 && numSeg.MatchString(segs[j]) {
			j++
		}
		if j == len(segs)-1 && countWords(segs[j]) >= 1 && hasLetter(segs[j]) {
			return true
		}
	}
	return false
}

// countWords counts the words of a path segment, its extension set aside.
func countWords(seg string) int {
	if i := strings.LastIndexByte(seg, '.'); i > 0 && i >= len(seg)-5 {
		seg = seg[:i]
	}
	return len(strings.FieldsFunc(seg, func(r rune) bool {
		return r == '-' || r == '_' || r == '+' || r == '.' || r == ' ' || r == ','
	}))
}

func hasLetter(s string) bool { return strings.ContainsFunc(s, unicode.IsLetter) }

// Pattern abstracts a URL to the pattern its template's pages share:
// numbers become #, the last segment (a page's own name) becomes *, and
// so does any segment that reads as a slug; query values become #.
// /ko/news/2014/02/24/ruby-2-1-1-is-released/ is /ko/news/#/#/#/*;
// /ko/news/2003/01/ is /ko/news/#/#; /carrieres/ is /*.
func Pattern(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	segs := pathSegments(u.Path)
	var b strings.Builder
	for i, s := range segs {
		b.WriteByte('/')
		switch {
		case numSeg.MatchString(s):
			b.WriteByte('#')
		case i == len(segs)-1 || strings.Count(s, "-") >= 2 || len(s) > 30:
			b.WriteByte('*')
		default:
			b.WriteString(s)
		}
	}
	if len(segs) == 0 {
		b.WriteByte('/')
	}
	keys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		keys = append(keys, strings.ToLower(k))
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k + "=#")
	}
	return b.String()
}
