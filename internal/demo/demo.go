// Package demo is a small "News & Notices" website bundled with noticekb,
// so that `noticekb serve` on an empty data folder has real notices to
// show. The site is crawled through the same crawler and extractor as any
// real site, over an in-process transport instead of the network.
//
// It has two page layouts: a Korean-CMS style board (table layout, list
// pages with ?page=N) and a modern article layout (semantic HTML, JSON-LD,
// "updated" dates as a distractor), each with paginated lists.
package demo

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Host is the demo site's host name; .example is reserved (RFC 2606), so
// it can never reach a real site.
const Host = "unpog-demo.example"

// StartURL is where a crawl of the demo begins.
const StartURL = "https://" + Host + "/"

//go:embed notices.json
var noticesJSON []byte

//go:embed site/*.tmpl
var siteTemplates embed.FS

const perPage = 10

// Notice is one demo notice as authored.
type Notice struct {
	Slug    string   `json:"slug"`
	Layout  string   `json:"layout"`
	Title   string   `json:"title"`
	Date    string   `json:"date"`
	Updated string   `json:"updated"`
	Body    []string `json:"body"`

	number int // board number, in date order
}

// Site is the demo website.
type Site struct {
	board, article []*Notice // newest first
	bySlug         map[string]*Notice
	byNumber       map[int]*Notice
	tmpl           *template.Template
}

var (
	loadOnce sync.Once
	loaded   *Site
	loadErr  error
)

// Load returns the demo site.
func Load() (*Site, error) {
	loadOnce.Do(func() { loaded, loadErr = load() })
	return loaded, loadErr
}

func load() (*Site, error) {
	var file struct {
		Notices []*Notice `json:"notices"`
	}
	if err := json.Unmarshal(noticesJSON, &file); err != nil {
		return nil, fmt.Errorf("demo: notices.json: %w", err)
	}
	s := &Site{bySlug: map[string]*Notice{}, byNumber: map[int]*Notice{}}
	all := file.Notices
	sort.Slice(all, func(i, j int) bool { return all[i].Date < all[j].Date })
	for i, n := range all {
		n.number = 1001 + i
		s.bySlug[n.Slug] = n
		s.byNumber[n.number] = n
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Layout == "board" {
			s.board = append(s.board, all[i])
		} else {
			s.article = append(s.article, all[i])
		}
	}
	tmpl, err := template.New("").Funcs(template.FuncMap{
		"human": humanDate, "path": func(n *Notice) string { return s.path(n) },
	}).ParseFS(siteTemplates, "site/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("demo: templates: %w", err)
	}
	s.tmpl = tmpl
	return s, nil
}

// Notices returns every demo notice, oldest first.
func (s *Site) Notices() []*Notice {
	var all []*Notice
	for _, n := range s.byNumber {
		all = append(all, n)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].number < all[j].number })
	return all
}

// Path is where a notice lives on the demo site.
func (s *Site) path(n *Notice) string {
	if n.Layout == "board" {
		return "/bbs/view.asp?no=" + strconv.Itoa(n.number)
	}
	return "/news/" + n.Date[:4] + "/" + n.Date[5:7] + "/" + n.Slug + "/"
}

// Number is the notice's number on the board.
func (n *Notice) Number() int { return n.number }

// URL is a notice's absolute URL on the demo site.
func (s *Site) URL(n *Notice) string { return "https://" + Host + s.path(n) }

func humanDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("January 2, 2006")
}

// ServeHTTP serves the demo site.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	var name string
	var data any
	switch {
	case p == "/" || p == "/index.html":
		name, data = "home", map[string]any{"Board": head(s.board, 5), "Article": head(s.article, 5)}
	case p == "/about.html":
		name = "about"
	case p == "/bbs/list.asp":
		page, ok := pageParam(r.URL.Query().Get("page"), len(s.board))
		if !ok {
			http.NotFound(w, r)
			return
		}
		name, data = "board_list", s.listData(s.board, page, func(k int) string { return "/bbs/list.asp?page=" + strconv.Itoa(k) })
	case p == "/bbs/view.asp":
		no, _ := strconv.Atoi(r.URL.Query().Get("no"))
		n, ok := s.byNumber[no]
		if !ok || n.Layout != "board" {
			http.NotFound(w, r)
			return
		}
		name, data = "board_view", s.viewData(n, s.board)
	case p == "/news/" || strings.HasPrefix(p, "/news/page/"):
		page := 1
		if rest := strings.TrimPrefix(p, "/news/page/"); rest != p {
			page, _ = strconv.Atoi(strings.TrimSuffix(rest, "/"))
		}
		if _, ok := pageParam(strconv.Itoa(page), len(s.article)); !ok {
			http.NotFound(w, r)
			return
		}
		name, data = "article_list", s.listData(s.article, page, func(k int) string {
			if k == 1 {
				return "/news/"
			}
			return "/news/page/" + strconv.Itoa(k) + "/"
		})
	case strings.HasPrefix(p, "/news/"):
		parts := strings.Split(strings.Trim(p, "/"), "/")
		n, ok := s.bySlug[parts[len(parts)-1]]
		if !ok || n.Layout != "article" || s.path(n) != p {
			http.NotFound(w, r)
			return
		}
		name, data = "article_view", s.viewData(n, s.article)
	default:
		http.NotFound(w, r)
		return
	}
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func head(list []*Notice, n int) []*Notice { return list[:min(n, len(list))] }

func pageParam(raw string, items int) (int, bool) {
	page := 1
	if raw != "" {
		var err error
		if page, err = strconv.Atoi(raw); err != nil {
			return 0, false
		}
	}
	pages := (items + perPage - 1) / perPage
	return page, page >= 1 && page <= pages
}

type pageLink struct {
	Number  int
	URL     string
	Current bool
}

func (s *Site) listData(list []*Notice, page int, url func(int) string) map[string]any {
	pages := (len(list) + perPage - 1) / perPage
	start := (page - 1) * perPage
	var links []pageLink
	for k := 1; k <= pages; k++ {
		links = append(links, pageLink{k, url(k), k == page})
	}
	data := map[string]any{"Items": list[start:min(start+perPage, len(list))], "Pages": links, "Page": page}
	if page < pages {
		data["Next"] = url(page + 1)
	}
	if page > 1 {
		data["Prev"] = url(page - 1)
	}
	return data
}

func (s *Site) viewData(n *Notice, list []*Notice) map[string]any {
	data := map[string]any{"N": n, "URL": s.URL(n), "Hits": 100 + n.number%900}
	for i, m := range list {
		if m == n {
			if i > 0 {
				data["Newer"] = list[i-1]
			}
			if i+1 < len(list) {
				data["Older"] = list[i+1]
			}
		}
	}
	return data
}

// Transport serves the demo site to an HTTP client without a network:
// requests for the demo host are answered in-process, any other host is
// refused.
func (s *Site) Transport() http.RoundTripper {
	return roundTripper{s}
}

type roundTripper struct{ site *Site }

func (t roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Hostname() != Host {
		return nil, fmt.Errorf("demo: %s is not the demo site", r.URL.Host)
	}
	rec := httptest.NewRecorder()
	t.site.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}
