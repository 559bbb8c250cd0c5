package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// waitRunning waits until the gated job has reported progress.
func waitRunning(t *testing.T, site adminSite, id string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		j, _ := site.jobs.Job(id)
		if j.Progress.Fetched == 1 || time.Now().After(deadline) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// startJob posts the re-import form and returns the job's page address.
func (b *browser) startJob(kind, target string) (*http.Response, string) {
	b.t.Helper()
	_, page := b.get("/admin")
	return b.post("/admin/jobs", url.Values{"csrf": {csrf(b.t, page)}, "kind": {kind}, "url": {target}})
}

// A running job's page reloads itself without JavaScript (a meta refresh
// in <noscript>) and offers its script the part to poll; an ended job's
// page does neither. Cancelling from the page works; the history lists
// both jobs with their summaries.
func TestJobPages(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	b.mustSignIn(testToken)
	resp, _ := b.startJob("site", "https://a.example/news/")
	jobURL := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(jobURL, "/admin/jobs/") {
		t.Fatalf("start: %d → %q", resp.StatusCode, jobURL)
	}
	id := strings.TrimPrefix(jobURL, "/admin/jobs/")
	waitRunning(t, site, id)
	_, page := b.get(jobURL)
	for _, want := range []string{`<noscript><meta http-equiv="refresh" content="1"></noscript>`, `data-poll="` + jobURL + `?part=live"`,
		`state-running`, `action="` + jobURL + `/cancel"`, `<progress max="4" value="1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("running job page lacks %s", want)
		}
	}
	_, part := b.get(jobURL + "?part=live")
	if strings.Contains(part, "<html") || !strings.Contains(part, "state-running") || !strings.Contains(part, `name="csrf"`) {
		t.Errorf("the live part:\n%.400s", part)
	}
	if resp, _ := b.startJob("page", "https://a.example/n/1"); resp.StatusCode != http.StatusConflict {
		t.Errorf("a second job while one runs: %d, want 409", resp.StatusCode)
	}
	close(site.work.release)
	site.jobs.Wait(t.Context(), id)
	_, page = b.get(jobURL)
	weak := `<dt>Only an update date</dt><dd><a href="/admin/notices?date=updated">1</a></dd>`
	if strings.Contains(page, "http-equiv") || strings.Contains(page, `data-poll="/`) || !strings.Contains(page, "state-succeeded") ||
		!strings.Contains(page, "<dt>Updated</dt><dd>1</dd>") || !strings.Contains(page, weak) {
		t.Errorf("ended job page:\n%s", between(page, `<div id="job-live"`, "All jobs"))
	}
	if _, part := b.get(jobURL + "?part=live"); !strings.Contains(part, weak) {
		t.Errorf("ended job's live part lacks %s:\n%s", weak, part)
	}

	site.work.release = make(chan struct{})
	resp, _ = b.startJob("page", "https://a.example/n/1")
	second := resp.Header.Get("Location")
	_, page = b.get(second)
	resp, _ = b.post(second+"/cancel", url.Values{"csrf": {csrf(t, page)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != second {
		t.Fatalf("cancel: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = b.get(second)
	if !strings.Contains(page, "state-cancelled") || !strings.Contains(page, "The job is cancelled") {
		t.Errorf("cancelled job page:\n%s", between(page, `<main`, "All jobs"))
	}
	_, page = b.get("/admin/jobs")
	if n := strings.Count(page, `<tr>`); n != 3 { // the head and two jobs
		t.Errorf("%d rows in the history", n)
	}
	if resp, _ := b.get("/admin/jobs/nosuchjob"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown job: %d", resp.StatusCode)
	}
}

// A refused re-import shows the form again with what was wrong, and the
// status says why.
func TestStartJobRefusals(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	b.mustSignIn(testToken)
	for _, c := range []struct {
		kind, url string
		status    int
		says      string
	}{
		{"site", "ftp://a.example/", 400, "starting with http"},
		{"page", "", 400, "starting with http"},
		{"site", "https://forbidden.example/", 403, "forbidden"},
		{"everything", "https://a.example/", 400, "kind"},
	} {
		resp, page := b.startJob(c.kind, c.url)
		msg := between(page, `id="reimport-error"`, "</p>")
		if resp.StatusCode != c.status || !strings.Contains(msg, c.says) || !strings.Contains(page, `value="`+c.url+`"`) {
			t.Errorf("%s %q: %d %q, want %d saying %q with the address kept", c.kind, c.url, resp.StatusCode, msg, c.status, c.says)
		}
	}
}

// Withdrawing from the admin list takes a notice out of search; its page
// then offers to restore it, which brings it back.
func TestWithdrawAndRestoreForms(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	b.mustSignIn(testToken)
	inSearch := func() bool {
		var r notice.Result
		_, body := b.get("/api/v1/search?q=survey")
		json.Unmarshal([]byte(body), &r)
		return r.Total == 1
	}
	if !inSearch() {
		t.Fatal("notice b is not in search to begin with")
	}
	_, page := b.get("/admin/notices?q=survey")
	if !strings.Contains(page, `action="/admin/notices/b/withdraw"`) {
		t.Fatalf("no withdraw form for notice b:\n%s", between(page, "<main", "</main>"))
	}
	resp, _ := b.post("/admin/notices/b/withdraw", url.Values{"csrf": {csrf(t, page)}, "back": {"/admin/notices?q=survey"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/notices?q=survey" {
		t.Fatalf("withdraw: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if inSearch() {
		t.Error("a withdrawn notice is still in search")
	}
	_, page = b.get("/admin/notices?q=survey")
	if !strings.Contains(page, "Withdrawn from search: “E-government survey”") || !strings.Contains(page, `action="/admin/notices/b/restore"`) ||
		!strings.Contains(page, "by an admin") {
		t.Errorf("after withdrawing:\n%s", between(page, "<main", "</main>"))
	}
	_, page = b.get("/notices/b")
	if !strings.Contains(page, "withdrawn by the editors") || !strings.Contains(page, `action="/admin/notices/b/restore"`) {
		t.Fatalf("the withdrawn notice's page:\n%s", between(page, "<article", "</article>"))
	}
	resp, _ = b.post("/admin/notices/b/restore", url.Values{"csrf": {csrf(t, page)}, "back": {"/notices/b"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/notices/b" {
		t.Fatalf("restore: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !inSearch() {
		t.Error("a restored notice is not in search")
	}
	_, page = b.get("/notices/b")
	if !strings.Contains(page, "Restored to search") || !strings.Contains(page, `action="/admin/notices/b/withdraw"`) {
		t.Errorf("after restoring:\n%s", between(page, "<article", "</article>"))
	}
	// "back" cannot lead off the site.
	resp, _ = b.post("/admin/notices/b/withdraw", url.Values{"csrf": {csrf(t, page)}, "back": {"https://evil.example/"}})
	if resp.Header.Get("Location") != "/admin" {
		t.Errorf("withdraw with a foreign back address went to %q", resp.Header.Get("Location"))
	}
	if resp, _ := b.post("/admin/notices/nope/withdraw", url.Values{"csrf": {csrf(t, page)}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("withdraw an unknown notice: %d", resp.StatusCode)
	}
}

// The notices page counts the notices in search by where their dates were
// read and lists those of one source, weak update dates and the date
// search's finds among them, each with its page and a withdraw form that
// comes back to the list; a source it does not know is refused.
func TestNoticesByDateSource(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	if resp, _ := b.get("/admin/notices?date=updated"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", resp.StatusCode)
	}
	b.mustSignIn(testToken)
	_, page := b.get("/admin/notices")
	sources := between(page, `id="dates-heading"`, "</nav>")
	for _, want := range []string{`<a href="/admin/notices?date=updated">weak: update date only</a> <span class="count">(1)</span>`,
		`<a href="/admin/notices?date=search">found by date search</a> <span class="count">(1)</span>`,
		`<a href="/admin/notices?date=none">no date</a> <span class="count">(1)</span>`} {
		if !strings.Contains(sources, want) {
			t.Errorf("the date sources lack %s:\n%s", want, sources)
		}
	}
	for _, c := range []struct{ path, lists, back string }{
		{"/admin/notices?date=updated", "evil", "/admin/notices?date=updated"},
		{"/admin/notices?date=search", "b", "/admin/notices?date=search"},
		{"/admin/notices?date=none", "a", "/admin/notices?date=none"},
		{"/admin/notices?date=search&q=survey", "b", "/admin/notices?date=search&amp;q=survey"},
	} {
		resp, page := b.get(c.path)
		list := between(page, `id="live-heading"`, "</section>")
		ids := regexp.MustCompile(`action="/admin/notices/([^/]+)/withdraw"`).FindAllStringSubmatch(list, -1)
		if resp.StatusCode != http.StatusOK || len(ids) != 1 || ids[0][1] != c.lists || !strings.Contains(list, `href="/notices/`+c.lists+`"`) ||
			!strings.Contains(list, `name="back" value="`+c.back+`"`) {
			t.Errorf("%s: %d, want notice %s alone, linked, coming back to %s:\n%s", c.path, resp.StatusCode, c.lists, c.back, list)
		}
		if strings.Contains(page, `id="withdrawn-heading"`) {
			t.Errorf("%s lists withdrawn notices, which have no date source counted", c.path)
		}
	}
	if _, page := b.get("/admin/notices?date=search&q=forum"); !strings.Contains(page, "No notice in search matches.") {
		t.Errorf("words and a date source that match nothing:\n%s", between(page, `id="live-heading"`, "</section>"))
	}
	if resp, page := b.get("/admin/notices?date=<b>x</b>"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "There is no date source “&lt;b&gt;x&lt;/b&gt;”") {
		t.Errorf("an unknown date source: %d\n%s", resp.StatusCode, between(page, "<main", "</main>"))
	}
}

// A reload that fails says why and keeps what is in use; one that works
// offers to re-extract every stored page.
func TestReloadMessages(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	b.mustSignIn(testToken)
	_, page := b.get("/admin/knowledge")
	resp, _ := b.post("/admin/knowledge/taxonomy/reload", url.Values{"csrf": {csrf(t, page)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/knowledge#taxonomy" {
		t.Fatalf("reload: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = b.get("/admin/knowledge")
	if msg := between(page, `<div class="flash flash-error" role="alert">`, "</div>"); !strings.Contains(msg, "topics[0] (x): no keywords") || !strings.Contains(msg, "stays as it was") {
		t.Errorf("failed reload message: %q", msg)
	}
	if strings.Contains(page, "<b>x</b>") || strings.Contains(page, "<script>alert") {
		t.Error("the files' text or errors are not escaped")
	}
	resp, _ = b.post("/admin/knowledge/rules/reload", url.Values{"csrf": {csrf(t, page)}})
	_, page = b.get("/admin/knowledge")
	if msg := between(page, `<div class="flash" role="status">`, "</div>"); !strings.Contains(msg, "Reloaded: 8 rules") || !strings.Contains(msg, `<input type="hidden" name="kind" value="reextract">`) {
		t.Errorf("reload message: %q", msg)
	}
	if resp, _ := b.post("/admin/knowledge/nosuchfile/reload", url.Values{"csrf": {csrf(t, page)}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("reload of an unknown file: %d", resp.StatusCode)
	}
}

// Every admin page is valid HTML that the CSP lets run as it is, and
// shows crawled text escaped.
func TestAdminPagesAreValidHTML(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	_, signin := b.get("/admin")
	pages := map[string]string{"/admin (sign-in)": signin}
	b.signIn("wrong-token")
	b.mustSignIn(testToken)
	resp, _ := b.startJob("site", "https://a.example/")
	job := resp.Header.Get("Location")
	waitRunning(t, site, strings.TrimPrefix(job, "/admin/jobs/"))
	_, pages[job+" (running)"] = b.get(job)
	_, pages["/admin (running job)"] = b.get("/admin")
	close(site.work.release)
	site.jobs.Wait(t.Context(), strings.TrimPrefix(job, "/admin/jobs/"))
	_, pages["/admin/knowledge (error)"] = b.get("/admin/knowledge")
	for _, p := range []string{job, "/admin", "/admin/jobs", "/admin/knowledge", "/admin/notices", "/admin/notices?q=smart",
		"/admin/notices?q=nothing+at+all", "/admin/notices?date=updated", "/admin/notices?date=none&q=smart", "/notices/evil", "/notices/a",
		"/admin/pages", "/admin/pages?url=https://example.org/judged", "/admin/pages?url=https://example.org/never-read"} {
		_, pages[p] = b.get(p)
	}
	_, page := b.get("/admin/notices?q=smart")
	b.post("/admin/notices/evil/withdraw", url.Values{"csrf": {csrf(t, page)}, "back": {"/admin/notices?q=smart"}})
	_, pages["/admin/notices?q=smart (withdrawn)"] = b.get("/admin/notices?q=smart")
	_, pages["/notices/evil (withdrawn)"] = b.get("/notices/evil")
	_, pages["/admin (start error)"] = b.startJob("site", "ftp://x")
	for p, body := range pages {
		for _, problem := range checkHTML(body, false) {
			t.Errorf("%s: %s", p, problem)
		}
		for _, bad := range []string{"<script>alert", "<img src=x", "<svg onload", "<i>Pub"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s renders %q unescaped", p, bad)
			}
		}
	}
	_, part := b.get(job + "?part=live")
	for _, problem := range checkHTML(part, true) {
		t.Errorf("job part: %s", problem)
	}
}

// The admin page of a stored page says why it is or is not a notice: each
// piece of evidence with its weight; a signed-in admin's notice page links
// to it, and anyone else gets the sign-in page.
func TestAdminPageExplainsAVerdict(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	if resp, _ := b.get("/admin/pages?url=https://example.org/judged"); resp.StatusCode == http.StatusOK && resp.Request.URL.Path == "/admin/pages" {
		t.Error("the evidence shown without signing in")
	}
	b.mustSignIn(testToken)
	resp, page := b.get("/admin/pages?url=https://example.org/judged")
	main := between(page, "<main", "</main>")
	for _, want := range []string{"Not a notice", "score -3.5", "<td class=\"num\">-3.0</td><td><strong>template of other pages</strong>: 0 of the 6",
		"<td class=\"num\">&#43;2.0</td><td><strong>date on the page</strong></td>", "notice_url"} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(main, want) {
			t.Errorf("%d: the explanation lacks %q:\n%s", resp.StatusCode, want, main)
		}
	}
	if resp, page := b.get("/admin/pages?url=https://example.org/never-read"); resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "No page is stored") {
		t.Errorf("a page never read: %d", resp.StatusCode)
	}
	if _, page := b.get("/notices/a"); !strings.Contains(page, `href="/admin/pages?url=https%3A%2F%2Fexample.org%2Fa"`) {
		t.Errorf("the notice page's admin box does not link to its evidence:\n%s", between(page, `<section class="admin-box"`, "</section>"))
	}
}

// A file saved from its editor is checked first: refused text comes back
// in the editor with the reason, nothing saved; good text is saved, with
// the browser's CRLF line ends made LF, and re-extraction offered.
func TestSaveKnowledgeFromTheEditor(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	b.mustSignIn(testToken)
	_, page := b.get("/admin/knowledge")
	if !strings.Contains(page, `action="/admin/knowledge/taxonomy/save"`) || !strings.Contains(page, `<textarea id="taxonomy-text" name="text"`) {
		t.Fatal("no editor for the taxonomy")
	}
	draft := "topics: <b>not json</b>"
	resp, page := b.post("/admin/knowledge/taxonomy/save", url.Values{"csrf": {csrf(t, page)}, "text": {draft}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "/data/taxonomy.json: not JSON") {
		t.Fatalf("refused save: %d\n%s", resp.StatusCode, between(page, "<main", "</main>"))
	}
	if !strings.Contains(page, ">topics: &lt;b&gt;not json&lt;/b&gt;</textarea>") {
		t.Error("the refused text is not back in its editor, escaped")
	}
	resp, _ = b.post("/admin/knowledge/taxonomy/save", url.Values{"csrf": {csrf(t, page)}, "text": {"{\r\n  \"topics\": []\r\n}"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/knowledge#taxonomy" {
		t.Fatalf("save: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = b.get("/admin/knowledge")
	if msg := between(page, `<div class="flash" role="status">`, "</div>"); !strings.Contains(msg, "Saved and in use: 1 topics") || !strings.Contains(msg, `value="reextract"`) {
		t.Errorf("save message: %q", msg)
	}
	if got := strings.Join(site.curator.saved, "|"); got != "taxonomy: {\n  \"topics\": []\n}" {
		t.Errorf("saved %q", got)
	}
	big := url.Values{"csrf": {csrf(t, page)}, "text": {"{" + strings.Repeat(" ", maxKnowledgeText) + "}"}}
	if resp, page := b.post("/admin/knowledge/rules/save", big); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "edit larger ones on disk") {
		t.Errorf("an oversized text: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/knowledge/rules/save", url.Values{"text": {"{}"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a save without the CSRF token: %d", resp.StatusCode)
	}
	if len(site.curator.saved) != 1 {
		t.Errorf("refused saves reached the curator: %q", site.curator.saved)
	}
}
