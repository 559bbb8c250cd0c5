package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

// Every search parameter the server reads is documented, and each
// documented example is accepted.
func TestOpenAPIDocumentsTheAPI(t *testing.T) {
	s, base := newTestServer(t)
	doc := parseOpenAPI(t, s.openAPI)
	var documented []string
	for _, ref := range doc.Paths.Value("/api/v1/search").Get.Parameters {
		p := ref.Value
		if p.In != "query" {
			continue
		}
		documented = append(documented, p.Name)
		if p.Example == nil {
			continue
		}
		v := fmt.Sprint(p.Example)
		if list, ok := p.Example.([]any); ok {
			v = fmt.Sprint(list[0])
		}
		u := base + "/api/v1/search?" + url.Values{p.Name: {v}}.Encode()
		if resp, body := get(t, u); resp.StatusCode != 200 {
			t.Errorf("documented example %s=%s: %d %s", p.Name, v, resp.StatusCode, body)
		}
	}
	// The parameters queryFromRequest reads; keep in step with request.go.
	read := []string{"q", "partner", "topic", "publisher", "sdg", "section", "from", "to", "sort", "page", "size", "after",
		"facet_size", "months", "verbatim", "partner_prefix", "topic_prefix", "publisher_prefix", "sdg_prefix", "section_prefix"}
	slices.Sort(read)
	slices.Sort(documented)
	if !slices.Equal(read, documented) {
		t.Errorf("documented search parameters %v, read %v", documented, read)
	}
}

func TestRelatedAPI(t *testing.T) {
	_, base := newTestServer(t)
	resp, body := get(t, base+"/api/v1/notices/a/related?size=2")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var r struct {
		ID   string `json:"id"`
		Hits []struct {
			ID string `json:"id"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	// "evil" shares the Smart city topic and words with "a".
	if r.ID != "a" || len(r.Hits) == 0 || r.Hits[0].ID != "evil" {
		t.Errorf("related to a: %s", body)
	}
	for _, tt := range []struct {
		url    string
		status int
	}{
		{"/api/v1/notices/nope/related", 404},
		{"/api/v1/notices/a/related?size=0", 400},
		{"/api/v1/notices/a/related?size=x", 400},
		{"/api/v1/notices/a/related?size=1000", 400},
	} {
		if resp, body := get(t, base+tt.url); resp.StatusCode != tt.status {
			t.Errorf("GET %s = %d %s, want %d", tt.url, resp.StatusCode, body, tt.status)
		}
	}
}

func TestSearchAPIFacetOptions(t *testing.T) {
	_, base := newTestServer(t)
	var r struct {
		Facets     map[string][]struct{ Value string }
		FacetSizes map[string]int `json:"facet_sizes"`
	}
	_, body := get(t, base+"/api/v1/search?facet_size=all&partner_prefix=kl&months=1")
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Facets["partner"]) != 1 || r.Facets["partner"][0].Value != "KLID" {
		t.Errorf("partners with a word starting kl: %+v", r.Facets["partner"])
	}
	if r.FacetSizes["topic"] != 2 || len(r.Facets["month"]) == 0 {
		t.Errorf("facet sizes %v, %d months", r.FacetSizes, len(r.Facets["month"]))
	}
	for _, tt := range []struct {
		url, want string
	}{
		{"/api/v1/search?partner=Nobody", "no notice has the partner"},
		{"/api/v1/search?facet_size=0", "at least 1"},
		{"/api/v1/search?page=0", "at least 1"},
		{"/api/v1/search?facet_size=1001", "facet size"},
		{"/api/v1/search?after=x", "sort_key"},
		{"/api/v1/search?partner_prefix=" + strings.Repeat("k", 101), "prefix longer"},
		{"/api/v1/search?q=" + strings.Repeat("-w+", 40), "at most 32"},
	} {
		if resp, body := get(t, base+tt.url); resp.StatusCode != 400 || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s = %d %s; want 400 with %q", tt.url, resp.StatusCode, body, tt.want)
		}
	}
}

// The search page answers every mistake with a message, never a 500.
func TestSearchPageBadInput(t *testing.T) {
	_, base := newTestServer(t)
	for _, tt := range []struct{ query, want string }{
		{"q=" + strings.Repeat("-w+", 40), "at most 32"},
		{"q=smart&partner=Nobody", "no notice has the partner"},
		{"q=smart&size=0", "could not be used"},
		{"q=smart&from=2020&to=2019", "could not be used"},
	} {
		resp, body := get(t, base+"/?"+tt.query)
		if resp.StatusCode != 400 || !strings.Contains(body, tt.want) {
			t.Errorf("/?%s = %d, want 400 with %q", tt.query, resp.StatusCode, tt.want)
		}
	}
}

// The API's notice says where its date was read, so a client can tell a
// weak date (the page's last update) from a publication date; the notice
// page says "Updated" beside such a date, and only beside such a date.
func TestNoticeAPIShowsDateSource(t *testing.T) {
	weak := notice.Notice{ID: "w", URL: "https://example.org/w", Title: "Updated page", Body: "Text.", Date: date("2022-05-10"),
		DateSource: notice.DateFromUpdate, Publisher: "UNPOG", Partners: []string{}, Topics: []string{}}
	dated := weak
	dated.ID, dated.URL, dated.Title, dated.DateSource = "d", "https://example.org/d", "Dated page", "page"
	_, base := newTestServerWith(t, []notice.Notice{weak, dated})
	for id, want := range map[string]string{"w": `Updated <time datetime="2022-05-10">10 May 2022</time>`, "d": `<p class="meta"><time datetime="2022-05-10">10 May 2022</time>`} {
		if _, page := get(t, base+"/notices/"+id); !strings.Contains(page, want) {
			t.Errorf("notice page %s lacks %s:\n%s", id, want, page)
		}
	}
	resp, body := get(t, base+"/api/v1/notices/w")
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); resp.StatusCode != 200 || err != nil {
		t.Fatalf("%d %v %s", resp.StatusCode, err, body)
	}
	if got["date_source"] != "updated" {
		t.Errorf("date_source = %v, want updated", got["date_source"])
	}
}
