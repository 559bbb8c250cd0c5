package web

import (
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"

	"github.com/noticekb/noticekb/internal/notice"
)

type goqueryS = goquery.Selection

func goqueryFromString(s string) (*goquery.Document, error) {
	return goquery.NewDocumentFromReader(strings.NewReader(s))
}

// manyPartners are notices with 14 partners, one notice each but for
// P01 (three), over 2016 and 2017: enough for "show all" and a filter box.
func manyPartners() []notice.Notice {
	var out []notice.Notice
	for i := 1; i <= 14; i++ {
		p := fmt.Sprintf("P%02d", i)
		out = append(out, notice.Notice{
			ID: fmt.Sprintf("n%02d", i), URL: "https://example.org/" + p, Title: "Notice with " + p,
			Body: "Cooperation on digital government with " + p + ".", Date: date(fmt.Sprintf("2017-%02d-10", (i%12)+1)),
			Publisher: "UNPOG", Partners: []string{p}, Topics: []string{"Digital government"},
		})
	}
	for i := 0; i < 2; i++ {
		out = append(out, notice.Notice{
			ID: fmt.Sprintf("old%d", i), URL: fmt.Sprintf("https://example.org/old%d", i), Title: fmt.Sprintf("Earlier notice %d", i),
			Body: fmt.Sprintf("Earlier notice number %d with P01.", i), Date: date("2016-05-05"), Publisher: "UNPOG",
			Partners: []string{"P01"}, Topics: []string{"E-government"},
		})
	}
	return out
}

func TestPagesAreValidHTML(t *testing.T) {
	_, base := newTestServer(t)
	_, many := newTestServerWith(t, manyPartners())
	pages := []string{
		base + "/", base + "/?q=smart+city", base + "/?q=smart&partner=KLID&from=2017&to=2017",
		base + "/?q=nothing+matches+this", base + "/?from=2017-13", base + "/notices/a", base + "/notices/evil",
		base + "/notices/nope", base + "/nope", base + "/partners", base + "/partners?order=name", base + "/topics",
		base + "/map", base + "/map?q=smart&from=2017",
		many + "/", many + "/?expand=partner", many + "/?from=2017&to=2017", many + "/?from=2017-03&to=2017-03&size=5&page=2",
		many + "/partners", many + "/map?rows=all",
	}
	for _, u := range pages {
		_, body := get(t, u)
		for _, p := range checkHTML(body, false) {
			t.Errorf("%s: %s", u, p)
		}
	}
	_, body := get(t, base+"/?q=smart&partial=1")
	for _, p := range checkHTML(body, true) {
		t.Errorf("partial: %s", p)
	}
}

func TestFacetListShowAllAndFilterBox(t *testing.T) {
	_, base := newTestServerWith(t, manyPartners())
	_, doc := page(t, base+"/")
	boxes := doc.Find("#facet-partner input[type=checkbox]")
	if boxes.Length() != notice.DefaultFacetTop {
		t.Errorf("%d partner checkboxes, want the top %d", boxes.Length(), notice.DefaultFacetTop)
	}
	if first := boxes.First().AttrOr("value", ""); first != "P01" {
		t.Errorf("first partner %q, want P01 (the most notices)", first)
	}
	more := doc.Find("#facet-partner a.more")
	if more.Text() != "Show all 14 partners" || !strings.Contains(more.AttrOr("href", ""), "expand=partner") {
		t.Fatalf("show all link: %q %q", more.Text(), more.AttrOr("href", ""))
	}
	if doc.Find("#facet-partner .filter-box").Length() != 0 {
		t.Error("the short list has a filter box")
	}
	_, doc = page(t, base+more.AttrOr("href", ""))
	var values []string
	doc.Find("#facet-partner input[type=checkbox]").Each(func(_ int, s *goqueryS) { values = append(values, s.AttrOr("value", "")) })
	if len(values) != 14 || values[0] != "P01" || values[13] != "P14" {
		t.Errorf("expanded list %v, want P01..P14 in order", values)
	}
	if doc.Find(`#facet-partner .filter-box[data-filter-for="list-partner"] input`).Length() != 1 {
		t.Error("the full list has no filter box")
	}
	if doc.Find(`input[type=hidden][name=expand][value=partner][form=search]`).Length() != 1 {
		t.Error("the search form does not keep the open list")
	}
	if got := doc.Find("#facet-partner a.more").Text(); got != "Show the top 10" {
		t.Errorf("toggle back: %q", got)
	}
}

