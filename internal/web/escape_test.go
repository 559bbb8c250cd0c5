package web

import (
	"net/url"
	"strings"
	"testing"
)

// What a crawled page says, and what a visitor types, reaches every route
// escaped: the hostile notice's fields on every page that lists or shows
// it, and hostile parameters on every page that echoes them.
func TestEveryRouteEscapes(t *testing.T) {
	_, base := newTestServer(t)
	attack := `<script>alert(1)</script><svg onload=alert(2)>"'><img src=x onerror=alert(3)>`
	a := url.QueryEscape(attack)
	routes := []string{
		// the hostile notice as data
		"/", "/?q=smart", "/?q=smart&partial=1", "/?expand=partner", "/?expand=topic", "/?expand=publisher",
		"/notices/evil", "/partners", "/partners?order=name", "/topics", "/topics?order=name",
		"/map", "/map?rows=all", "/feed.atom", "/feed.atom?q=smart", "/opensearch.xml",
		"/api/v1/search?q=smart", "/api/v1/notices/evil",
		// hostile parameters, echoed or refused
		"/?q=" + a, "/?q=" + a + "&partial=1", "/?partner=" + a, "/?topic=" + a + "&publisher=" + a + "&sdg=" + a,
		"/?from=" + a, "/?to=" + a, "/?sort=" + a, "/?page=" + a, "/?expand=" + a, "/?q=smart&size=" + a,
		"/feed.atom?q=" + a, "/feed.atom?partner=" + a, "/map?q=" + a + "&publisher=" + a, "/partners?order=" + a,
		"/api/v1/search?q=" + a, "/api/v1/search?from=" + a, "/api/v1/search?partner=" + a,
		"/notices/" + url.PathEscape(attack), "/api/v1/notices/" + url.PathEscape(attack), "/" + url.PathEscape(attack),
	}
	for _, r := range routes {
		status, hdr, body := getWith(t, base+r, nil)
		if status >= 500 {
			t.Errorf("%s: status %d", r, status)
		}
		for _, bad := range []string{"<script>alert", "<svg onload", "<img src=x", "<i>Pub", `href="javascript:`} {
			if strings.Contains(body, bad) {
				t.Errorf("%s (%s) carries %q unescaped", r, hdr.Get("Content-Type"), bad)
			}
		}
		if hdr.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", r)
		}
	}
}
