package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The admin area in a real browser, against the real binary: sign in
// (a wrong token refused), re-import a local site and watch the job
// finish in place, reload a taxonomy (a broken one refused, its error
// shown) and re-extract, withdraw a notice and see it leave search, then
// restore it; and the same re-import with JavaScript off, where the job
// page reloads itself.

const browserAdminToken = "a-browser-test-admin-token"

// localSite is a small notice site on loopback: a list page and n
// notice pages, each answer slowed by latency so a job's progress can be
// watched. Notice 7 alone says "heliotrope", for finding it.
func localSite(t *testing.T, n int, latency time.Duration) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/news/", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		var b strings.Builder
		b.WriteString(`<!DOCTYPE html><html lang="en"><head><title>News</title></head><body><h1>News</h1><ul>`)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, `<li><a href="/news/%d.html">Loopback cooperation notice %d</a></li>`, i, i)
		}
		b.WriteString(`</ul></body></html>`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
	})
	mux.HandleFunc("/news/{page}", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		i, err := strconv.Atoi(strings.TrimSuffix(r.PathValue("page"), ".html"))
		if err != nil || i < 1 || i > n {
			http.NotFound(w, r)
			return
		}
		word := "partnership"
		if i == 7 {
			word = "heliotrope"
		}
		title := fmt.Sprintf("Loopback cooperation notice %d", i)
		body := strings.Repeat(fmt.Sprintf("The ministry and its partners met in region %d to discuss a %s on public service innovation and digital government. ", i, word), 6)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>%s</title><meta property="og:type" content="article"></head>
<body><article><h1>%s</h1><time class="published" datetime="2024-03-%02d">%d March 2024</time><p>%s</p></article></body></html>`,
			title, title, i, i, body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestAdminBrowser(t *testing.T) {
	chromium, shots := browserTestSetup(t)
	site := localSite(t, 20, 150*time.Millisecond)
	bin := buildBinary(t)
	data := t.TempDir()
	p := startServeProcessWith(t, bin, data, browserAdminToken,
		"--allow", strings.TrimPrefix(site.URL, "http://"), "--allow-private", "--crawl-delay", "0")
	t.Cleanup(func() { p.stop(t) })
	browser := newBrowser(t, chromium)
	t.Logf("screenshots in %s", shots)

	t.Run("with JavaScript", func(t *testing.T) { adminWithScript(t, newTab(t, browser, shots, false), p.url, site.URL, data) })
	t.Run("without JavaScript", func(t *testing.T) { adminWithoutScript(t, newTab(t, browser, shots, true), p.url, site.URL) })
	t.Run("small screens and axe rules", func(t *testing.T) { adminPagesChecked(t, newTab(t, browser, shots, false), p.url) })
}

// adminPagesChecked shows the admin pages on a phone (nothing wider than
// the screen) and, when NOTICEKB_AXE names axe-core, runs its rules on
// them at desktop size.
func adminPagesChecked(t *testing.T, tb *tab, base string) {
	var axe []byte
	if path := os.Getenv("NOTICEKB_AXE"); path != "" {
		var err error
		if axe, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.Call(tb.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	tb.do("open admin", chromedp.Navigate(base+"/admin"))
	if axe != nil {
		axeCheck(t, tb, axe, "/admin (sign-in)")
	}
	tb.do("phone size", chromedp.EmulateViewport(375, 812))
	tb.do("reload", chromedp.Reload())
	tb.screenshot("admin-signin-375", false)
	tb.do("desktop size", chromedp.ResetViewport())
	signIn(tb, browserAdminToken)
	job := eval[string](tb, `document.querySelector('table.jobs a').getAttribute('href')`)
	tb.do("find a notice", chromedp.Navigate(base+"/?q=heliotrope"))
	notice := eval[string](tb, `document.querySelector('ol.hits h2 a').getAttribute('href')`)
	pages := []struct{ name, path string }{
		{"admin-home", "/admin"}, {"admin-job", job}, {"admin-jobs", "/admin/jobs"}, {"admin-knowledge", "/admin/knowledge"},
		{"admin-notices", "/admin/notices?q=cooperation"}, {"notice-admin", notice},
	}
	for _, p := range pages {
		if axe != nil {
			tb.do("open "+p.path, chromedp.Navigate(base+p.path))
			axeCheck(t, tb, axe, p.path)
		}
	}
	tb.do("phone size", chromedp.EmulateViewport(375, 812))
	for _, p := range pages {
		tb.do("open "+p.path, chromedp.Navigate(base+p.path))
		if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("%s is %d px wide at 375 px", p.path, w)
		}
		tb.screenshot(p.name+"-375", false)
	}
	tb.do("desktop size", chromedp.ResetViewport())
	tb.clean()
}

// submit clicks a form's button and waits until the page it leads to has
// loaded (DevTools marks the old page; a new one has no mark).
func (tb *tab) submit(what, button string) {
	tb.t.Helper()
	tb.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.beforeSubmit = true`))
	tb.do(what, chromedp.Click(button))
	tb.waitFor(what, `window.beforeSubmit === undefined && document.readyState === 'complete'`)
}