func TestHistogramBarsLinkToYearsAndMonths(t *testing.T) {
	_, base := newTestServerWith(t, manyPartners())
	_, doc := page(t, base+"/?partner=P01")
	bar := doc.Find(`.histogram a[data-period="2017"]`)
	href := bar.AttrOr("href", "")
	want := "/?partner=P01&from=2017-01-01&to=2017-12-31"
	if href != want {
		t.Fatalf("2017 bar links to %q, want %q", href, want)
	}
	if !strings.Contains(bar.AttrOr("aria-label", ""), "2017: 1 notice") {
		t.Errorf("bar label %q", bar.AttrOr("aria-label", ""))
	}
	_, doc = page(t, base+href)
	if got := doc.Find("#results-heading").Text(); got != "1 notice" {
		t.Errorf("heading %q", got)
	}
	// The year shown alone gets its months, and its bar widens back.
	months := doc.Find(`.histogram a[data-period^="2017-"]`)
	if months.Length() != 12 {
		t.Errorf("%d month bars, want 12", months.Length())
	}
	if back := doc.Find(`.histogram a[data-period="2017"]`).AttrOr("href", ""); back != "/?partner=P01" {
		t.Errorf("selected year links to %q, want back to all years", back)
	}
	if doc.Find(`.histogram a[data-period="2017"] rect.bar.selected`).Length() != 1 {
		t.Error("the year shown is not marked")
	}
	if got := doc.Find(`.histogram a[data-period="2017-02"]`).AttrOr("href", ""); got != "/?partner=P01&from=2017-02-01&to=2017-02-28" {
		t.Errorf("February links to %q", got)
	}
}

func TestPartialIsTheLivePart(t *testing.T) {
	_, base := newTestServer(t)
	_, body := get(t, base+"/?q=smart&partner=KLID&partial=1")
	if strings.Contains(body, "<html") || strings.Contains(body, "<header") {
		t.Error("the fragment holds the whole page")
	}
	_, full := page(t, base+"/?q=smart&partner=KLID")
	frag, _ := goqueryFromString(body)
	if frag.Find("section.results").AttrOr("data-url", "") != "/?q=smart&partner=KLID" {
		t.Errorf("fragment address %q", frag.Find("section.results").AttrOr("data-url", ""))
	}
	if a, b := frag.Find("ol.hits").Text(), full.Find("#live ol.hits").Text(); a != b || a == "" {
		t.Error("the fragment's results differ from the page's")
	}
	if frag.Find("#facet-partner").Length() != 1 {
		t.Error("the fragment has no facets")
	}
}

