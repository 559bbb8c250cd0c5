package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// exportedURLs runs `noticekb export` and returns the notice URLs,
// failing on a duplicate.
func exportedURLs(t *testing.T, bin, data string) (map[string]bool, string) {
	t.Helper()
	out, err := exec.Command(bin, "export", "--data", data).Output()
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	urls := map[string]bool{}
	for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
		var l exportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if urls[l.URL] {
			t.Errorf("notice %s exported twice", l.URL)
		}
		urls[l.URL] = true
	}
	path := filepath.Join(t.TempDir(), "pred.jsonl")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return urls, path
}

// A crawl killed with SIGKILL half-way loses nothing it had committed and
// duplicates nothing; run again, it finishes the site (pages stored before
// the kill answer 304) and search works.
func TestCrawlKilledMidwayResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bed, site := generatedSite(t, 150, 5)
	srv, err := bed.Serve(site, "--no-faults", "--latency-ms", "10")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	bin := buildBinary(t)
	data := t.TempDir()

	crawl := exec.Command(bin, "crawl", "--data", data, "--delay", "0", "--concurrency", "2", srv.URL)
	killCrawlAfter(t, crawl, 320)
	before, _ := exportedURLs(t, bin, data)
	if len(before) == 0 || len(before) >= 150 {
		t.Logf("notices stored at the kill: %d of 150", len(before))
	}

	out, err := exec.Command(bin, "crawl", "--data", data, "--delay", "0", "--concurrency", "2", srv.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("crawl after the kill: %v\n%s", err, out)
	}
	summary := string(out[bytes.LastIndex(out, []byte("crawl:")):])
	if len(before) > 0 && !strings.Contains(summary, "unchanged") {
		t.Errorf("second crawl summary: %s", summary)
	}
	after, pred := exportedURLs(t, bin, data)
	for u := range before {
		if !after[u] {
			t.Errorf("notice %s stored before the kill is gone", u)
		}
	}
	score, report, err := bed.Score(t.Context(), site, pred)
	if err != nil {
		t.Fatal(err)
	}
	if score["import_recall"] < 1 || score["spurious"] != 0 {
		t.Errorf("after the kill and a second crawl: %s", report)
	}
	res, err := exec.Command(bin, "search", "--data", data, "--json", "--size", "1").Output()
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	var r apiResult
	if err := json.Unmarshal(res, &r); err != nil || r.Total != len(after) {
		t.Errorf("search total %d (err %v), want %d notices", r.Total, err, len(after))
	}
	t.Logf("killed after 320 page requests with %d notices stored; second run: %s", len(before), strings.TrimSpace(strings.SplitN(summary, "\n", 2)[0]))
}

// killCrawlAfter starts a crawl and kills it with SIGKILL (no chance to
// flush or close anything) once it has logged pages page requests; the
// test fails if the crawl ended before that.
func killCrawlAfter(t *testing.T, cmd *exec.Cmd, pages int) {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen, finished := 0, false
	for sc := bufio.NewScanner(stderr); sc.Scan(); {
		line := sc.Text()
		if strings.Contains(line, "msg=page") {
			seen++
		}
		finished = finished || strings.HasPrefix(line, "crawl:")
		if seen == pages {
			cmd.Process.Kill()
			break
		}
	}
	cmd.Wait()
	if finished || seen < pages {
		t.Fatalf("the crawl was not killed half-way (%d page requests, finished %v)", seen, finished)
	}
}
