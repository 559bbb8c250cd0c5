package web

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/noticekb/noticekb/internal/kbtest"
	"github.com/noticekb/noticekb/internal/notice"
)

func date(s string) notice.Date {
	d, _ := notice.ParseDate(s)
	return d
}

var hostile = notice.Notice{
	ID: "evil", URL: "javascript:alert(1)", Title: `<script>alert("title")</script> Smart city`,
	Body: `<img src=x onerror=alert(1)> smart city <b>bold</b> "quoted" & more`,
	Date: date("2020-02-02"), DateSource: notice.DateFromUpdate, Publisher: `<i>Pub</i>`,
	Partners: []string{`<svg onload=alert(1)>`}, Topics: []string{"Smart city"},
}

var notices = []notice.Notice{
	{ID: "a", URL: "https://example.org/a", Title: "Smart city forum", Body: "KLID and UNPOG discussed smart city data.", Date: date("2017-08-09"), Publisher: "UNPOG", Partners: []string{"KLID"}, Topics: []string{"Smart city"}},
	{ID: "b", URL: "https://example.org/b", Title: "E-government survey", Body: "A survey on e-government with UN DESA.", Date: date("2019-03-01"), DateSource: "search", Publisher: "UNPOG", Partners: []string{"UN DESA"}, Topics: []string{"E-government"}},
	hostile,
}

// newTestServer serves a real store and index on a loopback HTTP server.
func newTestServer(t *testing.T) (*Server, string) {
	t.Helper()
	return newTestServerWith(t, notices)
}

// newTestServerWith serves the given notices.
func newTestServerWith(t *testing.T, notices []notice.Notice) (*Server, string) {
	t.Helper()
	st, ix := kbtest.Open(t, notices...)
	s, err := New(Options{Searcher: ix, Notices: st, Counts: ix.Count,
		Partners: func() []notice.Partner {
			return []notice.Partner{{Name: "KLID", FullName: "Korea Local Information Research & Development Institute"}}
		}})
	if err != nil {
		t.Fatal(err)
	}
	return s, serveLoopback(t, s)
}

// serveLoopback serves s on a free loopback port until the test ends and
// returns its base URL.
func serveLoopback(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func page(t *testing.T, url string) (*http.Response, *goquery.Document) {
	t.Helper()
	resp, body := get(t, url)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc
}

func TestSearchPage(t *testing.T) {
	_, base := newTestServer(t)
	resp, doc := page(t, base+"/?q=smart+city")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := doc.Find("ol.hits > li").Length(); got != 2 {
		t.Errorf("%d hits, want 2", got)
	}
	if got := doc.Find("#q").AttrOr("value", ""); got != "smart city" {
		t.Errorf("query box holds %q", got)
	}
	if doc.Find(".snippet mark").Length() == 0 {
		t.Error("no highlighted words in snippets")
	}
	partner := doc.Find(`#facet-partner input[type=checkbox][name=partner][value="KLID"]`)
	if partner.Length() != 1 || partner.AttrOr("form", "") != "search" {
		t.Errorf("partner facet checkbox: %d, form %q", partner.Length(), partner.AttrOr("form", ""))
	}
	if doc.Find(".histogram rect.bar").Length() != 4 { // 2017..2020, zero-filled
		t.Errorf("%d year bars, want 4", doc.Find(".histogram rect.bar").Length())
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if strings.Contains(resp.Header.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Error("CSP allows inline script")
	}
}

// Text from crawled pages is escaped everywhere it appears.
func TestHostileContentIsEscaped(t *testing.T) {
	_, base := newTestServer(t)
	for _, url := range []string{base + "/?q=smart", base + "/notices/evil", base + "/?q=smart&partial=1",
		base + "/partners", base + "/topics", base + "/map", base + "/feed.atom?q=smart", base + "/notices/a"} {
		_, body := get(t, url)
		for _, bad := range []string{"<script>alert", "<img src=x", "<svg onload", "<i>Pub", `href="javascript:`} {
			if strings.Contains(body, bad) {
				t.Errorf("%s renders %q unescaped", url, bad)
			}
		}
	}
}

func TestSearchAPIContract(t *testing.T) {
	_, base := newTestServer(t)
	resp, body := get(t, base+"/api/v1/search?q=&partner=KLID")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"total", "page", "size", "hits", "facets"} {
		if _, ok := r[k]; !ok {
			t.Errorf("response lacks %q", k)
		}
	}
	hit := r["hits"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "url", "title", "date", "publisher", "partners", "topics", "snippet"} {
		if _, ok := hit[k]; !ok {
			t.Errorf("hit lacks %q", k)
		}
	}
	facets := r["facets"].(map[string]any)
	for _, k := range []string{"partner", "topic", "year", "publisher"} {
		if _, ok := facets[k]; !ok {
			t.Errorf("facets lack %q", k)
		}
	}
}

func TestBadRequests(t *testing.T) {
	_, base := newTestServer(t)
	tests := []struct {
		url    string
		status int
		want   string
	}{
		{"/api/v1/search?from=2017-13", 400, "invalid date"},
		{"/api/v1/search?from=2019&to=2017", 400, "is after"},
		{"/api/v1/search?size=100000", 400, "size must be"},
		{"/api/v1/search?page=abc", 400, "whole number"},
		{"/api/v1/search?q=" + strings.Repeat("x", notice.MaxQueryLength+1), 400, "longer than"},
		{"/api/v1/notices/nope", 404, "not found"},
		{"/api/v1/search?q=%22unbalanced+(", 200, ""},
	}
	for _, tt := range tests {
		resp, body := get(t, base+tt.url)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s = %d %s; want %d with %q", tt.url, resp.StatusCode, body, tt.status, tt.want)
		}
	}
	// The page shows a friendly message for the same mistakes, never a 500.
	resp, doc := page(t, base+"/?q=smart&from=2017-13")
	if resp.StatusCode != 400 || !strings.Contains(doc.Find(".notice").Text(), "could not be used") {
		t.Errorf("page with a bad date: %d %q", resp.StatusCode, doc.Find(".notice").Text())
	}
	resp, _ = page(t, base+"/notices/nope")
	if resp.StatusCode != 404 {
		t.Errorf("missing notice page: %d", resp.StatusCode)
	}
}

func TestNoticePage(t *testing.T) {
	_, base := newTestServer(t)
	resp, doc := page(t, base+"/notices/a")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if doc.Find("h1").Text() != "Smart city forum" || doc.Find("time").AttrOr("datetime", "") != "2017-08-09" {
		t.Errorf("title %q, date %q", doc.Find("h1").Text(), doc.Find("time").AttrOr("datetime", ""))
	}
	if doc.Find(`.chip.partner[title="Korea Local Information Research & Development Institute"]`).Length() != 1 {
		t.Error("partner chip lacks the full name")
	}
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	_, base := newTestServer(t)
	_, doc := page(t, base+"/")
	href := doc.Find(`link[rel=stylesheet]`).AttrOr("href", "")
	if !strings.HasPrefix(href, "/static/style.") || href == "/static/style.css" {
		t.Fatalf("stylesheet %q is not content-hashed", href)
	}
	resp, _ := get(t, base+href)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("asset: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}