func TestDisjunctiveCountsOnPage(t *testing.T) {
	_, base := newTestServer(t)
	_, doc := page(t, base+"/?partner=KLID")
	if doc.Find(`#facet-partner input[value="KLID"]`).AttrOr("checked", "none") == "none" {
		t.Error("KLID is not ticked")
	}
	if doc.Find(`#facet-partner input[value="UN DESA"]`).Length() != 1 {
		t.Error("the other partners are gone after ticking one")
	}
	if got := doc.Find("#results-heading").Text(); got != "1 notice" {
		t.Errorf("heading %q", got)
	}
}

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Summary string `xml:"summary"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

// TestFeedIsAtom checks the feed against what RFC 4287 requires: feed and
// entries with id, title and updated (RFC 3339), an author for the feed,
// a self link, absolute URLs.
func TestFeedIsAtom(t *testing.T) {
	_, base := newTestServer(t)
	resp, body := get(t, base+"/feed.atom?q=smart")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("content type %q", ct)
	}
	var f atomDoc
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("not Atom: %v", err)
	}
	if f.ID == "" || f.Title == "" || f.Author.Name == "" {
		t.Errorf("feed id %q, title %q, author %q", f.ID, f.Title, f.Author.Name)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("feed updated: %v", err)
	}
	self := ""
	for _, l := range f.Links {
		if l.Rel == "self" {
			self = l.Href
		}
	}
	if self != base+"/feed.atom?q=smart" {
		t.Errorf("self link %q", self)
	}
	if len(f.Entries) != 2 {
		t.Fatalf("%d entries, want 2", len(f.Entries))
	}
	// Newest first: the hostile notice (2020) before the forum (2017).
	if f.Entries[0].ID != "tag:noticekb,2026:notices/evil" || f.Entries[1].ID != "tag:noticekb,2026:notices/a" {
		t.Errorf("entries %q, %q", f.Entries[0].ID, f.Entries[1].ID)
	}
	for _, e := range f.Entries {
		if e.Title == "" || len(e.Links) == 0 || !strings.HasPrefix(e.Links[0].Href, "http") {
			t.Errorf("entry %s: title %q links %v", e.ID, e.Title, e.Links)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry %s updated: %v", e.ID, err)
		}
	}
	if f.Entries[0].Title != hostile.Title {
		t.Errorf("hostile title read back as %q", f.Entries[0].Title)
	}
	if strings.Contains(f.Entries[0].Summary, "<img") {
		t.Errorf("summary carries markup from the page: %q", f.Entries[0].Summary)
	}
	// The same parameters as the search page.
	_, body = get(t, base+"/feed.atom?partner=KLID")
	f = atomDoc{}
	if err := xml.Unmarshal([]byte(body), &f); err != nil || len(f.Entries) != 1 {
		t.Errorf("filtered feed: %v, %d entries", err, len(f.Entries))
	}
}

// Feed and entry ids are the same whatever Host the request named (a
// reader subscribed through two names, a proxy's inner name): tag: URIs,
// or the public URL's addresses when one is set. Links still follow the
// request, so they work where the reader came from.
func TestFeedIDsDoNotDependOnHost(t *testing.T) {
	ids := func(base, host string) (string, []string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/feed.atom?q=smart", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var f atomDoc
		if err := xml.NewDecoder(resp.Body).Decode(&f); err != nil {
			t.Fatal(err)
		}
		var entries []string
		for _, e := range f.Entries {
			entries = append(entries, e.ID)
		}
		var self string
		for _, l := range f.Links {
			if l.Rel == "self" {
				self = l.Href
			}
		}
		return f.ID, entries, self
	}
	_, base := newTestServer(t)
	feedA, entriesA, selfA := ids(base, "a.example")
	feedB, entriesB, selfB := ids(base, "b.example:8080")
	if feedA != "tag:noticekb,2026:feed.atom?q=smart" || feedB != feedA || !slices.Equal(entriesA, entriesB) ||
		!slices.Equal(entriesA, []string{"tag:noticekb,2026:notices/evil", "tag:noticekb,2026:notices/a"}) {
		t.Errorf("ids through a.example: %s %v; through b.example: %s %v", feedA, entriesA, feedB, entriesB)
	}
	if selfA != "http://a.example/feed.atom?q=smart" || selfB != "http://b.example:8080/feed.atom?q=smart" {
		t.Errorf("self links %q, %q", selfA, selfB)
	}

	_, public := serveOpts(t, func(o *Options) { o.BaseURL = "https://kb.example.org/" })
	feedA, entriesA, _ = ids(public, "a.example")
	feedB, entriesB, _ = ids(public, "b.example")
	if feedA != "https://kb.example.org/feed.atom?q=smart" || feedB != feedA ||
		!slices.Equal(entriesA, []string{"https://kb.example.org/notices/evil", "https://kb.example.org/notices/a"}) || !slices.Equal(entriesA, entriesB) {
		t.Errorf("ids with a public URL: %s %v; %s %v", feedA, entriesA, feedB, entriesB)
	}
}

func TestSearchPageLinksFeedAndOpenSearch(t *testing.T) {
	_, base := newTestServer(t)
	_, doc := page(t, base+"/?q=smart&page=2&partner=KLID")
	feed := doc.Find(`link[rel=alternate][type="application/atom+xml"]`).AttrOr("href", "")
	if feed != "/feed.atom?q=smart&partner=KLID" {
		t.Errorf("feed link %q", feed)
	}
	if doc.Find(`link[rel=search][type="application/opensearchdescription+xml"]`).AttrOr("href", "") != "/opensearch.xml" {
		t.Error("no OpenSearch link")
	}
	resp, body := get(t, base+"/opensearch.xml")
	var d struct {
		XMLName   xml.Name `xml:"http://a9.com/-/spec/opensearch/1.1/ OpenSearchDescription"`
		ShortName string   `xml:"ShortName"`
		URLs      []struct {
			Type     string `xml:"type,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Url"`
	}
	if err := xml.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("opensearch: %v", err)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/opensearchdescription+xml") || d.ShortName == "" {
		t.Errorf("type %q, name %q", resp.Header.Get("Content-Type"), d.ShortName)
	}
	if len(d.URLs) == 0 || d.URLs[0].Template != base+"/?q={searchTerms}" {
		t.Errorf("templates %v", d.URLs)
	}
}

func TestPartnersAndTopicsPages(t *testing.T) {
	_, base := newTestServerWith(t, manyPartners())
	_, doc := page(t, base+"/partners")
	rows := doc.Find("#browse-list tbody tr")
	if rows.Length() != 14 {
		t.Errorf("%d partner rows, want 14", rows.Length())
	}
	first := rows.First()
	if first.Find("th a").Text() != "P01" || first.Find("td.num").Text() != "3" {
		t.Errorf("first row %q %q", first.Find("th a").Text(), first.Find("td.num").Text())
	}
	label := first.Find("svg.spark").AttrOr("aria-label", "")
	if label != "Notices per year: 2016: 2, 2017: 1" {
		t.Errorf("sparkline label %q", label)
	}
	if first.Find("svg.spark path").AttrOr("d", "") == "" {
		t.Error("empty sparkline")
	}
	if href := first.Find("th a").AttrOr("href", ""); href != "/?partner=P01" {
		t.Errorf("partner links to %q", href)
	}
	_, doc = page(t, base+"/topics?order=name")
	if got := doc.Find("#browse-list tbody th a").First().Text(); got != "Digital government" {
		t.Errorf("first topic by name %q", got)
	}
}

func TestCooperationMap(t *testing.T) {
	_, base := newTestServer(t)
	_, doc := page(t, base+"/map")
	var topics []string
	doc.Find("table.map thead th.topic").Each(func(_ int, s *goqueryS) { topics = append(topics, s.Text()) })
	if len(topics) != 2 {
		t.Fatalf("topics %v", topics)
	}
	cell := doc.Find(`table.map td a[href="/?partner=KLID&topic=Smart%20city"]`)
	if cell.Text() != "1" || cell.AttrOr("aria-label", "") != "KLID and Smart city: 1 notices" {
		t.Errorf("KLID × Smart city cell %q %q", cell.Text(), cell.AttrOr("aria-label", ""))
	}
	if doc.Find(`table.map td a[href="/?partner=KLID&topic=E-government"]`).Length() != 0 {
		t.Error("a link on an empty cell")
	}
	// A map over a search keeps the search's words and links cells to it.
	_, doc = page(t, base+"/map?q=survey")
	if doc.Find(`table.map td a[href="/?q=survey&partner=UN%20DESA&topic=E-government"]`).Length() != 1 {
		t.Error("the map of a search does not link to that search")
	}
	if doc.Find(`.active-filters a[href="/map"]`).Length() == 0 {
		t.Error("no way back to the map of all notices")
	}
}

// The notice page lists what the API answers, in its order: one answer.
func TestRelatedNotices(t *testing.T) {
	_, base := newTestServerWith(t, manyPartners())
	for _, id := range []string{"old0", "n01"} {
		_, doc := page(t, base+"/notices/"+id)
		var onPage []string
		doc.Find(".related li a").Each(func(_ int, s *goqueryS) {
			onPage = append(onPage, strings.TrimPrefix(s.AttrOr("href", ""), "/notices/"))
		})
		_, body := get(t, base+"/api/v1/notices/"+id+"/related")
		var api struct{ Hits []struct{ ID string } }
		if err := json.Unmarshal([]byte(body), &api); err != nil {
			t.Fatal(err)
		}
		var fromAPI []string
		for _, h := range api.Hits {
			fromAPI = append(fromAPI, h.ID)
		}
		if len(onPage) == 0 || !slices.Equal(onPage, fromAPI) || slices.Contains(onPage, id) {
			t.Errorf("%s: related on the page %v, from the API %v", id, onPage, fromAPI)
		}
	}
	// old1 shares the partner, the topic and words with old0.
	_, doc := page(t, base+"/notices/old0")
	if first := doc.Find(".related li a").First().AttrOr("href", ""); first != "/notices/old1" {
		t.Errorf("first related to old0: %q, want /notices/old1", first)
	}
}

func TestCompression(t *testing.T) {
	_, base := newTestServer(t)
	for _, enc := range []string{"gzip", "br"} {
		req, _ := http.NewRequest("GET", base+"/", nil)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = resp.Body
		if enc == "gzip" {
			if r, err = gzip.NewReader(resp.Body); err != nil {
				t.Fatal(err)
			}
		} else {
			r = brotli.NewReader(resp.Body)
		}
		body, err := io.ReadAll(r)
		resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != enc || err != nil || !strings.Contains(string(body), "</html>") {
			t.Errorf("%s: encoding %q, err %v", enc, resp.Header.Get("Content-Encoding"), err)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	_, base := newTestServer(t)
	for _, path := range []string{"/", "/notices/a", "/map", "/feed.atom", "/nope", "/api/v1/search"} {
		resp, _ := get(t, base+path)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
}

func TestPagerLinks(t *testing.T) {
	st := state{Query: notice.Query{Text: "x", Page: 15, Size: 10}}
	p := pager(st, 300)
	var got []string
	for _, l := range p.Links {
		switch {
		case l.Gap:
			got = append(got, "…")
		case l.Current:
			got = append(got, fmt.Sprintf("[%d]", l.Number))
		default:
			got = append(got, fmt.Sprint(l.Number))
		}
	}
	if strings.Join(got, " ") != "1 … 13 14 [15] 16 17 … 30" {
		t.Errorf("pages %v", got)
	}
	u, _ := url.Parse(p.Next)
	if u.Query().Get("page") != "16" || u.Query().Get("q") != "x" {
		t.Errorf("next %q", p.Next)
	}
	if pager(st, 10) != nil {
		t.Error("a pager for one page")
	}
}

func TestFormKeepsStateWithoutControls(t *testing.T) {
	_, base := newTestServer(t)
	_, doc := page(t, base+"/?q=smart&sdg=SDG%2011&size=20&facet_size=5&expand=topic")
	want := map[string]string{"size": "20", "facet_size": "5", "expand": "topic"}
	for name, val := range want {
		if doc.Find(fmt.Sprintf(`input[type=hidden][form=search][name=%q]`, name)).AttrOr("value", "") != val {
			t.Errorf("hidden %s is not %q", name, val)
		}
	}
	// A selection no notice has is still shown, ticked, so the form keeps it.
	if _, ok := doc.Find(`#facet-sdg input[type=checkbox][form=search][value="SDG 11"]`).Attr("checked"); !ok {
		t.Error("the selected SDG is not a ticked checkbox")
	}
}

