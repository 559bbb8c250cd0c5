package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// fakeSites is a registry in memory, checking what kb.Sites checks at
// the web's edge (addresses, hosts the guard refuses); its sites carry a
// run whose failure reason holds markup, as crawled text may.
type fakeSites struct {
	mu     sync.Mutex
	sites  map[string]notice.Site
	runs   map[string][]notice.SiteRun
	queued map[string]bool
}

func newFakeSites() *fakeSites {
	return &fakeSites{sites: map[string]notice.Site{}, runs: map[string][]notice.SiteRun{}, queued: map[string]bool{}}
}

func (f *fakeSites) List() ([]notice.SiteStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []notice.SiteStatus
	for _, s := range f.sites {
		out = append(out, f.status(s))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (f *fakeSites) status(s notice.Site) notice.SiteStatus {
	st := notice.SiteStatus{Site: s}
	if runs := f.runs[s.ID]; len(runs) > 0 {
		st.LastRun = &runs[0]
	}
	return st
}

func (f *fakeSites) Site(id string, n int) (notice.SiteStatus, []notice.SiteRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sites[id]
	if !ok {
		return notice.SiteStatus{}, nil, fmt.Errorf("test: site %s: %w", id, notice.ErrNotFound)
	}
	runs := f.runs[id]
	return f.status(s), runs[:min(n, len(runs))], nil
}

func hostOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: %q is not an absolute http(s) address", notice.ErrInvalidQuery, raw)
	}
	switch {
	case strings.Contains(u.Host, "forbidden.example"):
		return "", fmt.Errorf("test: %w", notice.ErrForbidden)
	case strings.HasSuffix(u.Hostname(), ".invalid"):
		return "", fmt.Errorf("test: %s resolves to nothing: %w", u.Host, notice.ErrUnknownHost)
	}
	return strings.TrimPrefix(u.Host, "www."), nil
}

