package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/config"
)

func request(t *testing.T, method, url string, headers map[string]string, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The admin routes exist only with a token set; there is no default one.
func TestAdminOffWithoutToken(t *testing.T) {
	if config.Default().AdminToken != "" || config.Load(noEnv).AdminToken != "" {
		t.Fatal("a default admin token exists")
	}
	base := startServe(t, t.TempDir())
	for _, path := range []string{"api/v1/admin/jobs", "api/v1/admin/reimport"} {
		if code, _ := request(t, "GET", base+path, map[string]string{"Authorization": "Bearer "}, ""); code != http.StatusNotFound {
			t.Errorf("%s without a token set: %d, want 404", path, code)
		}
	}
}

// With a token, every admin route wants it as a Bearer credential, and
// nothing else will do; guesses are rate limited like any request.
func TestAdminTokenRequired(t *testing.T) {
	base := startAdminServe(t, t.TempDir())
	wrong := []map[string]string{
		nil,
		{"Authorization": "Bearer"},
		{"Authorization": "Bearer " + adminToken[:len(adminToken)-1]},
		{"Authorization": "Basic " + adminToken},
		{"Authorization": adminToken},
		{"X-Admin-Token": adminToken},
		{"Cookie": "token=" + adminToken},
	}
	routes := []struct{ method, path string }{
		{"GET", "api/v1/admin/jobs"}, {"GET", "api/v1/admin/jobs/x"}, {"DELETE", "api/v1/admin/jobs/x"}, {"POST", "api/v1/admin/reimport"},
	}
	for _, r := range routes {
		for _, h := range wrong[:2] {
			if code, body := request(t, r.method, base+r.path+"?token="+adminToken, h, `{"site":"https://example.org/"}`); code != http.StatusUnauthorized {
				t.Errorf("%s %s with %v: %d %s", r.method, r.path, h, code, body)
			}
		}
	}
	for _, h := range wrong[2:] {
		if code, _ := request(t, "GET", base+"api/v1/admin/jobs", h, ""); code != http.StatusUnauthorized {
			t.Errorf("credential %v: %d, want 401", h, code)
		}
	}
	if code, _ := request(t, "GET", base+"api/v1/admin/jobs", map[string]string{"Authorization": "Bearer " + adminToken}, ""); code == http.StatusUnauthorized {
		t.Error("the right token was refused")
	}
	limited := false
	for i := range 100 {
		code, _ := request(t, "GET", base+"api/v1/admin/jobs", map[string]string{"Authorization": fmt.Sprintf("Bearer guess-%d", i)}, "")
		limited = limited || code == http.StatusTooManyRequests
	}
	if !limited {
		t.Error("100 token guesses in a row were not rate limited")
	}
}

// Re-imports never reach loopback, private, link-local or metadata
// addresses without --allow-private, even when --allow names the host,
// and a name that resolves to one is refused like the address.
func TestReimportRefusesPrivateTargets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	targets := []string{"http://localhost:" + port + "/", "http://127.0.0.1:" + port + "/", "http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.8/", "http://[::1]:" + port + "/", "http://192.168.1.1/", "http://100.100.100.200/"}
	var args []string
	for _, u := range targets {
		parsed, _ := url.Parse(u)
		args = append(args, "--allow", parsed.Host)
	}
	base := startAdminServe(t, t.TempDir(), args...)
	for _, u := range targets {
		for _, kind := range []string{"site", "url"} {
			var e map[string]string
			if code := admin(t, "POST", base+"api/v1/admin/reimport", fmt.Sprintf(`{%q: %q}`, kind, u), &e); code != http.StatusForbidden {
				t.Errorf("re-import %s %s: %d %v, want 403", kind, u, code, e)
			}
		}
	}
}

