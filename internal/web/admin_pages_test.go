package web

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/jobs"
	"github.com/noticekb/noticekb/internal/kbtest"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
)

// testCurator is the Curator over a real store and index, as cmd wires
// it, with the knowledge files held in memory: the taxonomy is broken.
type testCurator struct {
	st    *store.Store
	ix    *index.Index
	mu    sync.Mutex
	saved []string // what SaveKnowledge took, "name: text"
}

func (c *testCurator) KnowledgeFiles() []KnowledgeFile {
	return []KnowledgeFile{
		{Name: "rules", Title: "Extraction rules", Path: "/data/rules.json", Text: `{"rules": [{"name": "<script>alert(1)</script>"}]}`, InUse: "8 rules"},
		{Name: "taxonomy", Title: "Topic taxonomy", Path: "/data/taxonomy.json", Exists: true, Changed: true,
			Text: `{"topics": []}`, InUse: "12 topics", Error: "topics[0] (<b>x</b>): no keywords"},
	}
}

func (c *testCurator) ReloadKnowledge(_ context.Context, name string) (string, error) {
	if name == "taxonomy" {
		return "", errors.New("/data/taxonomy.json: topic: taxonomy: topics[0] (x): no keywords")
	}
	return "8 rules", nil
}

func (c *testCurator) SaveKnowledge(_ context.Context, name, text string) (string, error) {
	if !strings.HasPrefix(text, "{") {
		return "", errors.New("/data/" + name + ".json: not JSON")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.saved = append(c.saved, name+": "+text)
	return "1 topics", nil
}

func (c *testCurator) SetWithdrawn(_ context.Context, id string, withdraw bool) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var changed bool
	err := c.st.Write(func(w *store.Writer) error {
		var err error
		changed, err = w.SetWithdrawnByAdmin(id, withdraw, time.Now())
		return err
	})
	if err != nil {
		return false, err
	}
	var ns []notice.Notice
	var last uint64
	c.st.Changes(c.ix.AppliedSeq(), func(seq uint64, n notice.Notice) error { ns, last = append(ns, n), seq; return nil })
	return changed, c.ix.Apply(ns, last)
}

func (c *testCurator) WithdrawnNotices(text string, limit int) ([]notice.Notice, int, error) {
	var out []notice.Notice
	err := c.st.EachWithdrawn(func(n notice.Notice) error {
		if strings.Contains(strings.ToLower(n.Title), strings.ToLower(text)) {
			out = append(out, n)
		}
		return nil
	})
	return out[:min(len(out), limit)], len(out), err
}

func (c *testCurator) DateSources() (map[string]int, error) { return c.st.DateSources() }

func (c *testCurator) DatedNotices(source, text string, limit int) ([]notice.Notice, int, error) {
	var out []notice.Notice
	err := c.st.EachDatedBy(source, func(n notice.Notice) error {
		if strings.Contains(strings.ToLower(n.Title), strings.ToLower(text)) {
			out = append(out, n)
		}
		return nil
	})
	return out[:min(len(out), limit)], len(out), err
}

// PageVerdict knows one stored page, whose evidence carries crawled text.
func (c *testCurator) PageVerdict(u string) (PageVerdict, error) {
	if u != "https://example.org/judged" {
		return PageVerdict{}, notice.ErrNotFound
	}
	return PageVerdict{URL: u, Kind: "other", Score: -3.5, Template: "URL pattern /*, skeleton <svg onload=x>",
		Reasons: []VerdictReason{
			{Name: "prior", Weight: -1.5, Detail: "a page is not a notice until its evidence says so"},
			{Name: "date on the page", Weight: 2},
			{Name: "template of other pages", Weight: -3, Detail: "0 of the 6 other pages of its template are notices <script>alert(1)</script>"},
			{Name: "unlisted", Weight: -1},
		}}, nil
}

