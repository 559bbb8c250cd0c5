package web

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

// A notice imported from a file without --base-url is known by a file://
// URL, a path on the server: visitors never see it. The API gives it an
// empty url, its page no source link, and its feed entry stays valid Atom
// (an id, a title, a link to the notice page).
func TestLocalPathsAreNotPublished(t *testing.T) {
	local := notice.Notice{ID: "local", URL: "file:///home/editor/pages/forum.html", Title: "Smart city forum, imported",
		Body: "KLID and UNPOG discussed smart city data in Incheon.", Date: date("2018-04-05"), Publisher: "UNPOG",
		Partners: []string{"KLID"}, Topics: []string{"Smart city"}}
	_, base := newTestServerWith(t, append([]notice.Notice{local}, notices[:2]...))
	for _, path := range []string{"/api/v1/search?q=imported", "/api/v1/notices/local", "/api/v1/notices/a/related", "/notices/local", "/feed.atom?q=imported", "/?q=imported"} {
		_, body := get(t, base+path)
		if strings.Contains(body, "file:") || strings.Contains(body, "/home/editor") {
			t.Errorf("%s shows the server's file path:\n%s", path, body)
		}
	}
	var res struct{ Hits []struct{ ID, URL string } }
	_, body := get(t, base+"/api/v1/search?q=imported")
	if err := json.Unmarshal([]byte(body), &res); err != nil || len(res.Hits) != 1 || res.Hits[0].URL != "" {
		t.Errorf("search API: %v %+v, want the hit with an empty url", err, res)
	}
	var n struct{ URL *string }
	_, body = get(t, base+"/api/v1/notices/local")
	if err := json.Unmarshal([]byte(body), &n); err != nil || n.URL == nil || *n.URL != "" {
		t.Errorf("notice API: %v %s, want url present and empty", err, body)
	}
	if _, doc := page(t, base+"/notices/local"); doc.Find(".source").Length() != 0 || doc.Find("h1").Text() != local.Title {
		t.Errorf("notice page: a source line for a notice without a public URL, or no notice")
	}
	if _, doc := page(t, base+"/notices/a"); doc.Find(".source a[href='https://example.org/a']").Length() != 1 {
		t.Errorf("notice page of a public notice lost its source link")
	}
	var f atomDoc
	_, body = get(t, base+"/feed.atom?q=imported")
	if err := xml.Unmarshal([]byte(body), &f); err != nil || len(f.Entries) != 1 {
		t.Fatalf("feed: %v, %d entries", err, len(f.Entries))
	}
	e := f.Entries[0]
	if e.ID == "" || e.Title == "" || e.Updated == "" || len(e.Links) != 1 || e.Links[0].Rel != "alternate" || !strings.HasSuffix(e.Links[0].Href, "/notices/local") {
		t.Errorf("feed entry %+v, want id, title, updated and only the alternate link to the notice page", e)
	}
}
