package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

// importExampleSite imports the shared test bed's 300-notice example site,
// laid out flat by flat_notices.py, through `noticekb import`.
func importExampleSite(t *testing.T) string {
	t.Helper()
	site := filepath.Join("..", "..", "..", "shared", "bench", "site")
	if _, err := os.Stat(filepath.Join(site, "example", "truth.jsonl")); err != nil {
		t.Skip("no shared example site")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	flat := filepath.Join(t.TempDir(), "flat")
	if out, err := exec.Command(python, filepath.Join(site, "flat_notices.py"), "--site", filepath.Join(site, "example"), "--out", flat).CombinedOutput(); err != nil {
		t.Fatalf("flat_notices.py: %v\n%s", err, out)
	}
	data := t.TempDir()
	if _, stderr, err := runCmd(t, "import", "--data", data, flat); err != nil || !strings.Contains(stderr, "added 300,") {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	return data
}

func TestSearchCommand(t *testing.T) {
	data := importExampleSite(t)
	out, _, err := runCmd(t, "search", "--data", data, "--json", "--facet-size", "all", "--months", "--size", "3", "smart", "city")
	if err != nil {
		t.Fatal(err)
	}
	var res notice.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total == 0 || len(res.Hits) != 3 || len(res.Facets[notice.FacetMonth]) == 0 || !strings.Contains(res.Hits[0].Snippet, "<mark>") {
		t.Fatalf("search smart city: total %d, %d hits, %d months, snippet %q", res.Total, len(res.Hits), len(res.Facets[notice.FacetMonth]), res.Hits[0].Snippet)
	}
	if res.FacetSizes[notice.FacetPartner] != len(res.Facets[notice.FacetPartner]) {
		t.Errorf("--facet-size all listed %d of %d partners", len(res.Facets[notice.FacetPartner]), res.FacetSizes[notice.FacetPartner])
	}
	// The next page continues after the last hit's sort key.
	args := []string{"search", "--data", data, "--json", "--size", "3"}
	for _, k := range res.Hits[2].SortKey {
		args = append(args, "--after", k)
	}
	out, _, err = runCmd(t, append(args, "smart", "city")...)
	var next notice.Result
	if err != nil || json.Unmarshal([]byte(out), &next) != nil || len(next.Hits) == 0 || next.Hits[0].ID == res.Hits[2].ID {
		t.Errorf("--after: %v\n%s", err, out)
	}

	out, _, err = runCmd(t, "search", "--data", data, "--related", res.Hits[0].ID, "--size", "2")
	if err != nil || strings.Count(out, "partners:") == 0 {
		t.Errorf("--related: %v\n%s", err, out)
	}
	// Within the typos allowed: results as typed, the spelling offered.
	out, _, err = runCmd(t, "search", "--data", data, "goverment", "platfrom")
	if err != nil || !strings.Contains(out, "did you mean: government platform") || strings.HasPrefix(out, "0 notices") {
		t.Errorf("typo: %v\n%s", err, out)
	}
	// Beyond them: the correction's results, said so; --verbatim keeps
	// what was typed.
	out, _, err = runCmd(t, "search", "--data", data, "govrnmnt", "platfrom")
	if err != nil || !strings.Contains(out, `no notices for "govrnmnt platfrom"; showing results for: government platform`) {
		t.Errorf("correction: %v\n%s", err, out)
	}
	out, _, err = runCmd(t, "search", "--data", data, "--verbatim", "govrnmnt", "platfrom")
	if err != nil || !strings.Contains(out, "did you mean: government platform") || strings.Contains(out, "showing results for") {
		t.Errorf("--verbatim: %v\n%s", err, out)
	}
	_, _, err = runCmd(t, "search", "--data", data, "--facet-size", "0", "x")
	var u usageError
	if !errors.As(err, &u) {
		t.Errorf("--facet-size 0: err = %v, want a usage error", err)
	}
}
