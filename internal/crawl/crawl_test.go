package crawl_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/notice"
)

// noticeHTML is a notice page any extractor recognises: article markup,
// a machine-readable date and a few paragraphs.
func noticeHTML(title, date, charsetMeta string) string {
	body := strings.Repeat("The office and its partners met to discuss public service innovation and digital government. ", 6)
	return `<!DOCTYPE html><html><head>` + charsetMeta + `<title>` + title + `</title><meta property="og:type" content="article"></head>` +
		`<body><article><h1>` + title + `</h1><time class="published" datetime="` + date + `">` + date + `</time><p>` + body + `</p><p>` + body + `</p></article></body></html>`
}

func listHTML(links ...string) string {
	var b strings.Builder
	b.WriteString(`<html><head><title>News</title></head><body><ul class="list">`)
	for _, l := range links {
		fmt.Fprintf(&b, `<li><a href="%s">A notice title at %s for the list</a></li>`, l, l)
	}
	b.WriteString(`</ul></body></html>`)
	return b.String()
}

// site is a loopback website whose pages are handler functions; it
// records every request.
type site struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	times    map[string][]time.Time
}

func newSite(t *testing.T, routes map[string]http.HandlerFunc) *site {
	t.Helper()
	s := &site{times: map[string][]time.Time{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r)
		s.times[r.URL.RequestURI()] = append(s.times[r.URL.RequestURI()], time.Now())
		s.mu.Unlock()
		if h, ok := routes[r.URL.RequestURI()]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) count(uri string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.times[uri])
}

func html(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
}

func (k *kb) titles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	k.store.EachNotice(func(n notice.Notice) error {
		if !n.Withdrawn() {
			out[n.URL] = n.Title
		}
		return nil
	})
	return out
}