// adminSite is a server with the admin area on: a real store and index
// holding the test notices, a jobs manager running gated work.
type adminSite struct {
	base    string
	work    *gatedWork
	jobs    *jobs.Manager
	curator *testCurator
}

func newAdminSite(t *testing.T, token string, tlsCert *tls.Certificate) adminSite {
	t.Helper()
	return newAdminSiteWith(t, token, tlsCert, nil)
}

// newAdminSiteWith is newAdminSite with options changed by set.
func newAdminSiteWith(t *testing.T, token string, tlsCert *tls.Certificate, set func(*Options)) adminSite {
	t.Helper()
	st, ix := kbtest.Open(t, notices...)
	work := &gatedWork{release: make(chan struct{})}
	m, err := jobs.New(context.Background(), work, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	cu := &testCurator{st: st, ix: ix}
	opts := Options{Searcher: ix, Notices: st, Admin: m, AdminToken: token, Curator: cu}
	if set != nil {
		set(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	scheme := "http"
	if tlsCert != nil {
		ln, scheme = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*tlsCert}}), "https"
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return adminSite{base: scheme + "://" + ln.Addr().String(), work: work, jobs: m, curator: cu}
}

// browser is an HTTP client with cookies that does not follow redirects,
// so each answer can be looked at.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	// header is sent with every request.
	header http.Header
}

func newBrowserClient(t *testing.T, base string, transport http.RoundTripper) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, header: http.Header{}, c: &http.Client{
		Jar: jar, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	for k, v := range b.header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func (b *browser) get(path string) (*http.Response, string) { return b.do("GET", path, nil) }

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	return b.do("POST", path, form)
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token of the first form on a page.
func csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfValue.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%.600s", page)
	}
	return m[1]
}

// signIn signs b in with token and returns the answer to the form.
func (b *browser) signIn(token string) *http.Response {
	b.t.Helper()
	_, page := b.get("/admin")
	resp, _ := b.post("/admin/signin", url.Values{"csrf": {csrf(b.t, page)}, "token": {token}, "next": {"/admin"}})
	return resp
}

