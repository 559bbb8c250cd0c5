package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A notice dated only by its page's "last updated" line keeps that date,
// flagged: the stored notice carries date_source "updated" and export shows
// it, so the weak dates can be counted and reviewed.
func TestWeakDateIsStoredAndExported(t *testing.T) {
	dir := t.TempDir()
	body := strings.Repeat("The officials discussed the programme of cooperation on digital government. ", 8)
	pages := map[string]string{
		"updated.html": `<html><head><title>Updated notice</title></head><body><article><h1>Workshop on digital government services</h1>` +
			`<p>Last updated: 10 May 2022</p><p>` + body + `</p></article></body></html>`,
		"dated.html": `<html><head><title>Dated notice</title></head><body><article><h1>Seminar on open data for local government</h1>` +
			`<p class="date">Posted: 4 March 2021</p><p>` + body + ` Open data.</p></article></body></html>`,
	}
	for name, html := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	_, stderr, err := runCmd(t, "import", "--data", data, "--base-url", "https://example.org/news/", dir)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "failed 0; 1 with only an update date\n") {
		t.Errorf("the import's summary does not count the weak date:\n%s", stderr)
	}
	out, _, err := runCmd(t, "export", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]exportLine{}
	for sc := bufio.NewScanner(strings.NewReader(out)); sc.Scan(); {
		var l exportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		got[l.Title] = l
	}
	want := map[string][2]string{
		"Workshop on digital government services":   {"2022-05-10", "updated"},
		"Seminar on open data for local government": {"2021-03-04", "page"},
	}
	for title, w := range want {
		if l := got[title]; l.Date != w[0] || l.DateSource != w[1] {
			t.Errorf("%q: date %q from %q, want %q from %q", title, l.Date, l.DateSource, w[0], w[1])
		}
	}
}