// robots.txt rules, its Crawl-delay (larger than --delay) and its Sitemap
// line are honoured, and the User-Agent says who is asking.
func TestRobotsSitemapAndCrawlDelay(t *testing.T) {
	var s *site
	s = newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.15\n\nUser-agent: noticekb\nDisallow: /private/\nDisallow: /drafts\nCrawl-delay: 0.15\n\nSitemap: %s/maps/notices.xml\n", s.URL)
		},
		"/maps/notices.xml": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s/n/3</loc></url><url><loc>%s/private/4</loc></url></urlset>`, s.URL, s.URL)
		},
		"/":          html(listHTML("/n/1", "/n/2", "/private/5", "/drafts/6", "/n/7")),
		"/n/1":       html(noticeHTML("First notice", "2024-01-02", "")),
		"/n/2":       html(noticeHTML("Second notice", "2024-01-03", "")),
		"/n/3":       html(noticeHTML("Third notice, only in the sitemap", "2024-01-04", "")),
		"/n/7":       html(noticeHTML("Seventh notice", "2024-01-05", "")),
		"/private/4": html(noticeHTML("Private", "2024-01-04", "")),
		"/private/5": html(noticeHTML("Private", "2024-01-04", "")),
		"/drafts/6":  html(noticeHTML("Draft", "2024-01-04", "")),
	})
	k := newKB(t)
	var ev events
	cfg := fastConfig(&ev)
	cfg.Delay = 0
	sum := k.crawl(t, cfg, s.URL+"/")
	if sum.Added != 4 {
		t.Errorf("added %d, want 4: %v", sum.Added, k.titles(t))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var starts []time.Time
	for _, r := range s.requests {
		if strings.HasPrefix(r.URL.Path, "/private/") || strings.HasPrefix(r.URL.Path, "/drafts") {
			t.Errorf("robots.txt disallows %s, yet it was requested", r.URL)
		}
		if ua := r.UserAgent(); !strings.Contains(ua, "noticekb") || !strings.Contains(ua, "+https://") {
			t.Errorf("User-Agent %q does not name noticekb with a contact URL", ua)
		}
		for _, ts := range s.times[r.URL.RequestURI()] {
			starts = append(starts, ts)
		}
	}
	first, last := starts[0], starts[0]
	for _, ts := range starts {
		if ts.Before(first) {
			first = ts
		}
		if ts.After(last) {
			last = ts
		}
	}
	// robots.txt, the sitemap and 5 pages: 6 gaps of at least 0.15s.
	if took := last.Sub(first); took < 6*140*time.Millisecond {
		t.Errorf("%d requests in %s: Crawl-delay 0.15s not honoured", len(starts), took)
	}
}

// 5xx answers and timeouts are retried with backoff, Retry-After is
// honoured, and what never works is reported with its reason; the run ends.
func TestRetriesRetryAfterAndTimeouts(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	nth := func(p string) int {
		mu.Lock()
		defer mu.Unlock()
		calls[p]++
		return calls[p]
	}
	s := newSite(t, map[string]http.HandlerFunc{
		"/": html(listHTML("/flaky", "/busy", "/broken", "/slow", "/ok")),
		"/flaky": func(w http.ResponseWriter, r *http.Request) {
			if nth("flaky") == 1 {
				http.Error(w, "oops", http.StatusInternalServerError)
				return
			}
			html(noticeHTML("Flaky notice", "2024-02-01", ""))(w, r)
		},
		"/busy": func(w http.ResponseWriter, r *http.Request) {
			if nth("busy") == 1 {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "later", http.StatusServiceUnavailable)
				return
			}
			html(noticeHTML("Busy notice", "2024-02-02", ""))(w, r)
		},
		"/broken": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) },
		"/slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
		},
		"/ok": html(noticeHTML("Plain notice", "2024-02-03", "")),
	})
	k := newKB(t)
	var ev events
	cfg := fastConfig(&ev)
	cfg.Timeout, cfg.Retries = 300*time.Millisecond, 2
	start := time.Now()
	sum := k.crawl(t, cfg, s.URL+"/")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the crawl took %s", took)
	}
	if sum.Added != 3 {
		t.Errorf("added %d, want flaky, busy and ok: %v", sum.Added, k.titles(t))
	}
	reasons := map[string]string{}
	for _, f := range sum.Failures {
		reasons[strings.TrimPrefix(f.URL, s.URL)] = f.Reason
	}
	if reasons["/broken"] != "HTTP 502" || reasons["/slow"] != "timed out" || len(reasons) != 2 {
		t.Errorf("failures %v, want /broken HTTP 502 and /slow timed out", reasons)
	}
	if n := s.count("/broken"); n != 3 {
		t.Errorf("/broken requested %d times, want 3 (2 retries)", n)
	}
	if ts := s.times["/busy"]; len(ts) != 2 || ts[1].Sub(ts[0]) < 900*time.Millisecond {
		t.Errorf("/busy requests at %v: Retry-After 1 not honoured", ts)
	}
}

// Oversized bodies fail, non-HTML is skipped unread, binary served as
// HTML fails with its reason.
func TestBodyLimitAndContentTypes(t *testing.T) {
	big := noticeHTML("Big notice", "2024-03-01", "") + strings.Repeat("<!-- padding -->", 4096)
	s := newSite(t, map[string]http.HandlerFunc{
		"/":    html(listHTML("/big", "/report.php", "/junk", "/ok", "/more")),
		"/big": html(big),
		"/report.php": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte("%PDF-1.4 binary"))
		},
		"/junk": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write(append([]byte("%PDF-1.5\n"), bytes.Repeat([]byte{0, 0xff, 7, 1}, 300)...))
		},
		"/ok":   html(noticeHTML("Small notice", "2024-03-02", "")),
		"/more": html(noticeHTML("Another small notice", "2024-03-03", "")),
	})
	k := newKB(t)
	var ev events
	cfg := fastConfig(&ev)
	cfg.MaxBodySize = 32 << 10
	sum := k.crawl(t, cfg, s.URL+"/")
	if sum.Added != 2 {
		t.Errorf("added %d, want 2", sum.Added)
	}
	reasons := map[string]string{}
	for _, f := range sum.Failures {
		reasons[strings.TrimPrefix(f.URL, s.URL)] = f.Reason
	}
	if !strings.Contains(reasons["/big"], "larger than") || !strings.Contains(reasons["/junk"], "not an HTML page") || len(reasons) != 2 {
		t.Errorf("failures: %v", reasons)
	}
}

// The same notice under several URLs is stored once: redirects lead to
// the final URL, rel=canonical names the notice, tracking parameters go,
// and the same text without a canonical link is found by its hash.
// Redirects are followed only within the site and robots.txt.
func TestOneNoticeUnderManyURLs(t *testing.T) {
	var s *site
	page := noticeHTML("The one notice", "2024-04-01", "")
	withCanonical := func() http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			html(strings.Replace(page, "<head>", `<head><link rel="canonical" href="`+s.URL+`/news/one">`, 1))(w, r)
		}
	}
	s = newSite(t, map[string]http.HandlerFunc{
		"/robots.txt": html("User-agent: *\nDisallow: /private/\n"),
		"/":           html(listHTML("/old", "/news/one?utm_source=mail&fbclid=x", "/m/news/one", "/copy", "/to-private", "/away")),
		"/old": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/news/one", http.StatusMovedPermanently)
		},
		"/news/one":   withCanonical(),
		"/m/news/one": withCanonical(),
		"/copy":       html(page),
		"/to-private": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/private/x", http.StatusFound) },
		"/away": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://elsewhere.example/n", http.StatusFound)
		},
		"/private/x":                      html(noticeHTML("Private", "2024-04-02", "")),
		"/news/one?fbclid=x&utm_source=m": html(page),
	})
	k := newKB(t)
	var ev events
	sum := k.crawl(t, fastConfig(&ev), s.URL+"/")
	titles := k.titles(t)
	if len(titles) != 1 || titles[s.URL+"/news/one"] == "" {
		t.Errorf("stored %v, want the one notice under its canonical URL", titles)
	}
	if s.count("/private/x") != 0 {
		t.Error("a redirect led into a path robots.txt disallows")
	}
	if s.count("/news/one") != 1 {
		t.Errorf("/news/one fetched %d times, want once", s.count("/news/one"))
	}
	if sum.Duplicates != 1 || sum.Failed != 1 || !strings.Contains(sum.Failures[0].Reason, "off the site") {
		t.Errorf("summary: %+v", sum)
	}
}

// Legacy encodings, declared in the header or only in a meta tag, and a
// UTF-8 byte order mark all become UTF-8.
func TestEncodings(t *testing.T) {
	enc := func(e encoding.Encoding, s string) string {
		out, err := e.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	serve := func(ct, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Write([]byte(body))
		}
	}
	titles := map[string]string{
		"/euckr": "공지사항: 디지털 정부 워크숍 개최", "/sjis": "お知らせ：デジタル政府ワークショップ",
		"/latin1": "Atelier à Bogotá et Côte d'Ivoire", "/bom": "Notice with a byte order mark – Türkiye",
	}
	s := newSite(t, map[string]http.HandlerFunc{
		"/":       html(listHTML("/euckr", "/sjis", "/latin1", "/bom", "/plain")),
		"/euckr":  serve("text/html", enc(korean.EUCKR, noticeHTML(titles["/euckr"], "2024-05-01", `<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">`))),
		"/sjis":   serve("text/html; charset=Shift_JIS", enc(japanese.ShiftJIS, noticeHTML(titles["/sjis"], "2024-05-02", ""))),
		"/latin1": serve("text/html; charset=ISO-8859-1", enc(charmap.ISO8859_1, noticeHTML(titles["/latin1"], "2024-05-03", ""))),
		"/bom":    serve("text/html", "\xef\xbb\xbf"+noticeHTML(titles["/bom"], "2024-05-04", "")),
		"/plain":  html(noticeHTML("Plain UTF-8 notice", "2024-05-05", "")),
	})
	k := newKB(t)
	var ev events
	k.crawl(t, fastConfig(&ev), s.URL+"/")
	got := k.titles(t)
	for path, want := range titles {
		if got[s.URL+path] != want {
			t.Errorf("%s: title %q, want %q", path, got[s.URL+path], want)
		}
	}
}