func (b *browser) mustSignIn(token string) {
	b.t.Helper()
	if resp := b.signIn(token); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		b.t.Fatalf("sign in: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// deleted tells whether a Set-Cookie tells the browser to drop the cookie.
func deleted(c *http.Cookie) bool {
	return c != nil && c.Value == "" && (c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())))
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Without an admin token the admin area does not exist.
func TestAdminPagesOffWithoutToken(t *testing.T) {
	site := newAdminSite(t, "", nil)
	b := newBrowserClient(t, site.base, nil)
	for _, p := range []string{"/admin", "/admin/jobs", "/admin/knowledge", "/admin/notices"} {
		if resp, _ := b.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := b.post("/admin/signin", url.Values{"token": {testToken}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /admin/signin: %d, want 404", resp.StatusCode)
	}
}

// Signing in sets a session cookie that scripts cannot read and other
// sites cannot send, lasting until the browser closes; admin pages are
// neither cached nor compressed.
func TestSignInCookie(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, &http.Transport{DisableCompression: true})
	b.header.Set("Accept-Encoding", "gzip, br")
	resp, page := b.get("/admin")
	if resp.StatusCode != 200 || !strings.Contains(page, `id="token"`) {
		t.Fatalf("sign-in page: %d", resp.StatusCode)
	}
	pre := cookieNamed(resp, signinCookie)
	if pre == nil || !pre.HttpOnly || pre.SameSite != http.SameSiteStrictMode || pre.Path != "/admin" || pre.MaxAge != 3600 {
		t.Errorf("sign-in cookie %+v", pre)
	}
	for h, want := range map[string]string{"Cache-Control": "no-store", "Content-Encoding": "", "X-Robots-Tag": "noindex, nofollow"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	resp, _ = b.post("/admin/signin", url.Values{"csrf": {csrf(t, page)}, "token": {testToken}, "next": {"/admin/jobs"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/jobs" {
		t.Fatalf("sign in: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := cookieNamed(resp, sessionCookie)
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure || c.MaxAge != 0 || !c.Expires.IsZero() || len(c.Value) != 43 {
		t.Fatalf("session cookie %+v", c)
	}
	if gone := cookieNamed(resp, signinCookie); !deleted(gone) {
		t.Errorf("the sign-in cookie was not deleted: %+v", gone)
	}
	resp, page = b.get("/admin")
	if resp.StatusCode != 200 || !strings.Contains(page, `action="/admin/signout"`) || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("admin home: %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	// A signed-in admin's notice page carries a form: not compressed.
	resp, page = b.get("/notices/a")
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(page, `action="/admin/notices/a/withdraw"`) {
		t.Errorf("notice page for an admin: encoding %q, cache %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Cache-Control"))
	}
	visitor := newBrowserClient(t, site.base, &http.Transport{DisableCompression: true})
	visitor.header.Set("Accept-Encoding", "gzip")
	resp, page = visitor.get("/notices/a")
	page = gunzip(t, page)
	if resp.Header.Get("Content-Encoding") != "gzip" || strings.Contains(page, "admin-box") {
		t.Errorf("notice page for a visitor: encoding %q, admin box %v", resp.Header.Get("Content-Encoding"), strings.Contains(page, "admin-box"))
	}

	// Signing out ends the session on the server, not only the cookie.
	stolen := c.Value
	_, page = b.get("/admin")
	resp, _ = b.post("/admin/signout", url.Values{"csrf": {csrf(t, page)}})
	if resp.StatusCode != http.StatusSeeOther || !deleted(cookieNamed(resp, sessionCookie)) {
		t.Fatalf("sign out: %d %v", resp.StatusCode, resp.Cookies())
	}
	replay := newBrowserClient(t, site.base, nil)
	replay.header.Set("Cookie", sessionCookie+"="+stolen)
	if resp, _ := replay.get("/admin/jobs"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin?next=") {
		t.Errorf("an ended session's cookie: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func gunzip(t *testing.T, body string) string {
	t.Helper()
	r, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Over HTTPS the session cookie is Secure and __Host- prefixed. Over
// plain HTTP, a forged X-Forwarded-Proto does not make it so: no proxy
// is trusted.
func TestSignInCookieOverHTTPS(t *testing.T) {
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	defer ts.Close()
	site := newAdminSite(t, testToken, &ts.TLS.Certificates[0])
	b := newBrowserClient(t, site.base, ts.Client().Transport)
	resp := b.signIn(testToken)
	c := cookieNamed(resp, secureSessionCookie)
	if resp.StatusCode != http.StatusSeeOther || c == nil || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
		t.Fatalf("session cookie over HTTPS: %d %+v", resp.StatusCode, resp.Cookies())
	}
	if resp, page := b.get("/admin"); !strings.Contains(page, `action="/admin/signout"`) {
		t.Errorf("not signed in over HTTPS: %d", resp.StatusCode)
	}

	plain := newAdminSite(t, testToken, nil)
	forged := newBrowserClient(t, plain.base, nil)
	forged.header.Set("X-Forwarded-Proto", "https")
	resp = forged.signIn(testToken)
	if c := cookieNamed(resp, sessionCookie); c == nil || c.Secure || cookieNamed(resp, secureSessionCookie) != nil {
		t.Errorf("a forged X-Forwarded-Proto changed the cookie: %v", resp.Cookies())
	}
}

// Behind a trusted proxy that terminates TLS (X-Forwarded-Proto: https),
// or with an https public URL, the session cookie is Secure and __Host-
// prefixed too; the header from anyone else changes nothing.
func TestSignInCookieBehindTLSProxy(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	tests := []struct {
		name   string
		set    func(*Options)
		proto  string
		secure bool
	}{
		{"trusted proxy, https", func(o *Options) { o.TrustedProxies = loopback }, "https", true},
		{"trusted proxy, http", func(o *Options) { o.TrustedProxies = loopback }, "http", false},
		{"untrusted proxy, https", func(o *Options) { o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")} }, "https", false},
		{"https public URL", func(o *Options) { o.BaseURL = "https://kb.example.org" }, "", true},
		{"http public URL", func(o *Options) { o.BaseURL = "http://kb.example.org" }, "", false},
	}
	for _, tt := range tests {
		site := newAdminSiteWith(t, testToken, nil, tt.set)
		b := newBrowserClient(t, site.base, nil)
		if tt.proto != "" {
			b.header.Set("X-Forwarded-Proto", tt.proto)
		}
		// A cookie jar keeps Secure cookies for https addresses only: read
		// the cookie from the answer, and send it by hand.
		resp := b.signIn(testToken)
		name := sessionCookie
		if tt.secure {
			name = secureSessionCookie
		}
		c := cookieNamed(resp, name)
		if resp.StatusCode != http.StatusSeeOther || c == nil || c.Secure != tt.secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
			t.Errorf("%s: sign-in %d, cookies %v, want %s with Secure %v", tt.name, resp.StatusCode, resp.Cookies(), name, tt.secure)
			continue
		}
		replay := newBrowserClient(t, site.base, nil)
		replay.header = b.header.Clone()
		replay.header.Set("Cookie", name+"="+c.Value)
		if _, page := replay.get("/admin"); !strings.Contains(page, `action="/admin/signout"`) {
			t.Errorf("%s: the session cookie does not sign the admin in", tt.name)
		}
	}
}

// A wrong token is refused without a session; after three wrong tokens
// the client must wait, and while it waits its wrong tokens are refused
// with Retry-After. Wrong Bearer tokens on the API count too.
func TestSignInThrottle(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	for i := 1; i <= freeFailures; i++ {
		resp := b.signIn("wrong-token-" + fmt.Sprint(i))
		if resp.StatusCode != http.StatusForbidden || cookieNamed(resp, sessionCookie) != nil {
			t.Fatalf("wrong token %d: %d %v", i, resp.StatusCode, resp.Cookies())
		}
	}
	_, page := b.get("/admin")
	resp, body := b.post("/admin/signin", url.Values{"csrf": {csrf(t, page)}, "token": {"wrong again"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "wait 1 second") {
		t.Errorf("fourth wrong token: %d, %q", resp.StatusCode, between(body, `<p class="flash`, "</p>"))
	}
	resp, body = b.post("/admin/signin", url.Values{"csrf": {csrf(t, body)}, "token": {"wrong while waiting"}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || cookieNamed(resp, sessionCookie) != nil {
		t.Errorf("wrong token while waiting: %d, Retry-After %q, %q", resp.StatusCode, resp.Header.Get("Retry-After"), between(body, `<p class="flash`, "</p>"))
	}
	if code := call(t, "GET", site.base+"/api/v1/admin/jobs", "wrong-token", "", nil); code != http.StatusTooManyRequests {
		t.Errorf("API with a wrong token while the client waits: %d, want 429", code)
	}

	// The API's wrong tokens count against the same budget.
	other := newAdminSite(t, testToken, nil)
	for i := 0; i <= freeFailures; i++ {
		call(t, "GET", other.base+"/api/v1/admin/jobs", "wrong-token", "", nil)
	}
	if resp := newBrowserClient(t, other.base, nil).signIn("wrong-token"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a wrong sign-in after four wrong API tokens: %d, want 429", resp.StatusCode)
	}
}

// While an address waits after wrong tokens (someone behind the admin's
// NAT guessing), the right token still gets through, on the sign-in form
// and the API: the throttle slows guessing, it never locks the admin out.
func TestRightTokenPassesWhileThrottled(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	for i := 0; i < freeFailures+10; i++ {
		call(t, "GET", site.base+"/api/v1/admin/jobs", fmt.Sprintf("guess-%d", i), "", nil)
	}
	if code := call(t, "GET", site.base+"/api/v1/admin/jobs", "another-guess", "", nil); code != http.StatusTooManyRequests {
		t.Fatalf("a guess after %d wrong ones: %d, want 429", freeFailures+10, code)
	}
	if code := call(t, "GET", site.base+"/api/v1/admin/jobs", testToken, "", nil); code != http.StatusOK {
		t.Errorf("API with the right token while the address waits: %d, want 200", code)
	}
	for i := 0; i < freeFailures+10; i++ {
		call(t, "GET", site.base+"/api/v1/admin/jobs", fmt.Sprintf("guess-%d", i), "", nil)
	}
	b := newBrowserClient(t, site.base, nil)
	if resp := b.signIn(testToken); resp.StatusCode != http.StatusSeeOther || cookieNamed(resp, sessionCookie) == nil {
		t.Errorf("sign-in with the right token while the address waits: %d %v", resp.StatusCode, resp.Cookies())
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// Every admin form post needs its session's CSRF token, and is refused
// when the browser says another site sent it.
func TestAdminFormsNeedCSRF(t *testing.T) {
	site := newAdminSite(t, testToken, nil)
	b := newBrowserClient(t, site.base, nil)
	b.mustSignIn(testToken)
	_, page := b.get("/admin")
	good := csrf(t, page)
	other := newBrowserClient(t, site.base, nil)
	other.mustSignIn(testToken)
	_, otherPage := other.get("/admin")
	_, signinPage := newBrowserClient(t, site.base, nil).get("/admin")

	forms := []struct {
		path string
		form url.Values
	}{
		{"/admin/jobs", url.Values{"kind": {"site"}, "url": {"https://a.example/"}}},
		{"/admin/notices/a/withdraw", url.Values{"back": {"/admin/notices"}}},
		{"/admin/knowledge/rules/reload", url.Values{}},
		{"/admin/signout", url.Values{}},
	}
	for _, f := range forms {
		for name, token := range map[string]string{
			"no token": "", "a wrong token": flip(good), "another session's token": csrf(t, otherPage),
			"the sign-in form's token": csrf(t, signinPage), "a token from the API": testToken,
		} {
			form := url.Values{}
			for k, v := range f.form {
				form[k] = v
			}
			if token != "" {
				form.Set("csrf", token)
			}
			if resp, _ := b.post(f.path, form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %s: %d, want 403", f.path, name, resp.StatusCode)
			}
		}
	}
	for h, v := range map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"} {
		b.header.Set(h, v)
		if resp, _ := b.post("/admin/knowledge/rules/reload", url.Values{"csrf": {good}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a good token with %s: %s: %d, want 403", h, v, resp.StatusCode)
		}
		b.header.Del(h)
	}
	b.header.Set("Origin", site.base)
	b.header.Set("Sec-Fetch-Site", "same-origin")
	if resp, _ := b.post("/admin/knowledge/rules/reload", url.Values{"csrf": {good}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a good token from our own page: %d, want 303", resp.StatusCode)
	}
	// A notice's withdrawal did not happen through any refused post.
	if _, body := b.get("/notices/a"); strings.Contains(body, "withdrawn by the editors") {
		t.Error("a refused post withdrew the notice")
	}
	anonymous := newBrowserClient(t, site.base, nil)
	if resp, _ := anonymous.post("/admin/jobs", url.Values{"csrf": {good}, "kind": {"site"}, "url": {"https://a.example/"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a post without a session: %d, want 403", resp.StatusCode)
	}
	// The sign-in form needs its own cookie's token.
	resp, _ := anonymous.post("/admin/signin", url.Values{"csrf": {csrf(t, signinPage)}, "token": {testToken}})
	if resp.StatusCode != http.StatusForbidden || cookieNamed(resp, sessionCookie) != nil {
		t.Errorf("sign-in with another browser's form token: %d", resp.StatusCode)
	}
}