// A serving process reports the store and the index on /healthz and in
// /metrics, and the two agree.
func TestHealthAndMetricsOfAServer(t *testing.T) {
	base := startAdminServe(t, t.TempDir())
	var h struct {
		Status  string `json:"status"`
		Notices int    `json:"notices"`
		Index   struct {
			Documents  int   `json:"documents"`
			AppliedSeq int   `json:"applied_seq"`
			SizeBytes  int64 `json:"size_bytes"`
		} `json:"index"`
		Store struct {
			Notices   int   `json:"notices"`
			Seq       int   `json:"seq"`
			SizeBytes int64 `json:"size_bytes"`
		} `json:"store"`
	}
	if code := getJSON(t, base+"healthz", &h); code != 200 || h.Status != "ok" {
		t.Fatalf("healthz: %d %+v", code, h)
	}
	if h.Notices < 40 || h.Index.Documents != h.Notices || h.Store.Notices < h.Notices || h.Index.AppliedSeq != h.Store.Seq || h.Store.SizeBytes == 0 || h.Index.SizeBytes == 0 {
		t.Errorf("healthz: %+v", h)
	}
	request(t, "GET", base+"api/v1/search?q=smart", nil, "")
	code, body := request(t, "GET", base+"metrics", nil, "")
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		fmt.Sprintf("noticekb_index_documents %d\n", h.Index.Documents),
		fmt.Sprintf("noticekb_store_seq %d\n", h.Store.Seq),
		fmt.Sprintf("noticekb_index_applied_seq %d\n", h.Index.AppliedSeq),
		`noticekb_http_requests_total{method="GET",route="/api/v1/search",status="200"} 1`,
		`noticekb_jobs{state="running"} 0`,
		`noticekb_crawl_pages_total{outcome="fetched"} 0`,
		"# TYPE noticekb_http_request_duration_seconds histogram",
		"process_resident_memory_bytes ",
		"noticekb_store_size_bytes ",
		"noticekb_index_size_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Every family the README names keeps its name.
	for _, name := range []string{
		"noticekb_http_requests_total", "noticekb_http_request_duration_seconds", "noticekb_http_requests_in_flight",
		"noticekb_http_requests_queued", "noticekb_http_requests_shed_total", "noticekb_index_documents",
		"noticekb_index_size_bytes", "noticekb_index_applied_seq", "noticekb_store_notices", "noticekb_store_pages",
		"noticekb_store_seq", "noticekb_store_size_bytes", "noticekb_jobs", "noticekb_crawl_pages_total",
		"noticekb_ratelimit_clients", "process_resident_memory_bytes", "go_memstats_heap_alloc_bytes", "go_goroutines",
	} {
		if !strings.Contains(body, "\n# TYPE "+name+" ") {
			t.Errorf("metrics lack the family %s", name)
		}
	}
}

// A re-import of a site that is neither in the store nor allowed says so,
// and names the flag that would allow it.
func TestReimportOfUnknownSiteSaysWhy(t *testing.T) {
	base := startAdminServe(t, t.TempDir())
	var e map[string]string
	code := admin(t, "POST", base+"api/v1/admin/reimport", `{"site":"https://unknown.example/"}`, &e)
	if code != http.StatusForbidden || !strings.Contains(e["error"], "unknown.example") || !strings.Contains(e["error"], "--allow") {
		t.Errorf("re-import of an unknown site: %d %v, want 403 naming the host and --allow", code, e)
	}
}

// A re-import target whose host has no address is the request's mistake
// (4xx, saying so), not a server fault.
func TestReimportOfUnresolvableHostSaysWhy(t *testing.T) {
	hosts := []string{"127.1", "2130706433", "no-such-host.invalid"}
	var args []string
	for _, h := range hosts {
		args = append(args, "--allow", h)
	}
	base := startAdminServe(t, t.TempDir(), args...)
	for _, h := range hosts {
		var e map[string]string
		code := admin(t, "POST", base+"api/v1/admin/reimport", `{"url":"http://`+h+`/notice"}`, &e)
		if code < 400 || code >= 500 || !strings.Contains(e["error"], h) || !strings.Contains(e["error"], "resolve") {
			t.Errorf("re-import of http://%s/: %d %v, want a 4xx saying the host does not resolve", h, code, e)
		}
	}
}