// An endless calendar and an endless search are cut off by their URL
// patterns' budgets; the notices are all imported and the run ends.
func TestTrapsEnd(t *testing.T) {
	routes := map[string]http.HandlerFunc{}
	var links []string
	for i := range 6 {
		p := fmt.Sprintf("/n/%d", i)
		links = append(links, p)
		routes[p] = html(noticeHTML(fmt.Sprintf("Notice number %d", i), fmt.Sprintf("2024-06-%02d", i+1), ""))
	}
	routes["/"] = html(strings.Replace(listHTML(links...), "</ul>", `</ul><p><a href="/calendar?month=1">Calendar</a> <a href="/search?q=a&p=1">Search</a></p>`, 1))
	s := newSite(t, routes)
	s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/calendar":
			var m int
			fmt.Sscan(r.URL.Query().Get("month"), &m)
			html(fmt.Sprintf(`<html><body><p>No events.</p><a href="/calendar?month=%d">Next month</a></body></html>`, m+1))(w, r)
		case "/search":
			q := r.URL.Query().Get("q")
			html(fmt.Sprintf(`<html><body><p>No results.</p><div class="paging"><a href="/search?q=%s&p=2">Next</a></div><a href="/search?q=%s+more&p=1">%s more</a></body></html>`, q, q, q))(w, r)
		default:
			if h, ok := routes[r.URL.Path]; ok {
				h(w, r)
				return
			}
			http.NotFound(w, r)
		}
	})
	k := newKB(t)
	var ev events
	cfg := fastConfig(&ev)
	cfg.PatternBudget = 20
	sum := k.crawl(t, cfg, s.URL+"/")
	if sum.Added != 6 {
		t.Errorf("added %d, want 6", sum.Added)
	}
	if n := len(ev.all); n > 80 {
		t.Errorf("%d requests: the traps were not cut off", n)
	}
}

// The guard refuses the machine's own networks before any connection.
func TestGuard(t *testing.T) {
	s := newSite(t, map[string]http.HandlerFunc{"/": html(noticeHTML("Local", "2024-07-01", ""))})
	k := newKB(t)
	var ev events
	cfg := fastConfig(&ev)
	cfg.Guard = &crawl.Guard{}
	sum := k.crawl(t, cfg, s.URL+"/")
	if len(s.requests) != 0 || sum.Failed == 0 || !strings.Contains(sum.Failures[0].Reason, "forbidden") {
		t.Errorf("guarded crawl of a loopback site: %d requests, %+v", len(s.requests), sum)
	}
	cfg.Guard = &crawl.Guard{AllowPrivate: true}
	if sum := k.crawl(t, cfg, s.URL+"/"); sum.Added != 1 {
		t.Errorf("with AllowPrivate: %+v", sum)
	}
}
