package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// Every search is also an Atom feed (/feed.atom with the page's
// parameters), and browsers can add the site as a search engine through
// its OpenSearch description.

const atomNS = "http://www.w3.org/2005/Atom"

type atomFeed struct {
	XMLName   xml.Name    `xml:"feed"`
	NS        string      `xml:"xmlns,attr"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Links     []atomLink  `xml:"link"`
	Entries   []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Author     *atomPerson    `xml:"author,omitempty"`
	Links      []atomLink     `xml:"link"`
	Summary    atomText       `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

// feedSize is how many notices a feed carries unless size says otherwise.
const feedSize = 20

// feedURL is the feed of a search: the same parameters, no page.
func feedURL(st state) string {
	v := st.values(false)
	v.Del("expand")
	v.Del("facet_size")
	return withParams("/feed.atom", v)
}

func (s *Server) handleFeed(c *fiber.Ctx) error {
	st, err := stateFromRequest(c)
	if err != nil {
		return err
	}
	q := clone(st).Query
	if c.Query("sort") == "" {
		q.Sort = notice.SortNewest // a feed is read for what is new
	}
	if c.Query("size") == "" {
		q.Size = feedSize
	}
	q.Page, q.FacetTop = 1, 1
	res, err := s.opts.Searcher.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	self := base + feedURL(st)
	f := atomFeed{
		NS:        atomNS,
		ID:        s.atomID(feedURL(st)),
		Title:     feedTitle(st),
		Author:    atomPerson{Name: "noticekb"},
		Generator: "noticekb",
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: base + searchURL("/", state{Query: st.Query})},
		},
	}
	var newest notice.Date
	for _, h := range res.Hits {
		f.Entries = append(f.Entries, s.feedEntry(base, h))
		if h.Date.After(newest) {
			newest = h.Date
		}
	}
	f.Updated = time.Now().UTC().Format(time.RFC3339)
	if !newest.IsZero() {
		f.Updated = atomTime(newest)
	}
	for i := range f.Entries {
		if f.Entries[i].Updated == "" {
			f.Entries[i].Updated = f.Updated
		}
	}
	out, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return fmt.Errorf("web: feed: %w", err)
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	return c.Status(http.StatusOK).Send(append([]byte(xml.Header), out...))
}

func (s *Server) feedEntry(base string, h notice.Hit) atomEntry {
	e := atomEntry{
		ID:      s.atomID("/notices/" + h.ID),
		Title:   atomText{Type: "text", Body: h.Title},
		Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: base + "/notices/" + h.ID}},
		Summary: atomText{Type: "html", Body: string(safeSnippet(h.Snippet))},
	}
	if src := s.sourceURL(h.URL); src != "" {
		if strings.HasPrefix(src, "/") {
			src = base + src
		}
		e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: src})
	}
	if !h.Date.IsZero() {
		e.Updated, e.Published = atomTime(h.Date), atomTime(h.Date)
	}
	if h.Publisher != "" {
		e.Author = &atomPerson{Name: h.Publisher}
	}
	for _, p := range h.Partners {
		e.Categories = append(e.Categories, atomCategory{Term: p, Scheme: base + "/partners"})
	}
	for _, t := range h.Topics {
		e.Categories = append(e.Categories, atomCategory{Term: t, Scheme: base + "/topics"})
	}
	return e
}

// tagPrefix starts the tag: URIs (RFC 4151) that name feeds and entries
// when the site has no public URL.
const tagPrefix = "tag:noticekb,2026:"

// atomID is the Atom id of a path of the site ("/notices/abc"): its
// address under the public URL when there is one, else a tag: URI. Never
// the request's Host: the site answers to several names (localhost, its
// address, a proxy's), and a feed reader must see one entry as one entry.
func (s *Server) atomID(path string) string {
	if s.opts.BaseURL != "" {
		return strings.TrimSuffix(s.opts.BaseURL, "/") + path
	}
	return tagPrefix + strings.TrimPrefix(path, "/")
}

func atomTime(d notice.Date) string { return d.Time().UTC().Format(time.RFC3339) }

func feedTitle(st state) string {
	var parts []string
	if st.Text != "" {
		parts = append(parts, "“"+st.Text+"”")
	}
	for _, f := range notice.FilterFacets {
		if vals := st.Filters[f]; len(vals) > 0 {
			parts = append(parts, facetTitles[f]+": "+strings.Join(vals, " or "))
		}
	}
	if !st.From.IsZero() || !st.To.IsZero() {
		parts = append(parts, fmt.Sprintf("%s – %s", orDots(st.From.String()), orDots(st.To.String())))
	}
	if len(parts) == 0 {
		return "noticekb: news and notices"
	}
	return "noticekb: " + strings.Join(parts, ", ")
}

// hostPattern is what a Host header may hold to be used in absolute URLs.
var hostPattern = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)

// baseURL is the site's address for absolute links (feeds, OpenSearch):
// the configured one, or the one the request came to.
func (s *Server) baseURL(c *fiber.Ctx) string {
	if s.opts.BaseURL != "" {
		return strings.TrimSuffix(s.opts.BaseURL, "/")
	}
	host := c.Hostname()
	if !hostPattern.MatchString(host) {
		host = "localhost"
	}
	scheme := "http"
	if s.isHTTPS(c) { // not c.Protocol(), which believes anyone's X-Forwarded-Proto
		scheme = "https"
	}
	return scheme + "://" + host
}

type openSearch struct {
	XMLName       xml.Name        `xml:"OpenSearchDescription"`
	NS            string          `xml:"xmlns,attr"`
	ShortName     string          `xml:"ShortName"`
	Description   string          `xml:"Description"`
	InputEncoding string          `xml:"InputEncoding"`
	URLs          []openSearchURL `xml:"Url"`
}

type openSearchURL struct {
	Type     string `xml:"type,attr"`
	Rel      string `xml:"rel,attr,omitempty"`
	Template string `xml:"template,attr"`
}

func (s *Server) handleOpenSearch(c *fiber.Ctx) error {
	base := s.baseURL(c)
	d := openSearch{
		NS: "http://a9.com/-/spec/opensearch/1.1/", ShortName: "noticekb",
		Description: "Search organisations' news and notices", InputEncoding: "UTF-8",
		URLs: []openSearchURL{
			{Type: "text/html", Template: base + "/?q={searchTerms}"},
			{Type: "application/atom+xml", Template: base + "/feed.atom?q={searchTerms}"},
			{Type: "application/opensearchdescription+xml", Rel: "self", Template: base + "/opensearch.xml"},
		},
	}
	out, err := xml.MarshalIndent(d, "", " ")
	if err != nil {
		return fmt.Errorf("web: opensearch: %w", err)
	}
	c.Set(fiber.HeaderContentType, "application/opensearchdescription+xml; charset=utf-8")
	return c.Send(append([]byte(xml.Header), out...))
}
