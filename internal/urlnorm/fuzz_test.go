package urlnorm

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzNormalize checks that whatever a page links to, Normalize either
// refuses it or returns an absolute http(s) URL that is already in its
// canonical form (normalising it again changes nothing: the crawler
// normalises stored and found URLs alike, and two forms of one URL would
// store one notice twice), with no fragment, credentials or tracking
// parameters. Seeds are in testdata/fuzz/FuzzNormalize.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"HTTP://Example.ORG:80/a/../b/./c?z=1&a=2#frag",
		"https://example.org/news/?utm_source=x&p=2&fbclid=y",
		"http://[::1]:8080/a", "http://user:pw@example.org/", "http://example.org/a%20b",
		"HTTPS://WWW.Example.org./News/%7euser/?b=%2f&a=%7e%41#top",
		"http://example.org/?q=a+b&q=c", "http://example.org?", "http://x/%2e%2e/%2F?%zz=1",
		"http://[fe80::1%25eth0]/", "http://例え.テスト/パス?キー=値", "http://a/b;c?d#e",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, err := Normalize(raw)
		if err != nil {
			return
		}
		u, err := url.Parse(out)
		if err != nil {
			t.Fatalf("Normalize(%q) = %q, which does not parse: %v", raw, out, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasPrefix(u.EscapedPath(), "/") {
			t.Fatalf("Normalize(%q) = %q: not an absolute http(s) URL with a path", raw, out)
		}
		if u.User != nil || strings.Contains(out, "#") {
			t.Fatalf("Normalize(%q) = %q keeps credentials or a fragment", raw, out)
		}
		for _, part := range strings.Split(u.RawQuery, "&") {
			key, _, _ := strings.Cut(part, "=")
			if k, err := url.QueryUnescape(key); err == nil && IsTracking(k) {
				t.Fatalf("Normalize(%q) = %q keeps tracking parameter %q", raw, out, k)
			}
		}
		again, err := Normalize(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: Normalize(%q) = %q, then %q (%v)", raw, out, again, err)
		}
	})
}
