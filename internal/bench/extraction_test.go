package bench

import (
	"path/filepath"
	"testing"
)

// URLs map to a generated site's files as its README says.
func TestSiteFile(t *testing.T) {
	tests := []struct{ url, want string }{
		{"/page/sub4_1_view.asp?BoardID=0004&sn=123", "www/page/sub4_1_view.asp?BoardID=0004&sn=123"},
		{"/news/", "www/news/index.html"},
		{"/?p=1801", "www/index.html?p=1801"},
		{"/archive/notice/2009/58.htm", "www/archive/notice/2009/58.htm"},
	}
	for _, tt := range tests {
		if got := SiteFile("site", tt.url); got != filepath.Join("site", filepath.FromSlash(tt.want)) {
			t.Errorf("SiteFile(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestParseMetrics(t *testing.T) {
	m := parseMetrics("import_recall=1.0000 spurious=0 title_acc=0.9990")
	if m["title_acc"] != "0.9990" || m["spurious"] != "0" || len(m) != 3 {
		t.Errorf("parseMetrics = %v", m)
	}
}
