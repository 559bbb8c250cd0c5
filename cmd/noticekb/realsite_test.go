package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// realSites is the shared bed of real websites labelled page by page.
const realSites = "../../../shared/bench/realsites"

// A real site, crawled from its news page through the real crawler as
// `run_site.sh` does, stores its notices and only them: precision and
// recall over its labelled pages stay above the floors. numerique-canada-fr
// (a French government blog, Hugo, 291 pages) has posts with microdata,
// list pages with a pager, and service, career, guide and legal pages, some
// with a date, none listed as an entry.
func TestRealSiteCrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls a real site's mirror")
	}
	site := filepath.Join(realSites, "numerique-canada-fr")
	if _, err := os.Stat(filepath.Join(site, "truth.jsonl")); err != nil {
		t.Skipf("no real-site bed at %s", site)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("serving the mirror needs python3")
	}
	base := serveMirror(t, filepath.Join(site, "pages"))
	data := t.TempDir()
	if _, stderr, err := runCmd(t, "crawl", "--data", data, "--delay", "0", "--concurrency", "4", base+"/blogue/"); err != nil {
		t.Fatalf("crawl: %v\n%s", err, stderr)
	}
	out, _, err := runCmd(t, "export", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	truth := readTruth(t, filepath.Join(site, "truth.jsonl"))
	predicted := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var n struct{ URL string }
		if err := json.Unmarshal([]byte(line), &n); err != nil {
			t.Fatalf("export line %q: %v", line, err)
		}
		predicted[truthPath(n.URL, base)] = true
	}
	right, notices := 0, 0
	var wrong, missed []string
	for p := range predicted {
		if truth[p] {
			right++
		} else {
			wrong = append(wrong, p)
		}
	}
	for p, isNotice := range truth {
		if isNotice {
			notices++
			if !predicted[p] {
				missed = append(missed, p)
			}
		}
	}
	precision, recall := float64(right)/float64(max(1, len(predicted))), float64(right)/float64(notices)
	t.Logf("precision %.3f recall %.3f (%d stored, %d notices)", precision, recall, len(predicted), notices)
	if precision < 0.97 || recall < 0.97 {
		t.Errorf("precision %.3f, recall %.3f; want both ≥ 0.97\nnot notices: %v\nmissed: %v", precision, recall, wrong, missed)
	}
}

// serveMirror serves a mirror's pages with serve_mirror.py on a free
// loopback port until the test ends, and returns its base URL.
func serveMirror(t *testing.T, pages string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "python3", filepath.Join(realSites, "serve_mirror.py"), "--dir", pages, "--port", "0", "--quiet")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if u, ok := strings.CutPrefix(lines.Text(), "serving "); ok {
				found <- strings.TrimSuffix(u, "/")
				return
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatal("serve_mirror.py ended without serving")
		}
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("serve_mirror.py did not start")
	}
	return ""
}

// readTruth reads a site's labels: every page's path, and whether it is a
// notice.
func readTruth(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	truth := map[string]bool{}
	lines := bufio.NewScanner(f)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		var l struct {
			Path   string `json:"path"`
			Notice bool   `json:"notice"`
		}
		if err := json.Unmarshal(lines.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		truth[truthPath(l.Path, "")] = l.Notice
	}
	return truth
}

// truthPath matches a URL to the labels as the bed's scorer does: the base
// and query left out, percent-decoded, NFC, without index.html or the
// trailing slash.
func truthPath(raw, base string) string {
	p := strings.TrimPrefix(raw, base)
	if u, err := url.Parse(p); err == nil {
		p = u.Path
	}
	p = norm.NFC.String(p)
	p = strings.TrimSuffix(p, "index.html")
	return strings.TrimSuffix(p, "/")
}
