package notice

import "testing"

// A notice's ID depends only on its canonical URL, so it stays the same
// across re-imports, and is short and URL-safe.
func TestIDForURL(t *testing.T) {
	a, b := IDForURL("https://example.org/news/1"), IDForURL("https://example.org/news/2")
	if a != IDForURL("https://example.org/news/1") || a == b || len(a) != 16 {
		t.Errorf("IDs %q and %q", a, b)
	}
	for _, r := range a {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			t.Fatalf("ID %q is not lower-case hex", a)
		}
	}
}

func TestPartnerLabel(t *testing.T) {
	tests := []struct {
		p    Partner
		want string
	}{
		{Partner{Name: "KLID"}, "KLID"},
		{Partner{Name: "KLID", FullName: "Korea Local Information Research & Development Institute"}, "Korea Local Information Research & Development Institute (KLID)"},
		{Partner{Name: "World Bank", FullName: "World Bank"}, "World Bank"},
	}
	for _, tt := range tests {
		if got := tt.p.Label(); got != tt.want {
			t.Errorf("%+v.Label() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestPublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.unpog.org/news/1": "https://www.unpog.org/news/1",
		"HTTP://example.org/":          "HTTP://example.org/",
		"file:///home/me/pages/a.html": "",
		"file://host/share/a.html":     "",
		"/notices/abc":                 "",
		"javascript:alert(1)":          "",
		"http:///no-host":              "",
		"":                             "",
	} {
		if got := PublicURL(in); got != want {
			t.Errorf("PublicURL(%q) = %q, want %q", in, got, want)
		}
	}
}