// signIn signs in from the sign-in page, which must be showing.
func signIn(tb *tab, token string) {
	tb.t.Helper()
	tb.do("type the token", chromedp.SendKeys("#token", token))
	tb.submit("sign in", `form[action="/admin/signin"] button`)
}

// sessionCookie returns the admin session cookie the browser holds.
func sessionCookie(tb *tab, base string) *network.Cookie {
	tb.t.Helper()
	res, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		tb.t.Fatal(err)
	}
	for _, c := range res.Cookies {
		if c.Name == "noticekb_admin" {
			return c
		}
	}
	return nil
}

// forgetProblems drops console messages that contain s: the browser
// reports a refused page (403) as an error, which is what a step wanted.
func (tb *tab) forgetProblems(s string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	kept := tb.problems[:0]
	for _, p := range tb.problems {
		if !strings.Contains(p, s) {
			kept = append(kept, p)
		}
	}
	tb.problems = kept
}

const jobState = `(document.querySelector('#job-live .state') || {}).textContent`

// startReimport starts a whole-site re-import from the admin home page
// and waits for its job page.
func startReimport(tb *tab, base, siteURL string) {
	tb.t.Helper()
	tb.do("open admin", chromedp.Navigate(base+"/admin"))
	tb.do("fill the form", chromedp.SendKeys("#reimport-url", siteURL+"/news/"), chromedp.Click(`input[name="kind"][value="site"]`))
	tb.submit("start", `form.reimport button[type="submit"]`)
	if !eval[bool](tb, `location.pathname.startsWith('/admin/jobs/')`) {
		tb.t.Fatalf("starting a re-import led to %s: %s", eval[string](tb, `location.href`), eval[string](tb, `document.querySelector('main').innerText.slice(0, 400)`))
	}
}

