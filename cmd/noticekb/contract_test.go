package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/notice"
)

// demoSite serves the bundled demo site on loopback; pages named in
// refuse answer 403.
func demoSite(t *testing.T, refuse ...string) string {
	t.Helper()
	site, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range refuse {
			if r.URL.Path == p {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
		}
		site.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// crawledDemo is a data folder holding the demo site, crawled.
func crawledDemo(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	if _, stderr, err := runCmd(t, "crawl", "--data", data, "--delay", "0", "--concurrency", "4", demoSite(t)+"/"); err != nil {
		t.Fatalf("crawl: %v\n%s", err, stderr)
	}
	return data
}

// wantExit checks a run's exit status and that its error says why.
func wantExit(t *testing.T, what string, err error, code int, says string) {
	t.Helper()
	got := 0
	if err != nil {
		got = exitCode(err)
	}
	if got != code {
		t.Errorf("%s: exit %d (%v), want %d", what, got, err, code)
		return
	}
	if says != "" && (err == nil || !strings.Contains(err.Error(), says)) {
		t.Errorf("%s: error %v, want one saying %q", what, err, says)
	}
	if err != nil && strings.Count(strings.TrimSpace(err.Error()), "\n") > 0 {
		t.Errorf("%s: the reason takes more than one line: %q", what, err)
	}
}

// Item 3: no command is a mistake; --version is version; stray arguments
// are refused before anything is opened or created.
func TestCommandLineBasics(t *testing.T) {
	out, stderr, err := runCmd(t)
	wantExit(t, "no arguments", err, 2, "")
	if out != "" || !strings.Contains(stderr, "Usage:") {
		t.Errorf("no arguments: stdout %q, stderr %q; want the usage on stderr", out, stderr)
	}
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, _, err := runCmd(t, args...)
		if err != nil || out != "noticekb dev\n" {
			t.Errorf("%v: %q, %v", args, out, err)
		}
	}
	if out, _, err := runCmd(t, "help"); err != nil || !strings.Contains(out, "Usage:") {
		t.Errorf("help: %v\n%s", err, out)
	}
	data := filepath.Join(t.TempDir(), "kb")
	for _, args := range [][]string{
		{"reindex", "--data", data, "extra"},
		{"version", "extra"},
		{"export", "extra", "--data", data},
		{"serve", "--data", data, "now"},
		{"backup", "--data", data, "a", "b"},
		{"search", "--data", data, "--related", "abc", "words"},
		{"help", "search", "extra"},
		{"crawl", "--data", data},
		{"crawl", "--data", data, "--concurrency", "0", "http://example.org/"},
		{"import", "--data", data, "--base-url", "not a url", "."},
	} {
		_, _, err := runCmd(t, args...)
		wantExit(t, strings.Join(args, " "), err, 2, "")
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command line created the data folder: %v", err)
	}
}

// Items 3, 6, 10, 11: the search command and the summaries.
func TestSearchCommandLine(t *testing.T) {
	data := crawledDemo(t)
	// Flags after the words work as flags before them.
	first, _, err := runCmd(t, "search", "--data", data, "--size", "2", "Korea Local Information")
	if err != nil {
		t.Fatal(err)
	}
	after, _, err := runCmd(t, "search", "Korea Local Information", "--size", "2", "--data", data)
	if err != nil || after != first || strings.HasPrefix(first, "0 notices") {
		t.Errorf("flags after the words:\n%s\nwant, as with flags first:\n%s", after, first)
	}
	// "--" ends the flags: what follows is searched for.
	if out, _, err := runCmd(t, "search", "--data", data, "--", "--size"); err != nil || !strings.Contains(out, "notice") {
		t.Errorf("search -- --size: %v\n%s", err, out)
	}
	// Each hit shows its id, and --related takes it.
	m := regexp.MustCompile(`(?m)^\s+id ([0-9a-f]{16})\b`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("no notice id in the output:\n%s", first)
	}
	if out, _, err := runCmd(t, "search", "--data", data, "--related", m[1]); err != nil || !strings.Contains(out, " id ") {
		t.Errorf("--related %s: %v\n%s", m[1], err, out)
	}
	// Totals and facets describe the same hits.
	out, _, err := runCmd(t, "search", "--data", data, "--from", "2030", "smart")
	if err != nil || !strings.HasPrefix(out, "0 notices\n") || strings.Contains(out, "year:") || strings.Contains(out, "partner:") {
		t.Errorf("search --from 2030 smart: %v\n%s", err, out)
	}
	out, _, _ = runCmd(t, "search", "--data", data, "--from", "2020", "--to", "2020")
	total := regexp.MustCompile(`^(\d+) notices?\n`).FindStringSubmatch(out)
	years := regexp.MustCompile(`(?m)^year: (.*)$`).FindStringSubmatch(out)
	if total == nil || years == nil || years[1] != "2020 ("+total[1]+")" {
		t.Errorf("search --from 2020 --to 2020: the year facet is not the total's:\n%s", out)
	}
	// One notice is "1 notice", in every summary.
	title := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d  (.+)$`).FindStringSubmatch(first)
	out, _, _ = runCmd(t, "search", "--data", data, "--size", "1", `"`+title[1]+`"`)
	if !strings.HasPrefix(out, "1 notice\n") {
		t.Errorf("one hit: %q", out)
	}
	one := t.TempDir()
	os.WriteFile(filepath.Join(one, "n.html"), []byte(`<html><head><title>A notice</title></head><body><article><h1>A notice</h1><p>Posted 2021-03-04</p><p>`+
		strings.Repeat("The partners met to discuss digital government. ", 12)+`</p></article></body></html>`), 0o644)
	oneData := t.TempDir()
	_, stderr, err := runCmd(t, "import", "--data", oneData, one)
	if err != nil || !strings.Contains(stderr, "import: 1 page in") {
		t.Errorf("import of one file: %v\n%s", err, stderr)
	}
	_, stderr, err = runCmd(t, "reindex", "--data", oneData)
	if err != nil || !strings.Contains(stderr, "reindex: 1 notice indexed") {
		t.Errorf("reindex: %v\n%s", err, stderr)
	}
}

// Item 4: the help names every environment variable noticekb reads.
func TestHelpNamesTheEnvironment(t *testing.T) {
	out, _, _ := runCmd(t, "help")
	for _, v := range config.Variables() {
		if !strings.Contains(out, v.Name) {
			t.Errorf("help lacks %s", v.Name)
		}
	}
}

// Item 5: work not done exits 1 with one line saying why; pages met on
// the way that fail are listed in the summary, and the run succeeds.
func TestWorkNotDoneExitsOne(t *testing.T) {
	data := t.TempDir()
	_, _, err := runCmd(t, "crawl", "--data", data, "--delay", "0", "http://127.0.0.1:1/")
	wantExit(t, "crawl of a site that does not answer", err, 1, "site not crawled")

	site := demoSite(t, "/news/2015/04/crvs-workshop-bangkok-2015/")
	_, _, err = runCmd(t, "crawl", "--data", data, "--delay", "0", site+"/no-such-page")
	wantExit(t, "crawl from a start URL that answers 404", err, 1, "HTTP 404")

	_, stderr, err := runCmd(t, "crawl", "--data", data, "--delay", "0", "--concurrency", "4", site+"/")
	wantExit(t, "crawl with one notice refused", err, 0, "")
	if !strings.Contains(stderr, "failed 1\n") || !strings.Contains(stderr, "crvs-workshop-bangkok-2015/: HTTP 403") {
		t.Errorf("the refused page is not in the summary:\n%s", stderr)
	}

	_, _, err = runCmd(t, "extract", filepath.Join(t.TempDir(), "missing.html"))
	wantExit(t, "extract of a missing file", err, 1, "missing.html")

	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("not a page"), 0o644)
	_, _, err = runCmd(t, "import", "--data", t.TempDir(), empty)
	wantExit(t, "import of a folder without pages", err, 1, "no .html")
	bin := filepath.Join(empty, "report.html")
	os.WriteFile(bin, []byte{0, 1, 2, 3, 0xff, 0xfe, 0, 0, 9}, 0o644)
	_, _, err = runCmd(t, "import", "--data", t.TempDir(), bin)
	wantExit(t, "import of one file that is not a page", err, 1, "report.html not read")
	_, _, err = runCmd(t, "import", "--data", t.TempDir(), filepath.Join(empty, "typo"))
	wantExit(t, "import of a path that does not exist", err, 1, "no such file")
}

// Item 7: only crawl, import, serve (and restore's target) create a data
// folder; the others say there is no knowledge base there.
func TestTypoInDataCreatesNothing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	for _, args := range [][]string{
		{"export"}, {"search", "smart"}, {"reindex"}, {"reextract"}, {"backup", filepath.Join(t.TempDir(), "b.db")},
	} {
		args = append(args, "--data", missing)
		_, _, err := runCmd(t, args...)
		wantExit(t, strings.Join(args, " "), err, 1, "no knowledge base at "+missing)
		if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v created the data folder", args)
		}
	}
}

// Items 8 and 12: a command on a folder serve holds says at once that
// it is busy and what to use instead; and the demo goes only into a
// folder never used, not into one an import created and left empty.
func TestServedAndUsedFolders(t *testing.T) {
	used := t.TempDir()
	empty := t.TempDir()
	_, _, err := runCmd(t, "import", "--data", used, empty) // fails before storing anything
	wantExit(t, "import of an empty folder", err, 1, "no .html")
	base := startServe(t, used)
	var r apiResult
	getJSON(t, base+"api/v1/search?q=", &r)
	if r.Total != 0 {
		t.Errorf("serve put %d demo notices into a folder an import had used", r.Total)
	}
	// This message comes from asking serve over its control socket, which
	// takes no time; the store's lock would have made it wait.
	_, _, err = runCmd(t, "search", "--data", used, "smart")
	wantExit(t, "search while serve runs", err, 1, "in use by noticekb serve at "+base)
	if err == nil || !errors.Is(err, notice.ErrBusy) || !strings.Contains(err.Error(), "api/v1/search") || !strings.Contains(err.Error(), "noticekb backup") {
		t.Errorf("busy: %v; want what works instead (the API, backup)", err)
	}
}

// Item 9: import without --base-url publishes no file path; importing
// the same files again with --base-url moves their notices to their
// public URLs instead of counting them as duplicates.
func TestImportBaseURLLater(t *testing.T) {
	dir := t.TempDir()
	seed, err := os.ReadFile("../../internal/extract/testdata/unpog-board.html")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "klid.html"), seed, 0o644)
	data := t.TempDir()
	if _, stderr, err := runCmd(t, "import", "--data", data, dir); err != nil || !strings.Contains(stderr, "added 1,") {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	_, stderr, err := runCmd(t, "import", "--data", data, "--base-url", "https://www.unpog.org/", dir)
	if err != nil || !strings.Contains(stderr, "added 0, updated 1,") || !strings.Contains(stderr, "duplicates 0,") {
		t.Errorf("import --base-url over the same files: %v\n%s", err, stderr)
	}
	out, _, _ := runCmd(t, "search", "--data", data, "--json", "concept note")
	var res notice.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Total != 1 || res.Hits[0].URL != "https://www.unpog.org/klid.html" {
		t.Errorf("after --base-url: %v %+v, want the one notice at its public URL", err, res)
	}
	// Again: nothing changes.
	if _, stderr, err := runCmd(t, "import", "--data", data, "--base-url", "https://www.unpog.org/", dir); err != nil || !strings.Contains(stderr, "unchanged 1,") {
		t.Errorf("the same import again: %v\n%s", err, stderr)
	}
}
