package urlnorm

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTP://Example.ORG:80/a/../b/./c?z=1&a=2#frag", "http://example.org/b/c?a=2&z=1"},
		{"https://example.org:443", "https://example.org/"},
		{"https://example.org/news/?utm_source=x&p=2&fbclid=y&gclid=z", "https://example.org/news/?p=2"},
		{"http://example.org:8000/x/", "http://example.org:8000/x/"},
		{"http://example.org/view.asp?BoardID=0004&sn=1&utm_medium=email", "http://example.org/view.asp?BoardID=0004&sn=1"},
		{"http://[::1]:8080/a", "http://[::1]:8080/a"},
		{"http://user:pw@example.org/", "http://example.org/"},
		{"http://example.org/a%20b", "http://example.org/a%20b"},
		{"HTTPS://WWW.Example.org./News/%7euser/?b=%2f&a=%7e%41#top", "https://www.example.org/News/~user/?a=~A&b=%2F"},
		{"http://example.org/list?&&page=2&mc_cid=1&utm_campaign=nl&_ga=3", "http://example.org/list?page=2"},
		{"http://example.org/?q=a+b&q=c", "http://example.org/?q=a+b&q=c"},
		{"http://example.org?", "http://example.org/"},
		{"https://example.org:8443/x#", "https://example.org:8443/x"},
		// Found by fuzzing: each must read back the same when normalised again.
		{"HTTP://0..", "http://0/"},
		{"http://example.org/?q=a b  #x", "http://example.org/?q=a%20b%20%20"},
		{"http://example.org/?q=%7%41", "http://example.org/?q=%257A"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"ftp://example.org/", "mailto:a@b", "javascript:alert(1)", "http:///path", "%zz",
		"HTTP://.", "http://]:0", "http://[fe80::1%25eth0]/", "http://a b/"} {
		if got, err := Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", bad, got)
		}
	}
}
