package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/notice"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedNow keeps "no future dates" reproducible.
func fixedNow() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }

func newTestExtractor() *Extractor { return New(Options{Now: fixedNow}) }

// golden is what a fixture must extract to, written to <name>.golden.json.
type golden struct {
	Kind     string   `json:"kind,omitempty"`
	Rule     string   `json:"rule,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
	// DateFrom is where the date was read: a date from the wrong place is
	// a fault even while it happens to be right.
	DateFrom string         `json:"date_from,omitempty"`
	Notice   *notice.Notice `json:"notice,omitempty"`
	Items    int            `json:"item_links,omitempty"`
	Next     int            `json:"next_links,omitempty"`
	Error    string         `json:"error,omitempty"`
}

// fixtureURLs are the addresses fixtures were published at; the others
// are extracted from their HTML alone.
var fixtureURLs = map[string]string{
	"unpog-board.html":          "http://www.unpog.org/page/sub4_1_view.asp?BoardID=0004&sn=412",
	"demo-article.html":         "https://unpog-demo.example/news/2021/04/webinar-smart-city-data-urban-resilience/",
	"demo-board-list.html":      "https://unpog-demo.example/bbs/list.asp?page=2",
	"ko-euckr.html":             "http://www.unpog.org/kor/bbs/board.php?bo_table=notice&wr_id=12",
	"ruby-recent-news.html":     "https://www.ruby-lang.org/ko/news/2002/02/01/report-security-issues/",
	"canada-search-dialog.html": "https://numerique.canada.ca/2017/08/24/choisir-nos-projets/",
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	x := newTestExtractor()
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := golden{}
			res, err := x.Extract(Page{URL: fixtureURLs[name], Body: body})
			if err != nil {
				got.Error = err.Error()
			} else {
				got.Kind, got.Rule, got.DateFrom, got.Notice = res.Kind.String(), res.Rule, res.DateSource, &res.Notice
				for _, e := range res.Verdict.Evidence {
					got.Evidence = append(got.Evidence, fmt.Sprintf("%+g %s", e.Weight, e.Name))
				}
				for _, l := range res.Links {
					if l.Item {
						got.Items++
					}
					if l.Next {
						got.Next++
					}
				}
			}
			data, _ := json.MarshalIndent(got, "", "  ")
			data = append(data, '\n')
			goldenPath := strings.TrimSuffix(path, ".html") + ".golden.json"
			if *update {
				if err := os.WriteFile(goldenPath, data, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/extract -update to create it)", err)
			}
			if !bytes.Equal(data, want) {
				t.Errorf("extraction of %s changed; got:\n%s\nwant:\n%s\n(run with -update if the change is right)", name, data, want)
			}
		})
	}
}

// The founding notice, wrapped in a board-style page, is what noticekb
// was built for: these facts must hold whatever the golden file says.
func TestFoundingNotice(t *testing.T) {
	body, err := os.ReadFile("testdata/unpog-board.html")
	if err != nil {
		t.Fatal(err)
	}
	res, err := newTestExtractor().Extract(Page{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	n := res.Notice
	if n.Title != "UNPOG signed the Concept Note for Bilateral Cooperation with KLID" {
		t.Errorf("title = %q", n.Title)
	}
	if n.Date.String() != "2017-08-09" {
		t.Errorf("date = %q", n.Date)
	}
	if n.Publisher != "UNPOG" {
		t.Errorf("publisher = %q", n.Publisher)
	}
	if !slices.Contains(n.Partners, "KLID") || slices.Contains(n.Partners, "UNPOG") {
		t.Errorf("partners = %q, want KLID and never the publisher", n.Partners)
	}
	// The five areas of cooperation it enumerates, as the taxonomy names them.
	for _, area := range []string{"Localizing the SDGs", "Policy coherence & institutional coordination",
		"Public service innovation", "Local e-government development index", "Civil registration & vital statistics (CRVS)"} {
		if !slices.Contains(n.Topics, area) {
			t.Errorf("topics %q lack the cooperation area %q", n.Topics, area)
		}
	}
	for _, junk := range []string{"LIST", "Prev", "Next", "SHARE", "Facebook", "News & Notices", "Copyright"} {
		if strings.Contains(n.Body, junk) {
			t.Errorf("body contains %q", junk)
		}
	}
	if res.Kind != KindNotice {
		t.Errorf("kind = %v", res.Kind)
	}
}

func TestBadInputGivesReasons(t *testing.T) {
	x := newTestExtractor()
	tests := []struct {
		name string
		body []byte
		want error
	}{
		{"empty", nil, notice.ErrNoContent},
		{"whitespace", []byte("  \n\t "), notice.ErrNoContent},
		{"pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 300)...), notice.ErrNotHTML},
		{"png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 200)...), notice.ErrNotHTML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := x.Extract(Page{Body: tt.body})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// Extraction cost follows the page's size up to a cap: a 10 MB page of
// text is read, cut to MaxTextBytes of text, and extracted like any other.
func TestHugeAndTextlessPagesAreBounded(t *testing.T) {
	x := newTestExtractor()
	huge := "<html><body><h1>Big page</h1><p>Posted: 2021-03-04</p><p>" + strings.Repeat("word ", 2<<20) + "</p></body></html>"
	start := time.Now()
	res, err := x.Extract(Page{Body: []byte(huge)})
	if err != nil {
		t.Fatalf("10 MB page: %v", err)
	}
	if len(res.Notice.Body) > MaxTextBytes || len(res.Notice.Body) < MaxTextBytes/2 {
		t.Errorf("body of %d bytes, want it cut to at most %d", len(res.Notice.Body), MaxTextBytes)
	}
	t.Logf("10 MB page extracted in %s", time.Since(start))
	res, err = x.Extract(Page{Body: []byte("<html><body><div></div></body></html>")})
	if err != nil || res.Kind != KindOther {
		t.Fatalf("text-less page: %v, %v; want kind other", res, err)
	}
}

func TestLimitTextCutsOnCharacterBoundaries(t *testing.T) {
	root, err := decode([]byte("<p>"+strings.Repeat("한", 10)+"</p>"), "")
	if err != nil {
		t.Fatal(err)
	}
	limitText(root, 10) // 3 bytes a character: 3 characters fit
	if got := inlineText(root); got != "한한한" {
		t.Errorf("text after the cut = %q", got)
	}
}

// Bad input gets a result or a clear reason, never a panic.
func TestBadInputTable(t *testing.T) {
	x := newTestExtractor()
	utf8Page := "<html><head><title>Café in Bogotá | Site</title></head><body><h1>Café in Bogotá</h1><p>Posted: 2021-03-04</p><p>" +
		strings.Repeat("Türkiye, Côte d’Ivoire and Malé joined the café meeting in Bogotá. ", 5) + "</p></body></html>"
	tests := []struct {
		name      string
		body      string
		wantErr   error  // or nil
		wantTitle string // when there is no error
	}{
		{"no charset, UTF-8 bytes", utf8Page, nil, "Café in Bogotá"},
		{"declared Latin-1, UTF-8 bytes", strings.Replace(utf8Page, "<head>", `<head><meta charset="iso-8859-1">`, 1), nil, "Café in Bogotá"},
		{"unclosed tags", "<html><body><h1>Unclosed <b>bold <font>text</h1><p>" + strings.Repeat("para <i>x <li>item <td>cell ", 50), nil, "Unclosed bold text"},
		{"nesting deeper than the parser allows", strings.Repeat("<div>", 600) + "deep", errAny, ""},
		{"control bytes", "\x00\x01\x02" + strings.Repeat("\x00\xff", 500), notice.ErrNotHTML, ""},
		{"only a comment", "<!-- nothing -->", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Extract(Page{Body: []byte(tt.body)})
			switch {
			case tt.wantErr == errAny:
				if err == nil || strings.Contains(err.Error(), "internal error") {
					t.Fatalf("err = %v, want a clear reason", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			case res.Notice.Title != tt.wantTitle:
				t.Errorf("title = %q, want %q", res.Notice.Title, tt.wantTitle)
			}
		})
	}
}

// errAny stands for "some clear error" in tables.
var errAny = errors.New("any error")

func TestTaxonomyReload(t *testing.T) {
	x := newTestExtractor()
	page := []byte(`<html><head><title>Water workshop | UNPOG</title></head><body><article><h1>Water workshop</h1>
		<p>Posted: 2021-03-04</p><p>` + strings.Repeat("Officials discussed water governance and water utilities. ", 5) + `</p></article></body></html>`)
	extractTopics := func() []string {
		res, err := x.Extract(Page{Body: page})
		if err != nil {
			t.Fatal(err)
		}
		return res.Notice.Topics
	}
	if got := extractTopics(); len(got) != 0 {
		t.Fatalf("topics before reload = %q", got)
	}
	path := filepath.Join(t.TempDir(), "taxonomy.json")
	os.WriteFile(path, []byte(`{"topics":[{"id":"water","label":"Water governance","keywords":["water governance","water utilities"]}]}`), 0o644)
	if err := x.ReloadTaxonomy(path); err != nil {
		t.Fatal(err)
	}
	if got := extractTopics(); !slices.Equal(got, []string{"Water governance"}) {
		t.Errorf("topics after reload = %q", got)
	}
	os.WriteFile(path, []byte(`{"topics":[{"id":"water","label":"Water governance","keywords":[]}]}`), 0o644)
	err := x.ReloadTaxonomy(path)
	if err == nil || !strings.Contains(err.Error(), "topics[0] (water): no keywords") {
		t.Errorf("invalid taxonomy: err = %v", err)
	}
	if got := extractTopics(); !slices.Equal(got, []string{"Water governance"}) {
		t.Errorf("an invalid taxonomy replaced the one in use: topics %q", got)
	}
}

// Words of an organisation's name are not evidence of a topic.
func TestOrganisationNamesAreNotTopicEvidence(t *testing.T) {
	page := `<html><head><title>Meeting with DPIDG | UNPOG</title></head><body><article><h1>Meeting with DPIDG</h1>
		<p>Posted: 2021-03-04</p><p>UNPOG met the Division for Public Institutions and Digital Government (DPIDG) and GovTech.
		The Division for Public Institutions and Digital Government presented its plans. ` + strings.Repeat("Officials discussed open data and open data portals. ", 3) + `</p></article></body></html>`
	res, err := newTestExtractor().Extract(Page{Body: []byte(page)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Notice.Topics, []string{"Open government & transparency"}) {
		t.Errorf("topics = %q, want only open government", res.Notice.Topics)
	}
	if !slices.Equal(res.Notice.Partners, []string{"DPIDG", "GovTech"}) {
		t.Errorf("partners = %q", res.Notice.Partners)
	}
}

// A Korean page in EUC-KR that declares its charset only in a <meta> tag
// (no HTTP header) keeps its Korean text intact and is recorded as Korean.
func TestKoreanEUCKRSurvives(t *testing.T) {
	body, err := os.ReadFile("testdata/ko-euckr.html")
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(body) {
		t.Fatal("fixture is not in EUC-KR")
	}
	res, err := newTestExtractor().Extract(Page{Body: body, ContentType: "text/html"})
	if err != nil {
		t.Fatal(err)
	}
	n := res.Notice
	if n.Title != "2019 지역 전자정부 역량강화 워크숍 개최" || !strings.Contains(n.Body, "유엔거버넌스센터는 한국지역정보개발원과 함께") {
		t.Errorf("Korean text damaged: title %q, body %.80q", n.Title, n.Body)
	}
	if n.Language != "ko" || n.Date.String() != "2019-05-14" {
		t.Errorf("language %q date %s", n.Language, n.Date)
	}
}

// Raw control bytes in a page (C0, DEL, C1) never reach the notice: they
// are invisible, and invalid in the feeds' XML. Tabs and line breaks stay.
func TestControlBytesAreStripped(t *testing.T) {
	page := "<html><head><title>Work\x01shop</title></head><body><article><h1>Workshop on digital\x02 government\x1f</h1>" +
		"<p>" + strings.Repeat("The officials\x00 discussed the programme\x7f of cooperation\u0085. ", 8) + "</p>" +
		"<p>Second\x0b paragraph\x1b[31m of the text.</p></article></body></html>"
	res, err := newTestExtractor().Extract(Page{Body: []byte(page)})
	if err != nil {
		t.Fatal(err)
	}
	n := res.Notice
	for _, s := range []string{n.Title, n.Body, n.Publisher} {
		if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }); i >= 0 {
			t.Errorf("control character %q in %q", s[i:i+1], s)
		}
	}
	if n.Title != "Workshop on digital government" || !strings.Contains(n.Body, "\n") || !strings.Contains(n.Body, "The officials discussed") {
		t.Errorf("title %q, body %q", n.Title, n.Body)
	}
}
