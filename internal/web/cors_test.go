package web

import (
	"net/http"
	"strings"
	"testing"
)

// The read-only API may be read from pages on other sites (no cookies,
// no credentials); the admin API and the site's own pages may not.
func TestReadOnlyAPICORS(t *testing.T) {
	base := newAdminSite(t, testToken, nil).base
	send := func(method, path string, h map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, nil)
		req.Header.Set("Origin", "https://elsewhere.example")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, path := range []string{"/api/v1/search?q=smart", "/api/v1/notices/a", "/api/v1/notices/a/related", "/api/v1/openapi.json", "/api/v1/search?size=0", "/api/v1/notices/nope"} {
		resp := send("GET", path, nil)
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("GET %s (%d): Allow-Origin %q, Allow-Credentials %q", path, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Allow-Credentials"))
		}
	}
	pre := send("OPTIONS", "/api/v1/search?q=smart", map[string]string{"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"})
	if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "GET") ||
		!strings.Contains(strings.ToLower(pre.Header.Get("Access-Control-Allow-Headers")), "if-none-match") ||
		pre.Header.Get("Access-Control-Max-Age") == "" {
		t.Errorf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	if got := send("GET", "/api/v1/search", nil).Header.Get("Access-Control-Expose-Headers"); !strings.Contains(got, "ETag") {
		t.Errorf("exposed headers %q lack ETag", got)
	}

	auth := map[string]string{"Authorization": "Bearer " + testToken}
	for _, r := range []struct {
		method, path string
		h            map[string]string
	}{
		{"GET", "/api/v1/admin/jobs", auth},
		{"OPTIONS", "/api/v1/admin/reimport", map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}},
		{"OPTIONS", "/api/v1/admin/jobs", map[string]string{"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}},
		{"GET", "/", nil},
		{"GET", "/feed.atom", nil},
	} {
		resp := send(r.method, r.path, r.h)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s %s (%d): Allow-Origin %q, want none", r.method, r.path, resp.StatusCode, got)
		}
	}
}