func (f *fakeSites) Register(_ context.Context, spec notice.SiteSpec, _ bool) ([]notice.Site, []bool, error) {
	if len(spec.URLs) == 0 {
		return nil, nil, fmt.Errorf("%w: no URL", notice.ErrInvalidQuery)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []notice.Site
	var created []bool
	for _, u := range spec.URLs {
		id, err := hostOf(u)
		if err != nil {
			return nil, nil, err
		}
		s, ok := f.sites[id]
		if !ok {
			now := time.Now().UTC()
			s = notice.Site{ID: id, Added: now, Schedule: notice.SiteSchedule{State: notice.SiteActive, NextRun: now, Notices: 3}}
			f.runs[id] = []notice.SiteRun{{Site: id, Seq: 1, Kind: notice.RunFull, Trigger: notice.TriggerSchedule, State: notice.RunSucceeded,
				Started: now.Add(-time.Minute), Finished: now, Requests: 9,
				Summary: notice.RunSummary{Pages: 9, Added: 3, Failed: 1, Failures: []notice.Failure{{URL: u + "bad", Reason: `<script>alert("x")</script> HTTP 500`}}}}}
		}
		if !slices.Contains(s.Starts, u) {
			s.Starts = append(s.Starts, u)
		}
		s.Every, s.Exclude = spec.Every, spec.Exclude
		f.sites[id] = s
		out, created = append(out, s), append(created, !ok)
	}
	return out, created, nil
}

func (f *fakeSites) Update(_ context.Context, id string, spec notice.SiteSpec, _ bool) (notice.Site, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sites[id]
	if !ok {
		return s, fmt.Errorf("test: %w", notice.ErrNotFound)
	}
	for _, u := range spec.URLs {
		if h, err := hostOf(u); err != nil || h != id {
			return s, fmt.Errorf("%w: every start page of %s must be on %s", notice.ErrInvalidQuery, id, id)
		}
	}
	s.Starts, s.Every, s.Include, s.Exclude = spec.URLs, spec.Every, spec.Include, spec.Exclude
	f.sites[id] = s
	return s, nil
}

func (f *fakeSites) Remove(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.sites[id]; !ok {
		return fmt.Errorf("test: %w", notice.ErrNotFound)
	}
	delete(f.sites, id)
	return nil
}

func (f *fakeSites) SetEnabled(id string, on bool) (notice.Site, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sites[id]
	if !ok {
		return s, fmt.Errorf("test: %w", notice.ErrNotFound)
	}
	s.Schedule.State, s.Schedule.Reason = notice.SiteActive, ""
	if !on {
		s.Schedule.State, s.Schedule.Reason = notice.SiteDisabled, "disabled by an admin"
	}
	f.sites[id] = s
	return s, nil
}

func (f *fakeSites) Queue(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.sites[id]; !ok {
		return fmt.Errorf("test: %w", notice.ErrNotFound)
	}
	if f.queued[id] {
		return fmt.Errorf("test: %s is running or about to: %w", id, notice.ErrBusy)
	}
	f.queued[id] = true
	return nil
}

func (f *fakeSites) RecentRuns(limit int) ([]notice.SiteRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []notice.SiteRun
	for _, runs := range f.runs {
		out = append(out, runs...)
	}
	return out[:min(limit, len(out))], nil
}

// The admin's sites pages: register a site with the form (CSRF-checked),
// see it listed with its last run, open it (failure reasons escaped), run
// it, disable and enable it, change its settings, remove it; the feed of
// changes needs a session or its key.
func TestAdminSitesPages(t *testing.T) {
	sites := newFakeSites()
	site := newAdminSiteWith(t, testToken, nil, func(o *Options) { o.Sites = sites })
	b := newBrowserClient(t, site.base, nil)
	if resp, _ := b.get("/admin/sites"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sites page before signing in: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/admin/changes.atom"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("changes feed without a session or key: %d", resp.StatusCode)
	}
	b.mustSignIn(testToken)
	resp, page := b.get("/admin/sites")
	if resp.StatusCode != 200 || !strings.Contains(page, "No site is registered") || !strings.Contains(page, `href="/admin/sites" aria-current="page"`) {
		t.Fatalf("empty sites page: %d\n%.500s", resp.StatusCode, page)
	}
	token := csrf(t, page)
	if resp, _ := b.post("/admin/sites", url.Values{"urls": {"https://www.example.org/news/"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("registering without the form's token: %d", resp.StatusCode)
	}
	resp, page = b.post("/admin/sites", url.Values{"csrf": {token}, "urls": {"https://forbidden.example/"}, "every": {""}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, `class="flash flash-error"`) || !strings.Contains(page, "forbidden.example") {
		t.Errorf("a refused host: %d", resp.StatusCode)
	}
	resp, page = b.post("/admin/sites", url.Values{"csrf": {token}, "urls": {"https://www.example.org/news/"}, "every": {"soon"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "not a duration") {
		t.Errorf("a bad interval: %d", resp.StatusCode)
	}
	resp, _ = b.post("/admin/sites", url.Values{"csrf": {token}, "urls": {"https://www.example.org/news/\r\n"}, "every": {"6h"}, "exclude": {"/tag/\n/search/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/sites/example.org" {
		t.Fatalf("registering: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if s := sites.sites["example.org"]; s.Every.D() != 6*time.Hour || !slices.Equal(s.Exclude, []string{"/tag/", "/search/"}) {
		t.Errorf("registered %+v", s)
	}
	_, page = b.get("/admin/sites")
	if !strings.Contains(page, `<a href="/admin/sites/example.org">example.org</a>`) || !strings.Contains(page, "/admin/changes.atom?key=") || !strings.Contains(page, "Registered example.org") {
		t.Errorf("the site is not listed:\n%s", page)
	}
	var key string
	if i := strings.Index(page, "changes.atom?key="); i >= 0 {
		key = page[i+len("changes.atom?key=") : i+len("changes.atom?key=")+32]
	}
	pages := map[string]string{"/admin/sites": page}
	_, page = b.get("/admin/sites/example.org")
	pages["/admin/sites/example.org"] = page
	_, pages["/admin/sites (form error)"] = b.post("/admin/sites", url.Values{"csrf": {token}, "urls": {"x"}, "every": {"soon"}})
	for p, body := range pages {
		for _, problem := range checkHTML(body, false) {
			t.Errorf("%s: %s", p, problem)
		}
	}
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; HTTP 500") {
		t.Errorf("site page: failure reason not escaped:\n%s", page)
	}
	token = csrf(t, page)
	for _, step := range []struct{ action, flash string }{{"run", "runs now"}, {"run", "running or about to"}, {"disable", "Disabled"}, {"enable", "Enabled"}} {
		resp, _ := b.post("/admin/sites/example.org/"+step.action, url.Values{"csrf": {token}})
		_, page := b.get(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(page, step.flash) {
			t.Errorf("%s: %d, page without %q", step.action, resp.StatusCode, step.flash)
		}
	}
	resp, page = b.post("/admin/sites/example.org", url.Values{"csrf": {token}, "urls": {"https://other.example/"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "must be on example.org") {
		t.Errorf("a start page on another site: %d", resp.StatusCode)
	}
	resp, _ = b.post("/admin/sites/example.org", url.Values{"csrf": {token}, "urls": {"https://example.org/press/"}, "every": {""}})
	if s := sites.sites["example.org"]; resp.StatusCode != http.StatusSeeOther || s.Every != 0 || s.Starts[0] != "https://example.org/press/" {
		t.Errorf("changing the settings: %d, %+v", resp.StatusCode, s)
	}
	resp, body := b.get("/admin/changes.atom")
	if resp.StatusCode != 200 || !strings.Contains(body, "example.org: 3 added, 0 updated, 0 withdrawn") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("changes feed: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = b.post("/admin/sites/example.org/remove", url.Values{"csrf": {token}})
	if _, still := sites.sites["example.org"]; resp.StatusCode != http.StatusSeeOther || still {
		t.Errorf("remove: %d, still registered %v", resp.StatusCode, still)
	}
	if resp, _ := b.get("/admin/sites/nowhere.example"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown site's page: %d", resp.StatusCode)
	}

	// A feed reader with the key, without a session.
	reader := newBrowserClient(t, site.base, nil)
	if resp, _ := reader.get("/admin/changes.atom?key=" + key); resp.StatusCode != 200 || key == "" {
		t.Errorf("changes feed with its key %q: %d", key, resp.StatusCode)
	}
	if resp, _ := reader.get("/admin/changes.atom?key=" + strings.Repeat("0", 32)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("changes feed with a wrong key: %d", resp.StatusCode)
	}
}
