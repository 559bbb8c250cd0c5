package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/kbtest"
)

func noEnv(string) string { return "" }

// runCmd runs the program in-process and returns its stdout and stderr.
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

var servingURL = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/)`)

// startServe runs `noticekb serve` on a free loopback port until the test
// ends, and returns its base URL.
func startServe(t *testing.T, dataDir string, extraArgs ...string) string {
	t.Helper()
	return startServeEnv(t, noEnv, dataDir, extraArgs...)
}

// startServeEnv is startServe with an environment.
func startServeEnv(t *testing.T, getenv func(string) string, dataDir string, extraArgs ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var logs kbtest.SyncBuffer
	done := make(chan error, 1)
	args := append([]string{"serve", "--data", dataDir, "--addr", "127.0.0.1:0"}, extraArgs...)
	go func() { done <- run(ctx, args, getenv, io.Discard, &logs) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingURL.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			done <- nil // for the cleanup, which waits for serve to end
			t.Fatalf("serve exited: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", logs.String())
	return ""
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

type apiResult struct {
	Total int `json:"total"`
	Page  int `json:"page"`
	Size  int `json:"size"`
	Hits  []struct {
		ID, URL, Title, Date, Publisher, Snippet string
		Partners, Topics                         []string
	} `json:"hits"`
	Facets map[string][]struct {
		Value    string `json:"value"`
		Count    int    `json:"count"`
		Selected bool   `json:"selected"`
	} `json:"facets"`
}

func (r apiResult) counts(facet string) map[string]int {
	m := map[string]int{}
	for _, v := range r.Facets[facet] {
		m[v.Value] = v.Count
	}
	return m
}

// A fresh data folder serves the bundled demo at once.
func TestServeImportsDemo(t *testing.T) {
	base := startServe(t, t.TempDir(), "--public-url", "https://kb.example.org/")
	// Links that leave the page (feeds, OpenSearch) use the public URL.
	resp, err := http.Get(base + "opensearch.xml")
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(desc), `template="https://kb.example.org/?q={searchTerms}"`) {
		t.Errorf("OpenSearch description without the public URL:\n%s", desc)
	}
	if code := getJSON(t, base+"healthz", nil); code != http.StatusOK {
		t.Fatalf("/healthz = %d", code)
	}
	var r apiResult
	getJSON(t, base+"api/v1/search?q=", &r)
	if r.Total < 40 {
		t.Errorf("total = %d, want at least 40 demo notices", r.Total)
	}
	for facet, atLeast := range map[string]int{"partner": 5, "topic": 5, "year": 3} {
		if n := len(r.counts(facet)); n < atLeast {
			t.Errorf("%s facet has %d values, want at least %d", facet, n, atLeast)
		}
	}
	// Newest first for the empty query.
	for i := 1; i < len(r.Hits); i++ {
		if r.Hits[i].Date > r.Hits[i-1].Date {
			t.Errorf("hit %d (%s) is newer than hit %d (%s)", i, r.Hits[i].Date, i-1, r.Hits[i-1].Date)
		}
	}
	var bad map[string]string
	if code := getJSON(t, base+"api/v1/search?from=2017-13-01", &bad); code != http.StatusBadRequest || bad["error"] == "" {
		t.Errorf("bad date: %d %v, want 400 with an error", code, bad)
	}
}

// The end-to-end path: crawl a site served on loopback, then search it
// through the HTTP API and check hits and facet counts against what was stored.
func TestCrawlThenSearchOverHTTP(t *testing.T) {
	site, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	defer srv.Close()
	data := t.TempDir()
	_, stderr, err := runCmd(t, "crawl", "--data", data, "--delay", "0", "--concurrency", "4", srv.URL+"/")
	if err != nil {
		t.Fatalf("crawl: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, fmt.Sprintf("added %d,", len(site.Notices()))) {
		t.Errorf("crawl summary does not report %d added notices:\n%s", len(site.Notices()), stderr)
	}
	// Crawling again adds nothing: same URLs, same content.
	_, stderr, err = runCmd(t, "crawl", "--data", data, "--delay", "0", "--concurrency", "4", srv.URL+"/")
	if err != nil || !strings.Contains(stderr, "added 0,") {
		t.Errorf("second crawl: %v\n%s", err, stderr)
	}
	exported, _, err := runCmd(t, "export", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]exportLine{}
	partnerCount := map[string]int{}
	for sc := bufio.NewScanner(strings.NewReader(exported)); sc.Scan(); {
		var l exportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		stored[l.Title] = l
		for _, p := range l.Partners {
			partnerCount[p]++
		}
	}
	for _, n := range site.Notices() {
		l, ok := stored[n.Title]
		if !ok {
			t.Errorf("notice %q was not imported", n.Title)
			continue
		}
		if l.Date != n.Date {
			t.Errorf("%q: date %s, want %s", n.Title, l.Date, n.Date)
		}
	}
	if len(stored) != len(site.Notices()) {
		t.Errorf("stored %d notices, the site has %d", len(stored), len(site.Notices()))
	}

	base := startServe(t, data)
	var all apiResult
	getJSON(t, base+"api/v1/search?q=&facet_size=100", &all)
	if all.Total != len(site.Notices()) {
		t.Errorf("API total %d, want %d", all.Total, len(site.Notices()))
	}
	if got := all.counts("partner"); !mapsEqual(got, partnerCount) {
		t.Errorf("partner facet %v, want the stored counts %v", got, partnerCount)
	}
	var klid apiResult
	getJSON(t, base+"api/v1/search?q=KLID&partner=UN%20DESA&facet_size=100", &klid)
	for _, h := range klid.Hits {
		if !slices.Contains(h.Partners, "UN DESA") {
			t.Errorf("hit %q lacks the selected partner", h.Title)
		}
	}
	// Disjunctive: the partner facet still counts KLID notices without the UN DESA filter.
	var onlyKLID apiResult
	getJSON(t, base+"api/v1/search?q=KLID", &onlyKLID)
	if klid.counts("partner")["KLID"] != onlyKLID.Total {
		t.Errorf("with partner=UN DESA selected, KLID counts %d; want its count without the filter, %d", klid.counts("partner")["KLID"], onlyKLID.Total)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestExtractFoundingNotice(t *testing.T) {
	out, _, err := runCmd(t, "extract", "../../internal/extract/testdata/unpog-board.html")
	if err != nil {
		t.Fatal(err)
	}
	var l extractLine
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if l.ID != "unpog-board" || l.Date != "2017-08-09" || l.DateSource == "" || l.Publisher != "UNPOG" || !slices.Contains(l.Partners, "KLID") || len(l.Topics) < 3 {
		t.Errorf("extract = %+v", l)
	}
	if strings.Contains(l.Body, "LIST") || strings.Contains(l.Body, "Prev") {
		t.Errorf("body keeps navigation: %q", l.Body)
	}
}

// extract --explain says why a page is or is not a notice, with the
// weight of each piece of evidence, and the kind its JSON line gives is
// that verdict's: a month archive with one entry is a list.
func TestExtractExplains(t *testing.T) {
	page := "../../internal/extract/testdata/verdict/ruby-month-archive-one-entry.html.gz"
	url := "https://www.ruby-lang.org/ko/news/2001/01/"
	out, _, err := runCmd(t, "extract", "--explain", "--url", url, page, "missing.html")
	if err == nil {
		t.Error("a file named that could not be read: no error")
	}
	for _, want := range []string{"ruby-month-archive-one-entry  " + url, "  list (score ", "     -6.0  entries of a list: ",
		"     -4.0  archive address: ", "  template: /ko/news/#/#, skeleton ", "missing  " + url + "\n  error: "} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = runCmd(t, "extract", "--url", url, page)
	var l extractLine
	if err := json.Unmarshal([]byte(out), &l); err != nil || l.Kind != "list" {
		t.Errorf("JSON line: kind %q, %v", l.Kind, err)
	}
}

// A file that cannot be read still gets its line, and the run goes on;
// it ends in failure, since a file named was not read.
func TestExtractReportsBadFilesAndContinues(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bin := write("report.html", append([]byte("%PDF-1.5\n"), bytes.Repeat([]byte{0, 0xff, 3}, 400)...))
	gz := write("broken.html.gz", []byte("not gzip"))
	good := write("ok.htm", []byte("<html><head><title>A notice</title></head><body><h1>A notice</h1><p>"+strings.Repeat("Some words of a notice. ", 20)+"</p></body></html>"))
	out, _, err := runCmd(t, "extract", bin, filepath.Join(dir, "missing.html"), gz, good)
	// Three of the files named could not be read: work not done, exit 1.
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "3 of 4 files") {
		t.Errorf("err = %v, want exit 1 saying 3 of 4 files could not be read", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), out)
	}
	for i, wantErr := range []bool{true, true, true, false} {
		var l extractLine
		json.Unmarshal([]byte(lines[i]), &l)
		if (l.Error != "") != wantErr {
			t.Errorf("line %d: error %q, want error: %v", i, l.Error, wantErr)
		}
	}
}

func TestImportFolderAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	seed, err := os.ReadFile("../../internal/extract/testdata/unpog-board.html")
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "klid.html"), seed, 0o644)
	os.WriteFile(filepath.Join(dir, "junk.html"), []byte{0, 1, 2, 3, 0xff, 0xfe, 0, 0, 9, 9, 0, 1, 2}, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a page"), 0o644)
	data := t.TempDir()
	_, stderr, err := runCmd(t, "import", "--data", data, "--base-url", "https://www.unpog.org/", dir)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "added 1,") || !strings.Contains(stderr, "failed 1") || !strings.Contains(stderr, "junk.html") {
		t.Errorf("summary:\n%s", stderr)
	}
	out, _, _ := runCmd(t, "export", "--data", data)
	var l exportLine
	json.Unmarshal([]byte(out), &l)
	if l.URL != "https://www.unpog.org/sub/klid.html" || l.Date != "2017-08-09" {
		t.Errorf("exported %+v", l)
	}
	out, _, err = runCmd(t, "search", "--data", data, "--partner", "KLID", "concept note")
	if err != nil || !strings.HasPrefix(out, "1 notice\n") {
		t.Errorf("search: %v\n%s", err, out)
	}
}

func TestBadInputIsOneClearError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"data folder is a file", []string{"import", "--data", file, "."}, "cannot be created", 1},
		{"no knowledge base", []string{"export", "--data", file}, "no knowledge base at", 1},
		{"port in use", []string{"serve", "--data", t.TempDir(), "--addr", busy.Addr().String()}, "already in use", 1},
		{"bad date", []string{"search", "--data", t.TempDir(), "--from", "2017-02-30", "x"}, "invalid date", 2},
		{"unknown command", []string{"frobnicate"}, "unknown command", 2},
		{"no files", []string{"extract"}, "name at least one file", 2},
		{"bad address", []string{"serve", "--addr", "nocolon"}, "HOST:PORT", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			if got := exitCode(err); got != tt.code {
				t.Errorf("exit code %d, want %d", got, tt.code)
			}
		})
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	out, _, err := runCmd(t, "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		if !strings.Contains(out, c.name) {
			t.Errorf("help lacks %s", c.name)
		}
	}
	out, _, _ = runCmd(t, "help", "crawl")
	if !strings.Contains(out, "-max-pages") {
		t.Errorf("help crawl:\n%s", out)
	}
}

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's Command-line help section from the real help")

// readmeHelp is the README's "Command-line help" section as the help
// really prints: the command list, then each command's help.
func readmeHelp(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("## Command-line help\n\n")
	b.WriteString("<!-- Generated from `noticekb help`: go test ./cmd/noticekb -run TestReadmeShowsRealHelp -update-readme -->\n")
	topics := [][]string{{"help"}}
	for _, c := range commands {
		if c.name != "version" {
			topics = append(topics, []string{"help", c.name})
		}
	}
	for _, args := range topics {
		out, _, err := runCmd(t, args...)
		if err != nil {
			t.Fatalf("noticekb %s: %v", strings.Join(args, " "), err)
		}
		b.WriteString("\n```\n" + out + "```\n")
		if len(args) < 2 || args[1] != "sites" {
			continue
		}
		// Each sites subcommand prints its flags on -h (to stderr).
		for _, c := range sitesCommands {
			_, usage, err := runCmd(t, "sites", c.name, "-h")
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("noticekb sites %s -h: %v", c.name, err)
			}
			b.WriteString("\n```\n" + usage + "```\n")
		}
	}
	return b.String()
}

// The README shows the help as it really prints: its "Command-line help"
// section is generated from it, and this test fails when they part.
func TestReadmeShowsRealHelp(t *testing.T) {
	const path = "../../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "## Command-line help\n")
	if start < 0 {
		t.Fatal("README has no Command-line help section")
	}
	end := start + 1 + strings.Index(readme[start+1:], "\n## ")
	if end <= start {
		t.Fatal("the Command-line help section is the README's last; another section must follow it")
	}
	want := readmeHelp(t)
	if readme[start:end] == want {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(readme[:start]+want+readme[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the README's Command-line help section is not what the help prints; regenerate it:\n\tgo test ./cmd/noticekb -run TestReadmeShowsRealHelp -update-readme")
}