func TestHeatAndSparkline(t *testing.T) {
	for _, tt := range []struct {
		count, top uint64
		want       int
	}{{0, 10, 0}, {1, 100, 1}, {25, 100, 3}, {100, 100, 5}, {3, 0, 0}} {
		if got := heat(tt.count, tt.top); got != tt.want {
			t.Errorf("heat(%d, %d) = %d, want %d", tt.count, tt.top, got, tt.want)
		}
	}
	s := sparkline([]string{"2019", "2020", "2021"}, map[string]uint64{"2019": 4, "2021": 2})
	if s.Path != "M0 0h4v16h-4zM10 8h4v8h-4z" || s.Width != 14 || s.Label != "2019: 4, 2020: 0, 2021: 2" {
		t.Errorf("sparkline %+v", s)
	}
}

// Did you mean, with the real index: a correction is offered beside the
// results for what was typed, and applied only when no notice has the
// words as typed, saying so, with a link to search exactly what was typed.
func TestDidYouMean(t *testing.T) {
	srv, _ := newTestServer(t)
	page := func(url string) *goquery.Document {
		t.Helper()
		resp, err := srv.App().Test(httptest.NewRequest("GET", url, nil))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	// A swap is one typo: found as typed, the spelling offered.
	doc := page("/?q=smrat&partner=KLID")
	link := doc.Find(".suggestion a")
	if link.Text() != "smart" || link.AttrOr("href", "") != "/?q=smart&partner=KLID" || doc.Find("ol.hits li").Length() == 0 || doc.Find(".corrected").Length() != 0 {
		t.Errorf("offered: %q -> %q, %d hits, corrected %q", link.Text(), link.AttrOr("href", ""), doc.Find("ol.hits li").Length(), doc.Find(".corrected").Text())
	}
	// Four letters allow no typo: nothing as typed, so the correction.
	doc = page("/?q=smrt&partner=KLID")
	note := doc.Find(".corrected")
	if !strings.Contains(note.Text(), "No notices for “smrt”; showing results for “smart”") || note.Find("a").AttrOr("href", "") != "/?q=smrt&partner=KLID&verbatim=1" {
		t.Errorf("corrected: %q, link %q", note.Text(), note.Find("a").AttrOr("href", ""))
	}
	if doc.Find("ol.hits li").Length() == 0 || doc.Find(".suggestion").Length() != 0 || doc.Find("#q").AttrOr("value", "") != "smart" {
		t.Errorf("corrected page: %d hits, suggestion %q, box %q", doc.Find("ol.hits li").Length(), doc.Find(".suggestion").Text(), doc.Find("#q").AttrOr("value", ""))
	}
	// Exactly what was typed: nothing, and the correction offered.
	doc = page("/?q=smrt&partner=KLID&verbatim=1")
	if doc.Find("ol.hits li").Length() != 0 || doc.Find(".suggestion a").Text() != "smart" || doc.Find(".corrected").Length() != 0 {
		t.Errorf("verbatim: %d hits, suggestion %q", doc.Find("ol.hits li").Length(), doc.Find(".suggestion a").Text())
	}
	// A word that matched is never corrected.
	doc = page("/?q=smart")
	if doc.Find(".suggestion, .corrected").Length() != 0 || doc.Find(".relaxed").Length() != 0 {
		t.Errorf("smart: %q", doc.Find(".suggestion, .corrected, .relaxed").Text())
	}
	// No notice has both words: those with one, said so.
	doc = page("/?q=smart+survey")
	if doc.Find("ol.hits li").Length() == 0 || !strings.Contains(doc.Find(".relaxed").Text(), "No notice has all of these words") {
		t.Errorf("smart survey: %d hits, %q", doc.Find("ol.hits li").Length(), doc.Find(".relaxed").Text())
	}
}