func adminWithScript(t *testing.T, tb *tab, base, siteURL, data string) {
	tb.do("open admin", chromedp.Navigate(base+"/admin"))
	tb.waitFor("the sign-in form", `document.querySelector('#token') !== null`)
	tb.screenshot("admin-signin", false)

	// A wrong token is refused: the form again, an error, no session.
	signIn(tb, "not-the-admin-token")
	if msg := eval[string](tb, `document.querySelector('.flash-error').textContent`); !strings.Contains(msg, "not the admin token") {
		t.Errorf("after a wrong token: %q", msg)
	}
	if sessionCookie(tb, base) != nil || eval[bool](tb, `document.querySelector('#token') === null`) {
		t.Error("a wrong token signed in")
	}
	tb.forgetProblems("403")

	signIn(tb, browserAdminToken)
	c := sessionCookie(tb, base)
	if c == nil || !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || c.Path != "/" || !c.Session {
		t.Fatalf("session cookie %+v", c)
	}
	if eval[string](tb, `document.cookie`) != "" {
		t.Error("a cookie is readable by scripts")
	}
	tb.screenshot("admin-home", false)

	// A whole-site re-import, followed in place as it runs.
	startReimport(tb, base, siteURL)
	if got := eval[string](tb, jobState); got != "Running" {
		t.Errorf("a fresh job shows %q", got)
	}
	tb.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.samePage = true`))
	tb.waitFor("some progress", `Number((document.querySelector('.counts dd') || {}).textContent) > 0`)
	tb.screenshot("admin-job-running", false)
	tb.waitFor("the job's end", jobState+` === 'Succeeded'`)
	if !eval[bool](tb, `window.samePage === true`) {
		t.Error("the job page reloaded instead of updating in place")
	}
	if added := eval[string](tb, `[...document.querySelectorAll('.counts div')].find(d => d.querySelector('dt').textContent === 'Added').querySelector('dd').textContent`); added != "20" {
		t.Errorf("the job added %s notices, want 20", added)
	}
	if !strings.HasPrefix(eval[string](tb, `document.title`), "Whole site: Succeeded") {
		t.Errorf("title after the job: %q", eval[string](tb, `document.title`))
	}
	tb.screenshot("admin-job-done", true)
	tb.do("jobs", chromedp.Navigate(base+"/admin/jobs"))
	if n := eval[int](tb, `document.querySelectorAll('table.jobs tbody tr').length`); n != 1 {
		t.Errorf("%d jobs in the history", n)
	}
	tb.screenshot("admin-jobs", false)

	knowledge(t, tb, base, data)
	withdrawAndRestore(t, tb, base)

	tb.do("admin", chromedp.Navigate(base+"/admin"))
	tb.submit("sign out", `form.signout button`)
	if !eval[bool](tb, `document.querySelector('#token') !== null && document.querySelector('[role=status]').textContent.includes('signed out')`) {
		t.Errorf("after signing out: %s", eval[string](tb, `document.querySelector('main').innerText`))
	}
	if sessionCookie(tb, base) != nil {
		t.Error("the session cookie outlived signing out")
	}
	tb.do("a page after signing out", chromedp.Navigate(base+"/admin/jobs"))
	if eval[string](tb, `location.pathname + location.search`) != "/admin?next=%2Fadmin%2Fjobs" {
		t.Errorf("after signing out, /admin/jobs shows %s", eval[string](tb, `location.href`))
	}
	tb.clean()
}

// knowledge reloads a broken taxonomy (refused, with its error shown),
// then saves a good one from the page's editor, and re-extracts every
// stored page with it.
func knowledge(t *testing.T, tb *tab, base, data string) {
	t.Helper()
	path := filepath.Join(data, "taxonomy.json")
	if err := os.WriteFile(path, []byte(`{"topics": [{"id": "x", "label": "X", "keywords": []}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tb.do("the knowledge page", chromedp.Navigate(base+"/admin/knowledge"))
	tb.submit("reload the taxonomy", `form[action="/admin/knowledge/taxonomy/reload"] button`)
	if msg := eval[string](tb, `document.querySelector('.flash-error').textContent`); !strings.Contains(msg, "x): no keywords") {
		t.Errorf("the broken taxonomy's error: %q", msg)
	}
	tb.screenshot("admin-knowledge-error", true)

	// The good taxonomy is written in the page's editor.
	good := `{"topics": [{"id": "region", "label": "Regional cooperation", "keywords": ["region"]}, {"id": "egov", "label": "E-government", "keywords": ["digital government"]}], "sdgs": []}`
	tb.do("open the taxonomy's editor", chromedp.Click(`#taxonomy details summary`))
	quoted, _ := json.Marshal(good)
	tb.do("write the taxonomy", chromedp.Evaluate[chromedp.Void](`document.querySelector('#taxonomy-text').value = `+string(quoted)))
	tb.submit("save the taxonomy", `form[action="/admin/knowledge/taxonomy/save"] button`)
	if msg := eval[string](tb, `document.querySelector('.flash').textContent`); !strings.Contains(msg, "Saved and in use: 2 topics and 0 SDGs") {
		t.Errorf("after saving: %q", msg)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != good {
		t.Errorf("taxonomy.json after saving in the browser: %q %v", b, err)
	}
	tb.screenshot("admin-knowledge", false)
	tb.submit("re-extract", `.flash form[action="/admin/jobs"] button`)
	tb.waitFor("the re-extraction's end", `location.pathname.startsWith('/admin/jobs/') && `+jobState+` === 'Succeeded'`)
	if got := eval[string](tb, `document.querySelector('#job-live h1').textContent`); !strings.Contains(got, "every stored page") {
		t.Errorf("re-extraction job heading %q", got)
	}
	tb.do("search by the new topic", chromedp.Navigate(base+"/?topic=Regional+cooperation"))
	if got := eval[string](tb, `document.querySelector('#results-heading').textContent`); !strings.HasPrefix(got, "20 notices") {
		t.Errorf("notices with the reloaded taxonomy's topic: %q", got)
	}
}

// withdrawAndRestore withdraws a notice from the admin list, sees it
// leave search, and restores it from its own page.
func withdrawAndRestore(t *testing.T, tb *tab, base string) {
	t.Helper()
	const inSearch = `document.querySelectorAll('ol.hits > li').length`
	tb.do("search", chromedp.Navigate(base+"/?q=heliotrope"))
	if n := eval[int](tb, inSearch); n != 1 {
		t.Fatalf("%d hits for heliotrope before withdrawing", n)
	}
	tb.do("admin notices", chromedp.Navigate(base+"/admin/notices?q=heliotrope"))
	tb.screenshot("admin-notices", false)
	tb.submit("withdraw", `form[action$="/withdraw"] button`)
	if msg := eval[string](tb, `(document.querySelector('.flash') || {}).textContent`); !strings.Contains(msg, "Withdrawn from search") {
		t.Errorf("after withdrawing: %q", msg)
	}
	if n := eval[int](tb, `document.querySelectorAll('form[action$="/restore"]').length`); n != 1 {
		t.Errorf("%d notices to restore after withdrawing", n)
	}
	tb.do("search again", chromedp.Navigate(base+"/?q=heliotrope"))
	if n := eval[int](tb, inSearch); n != 0 {
		t.Errorf("%d hits for heliotrope after withdrawing", n)
	}
	tb.do("admin notices", chromedp.Navigate(base+"/admin/notices?q=heliotrope"))
	tb.do("open the notice", chromedp.Click(`.notice-list a`))
	tb.waitFor("the notice page", `document.querySelector('.admin-box form[action$="/restore"]') !== null`)
	if !strings.Contains(eval[string](tb, `document.querySelector('.meta').textContent`), "withdrawn by the editors") {
		t.Error("the notice page does not say the editors withdrew it")
	}
	tb.screenshot("notice-admin", false)
	tb.submit("restore", `.admin-box button`)
	if !eval[bool](tb, `document.querySelector('.admin-box form[action$="/withdraw"]') !== null && document.querySelector('.admin-box .flash').textContent.includes('Restored')`) {
		t.Errorf("after restoring: %s", eval[string](tb, `document.querySelector('.admin-box').innerText`))
	}
	tb.do("search again", chromedp.Navigate(base+"/?q=heliotrope"))
	if n := eval[int](tb, inSearch); n != 1 {
		t.Errorf("%d hits for heliotrope after restoring", n)
	}
}

// adminWithoutScript re-imports with JavaScript off: the job page
// reloads itself (meta refresh) until the job has ended.
func adminWithoutScript(t *testing.T, tb *tab, base, siteURL string) {
	if _, err := chromedp.Call(tb.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	tb.do("open admin", chromedp.Navigate(base+"/admin"))
	signIn(tb, browserAdminToken)
	if eval[bool](tb, `document.querySelector('form.reimport') === null`) {
		t.Fatalf("not signed in: %s", eval[string](tb, `document.body.innerText.slice(0, 300)`))
	}
	startReimport(tb, base, siteURL)
	if got := eval[string](tb, jobState); got != "Running" {
		t.Errorf("a fresh job shows %q", got)
	}
	// DevTools evaluation runs with the page's scripts off; a reload
	// forgets the mark.
	tb.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.samePage = true`))
	tb.waitFor("the job's end", jobState+` === 'Succeeded'`)
	if eval[bool](tb, `window.samePage === true`) {
		t.Error("the job page did not reload itself")
	}
	if got := eval[string](tb, `[...document.querySelectorAll('.counts div')].find(d => d.querySelector('dt').textContent === 'Unchanged').querySelector('dd').textContent`); got != "20" {
		t.Errorf("a second re-import left %s notices unchanged, want 20", got)
	}
	tb.screenshot("admin-job-nojs", false)
	tb.clean()
}
