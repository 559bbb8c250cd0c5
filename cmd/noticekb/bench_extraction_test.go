package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The extraction benchmark runs each set's scorer on the predictions of
// each system and tabulates the last lines. Here the test bed is a tiny
// fake with a scorer that reports how many predictions it read.
func TestBenchExtractionRunsScorers(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("the scorers need python3")
	}
	beds := t.TempDir()
	dir := filepath.Join(beds, "extraction", "articles")
	os.MkdirAll(filepath.Join(dir, "html"), 0o755)
	page, _ := os.ReadFile("../../internal/extract/testdata/generic-article.html")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(page)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "html", "p1.html.gz"), gz.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "ground-truth.json"), []byte(`{"p1":{"articleBody":"x"}}`), 0o644)
	os.WriteFile(filepath.Join(beds, "extraction", "score_articles.py"), []byte(`import json,sys
pred=sys.argv[sys.argv.index("--pred")+1]
lines=[json.loads(l) for l in open(pred)]
ok=sum(1 for l in lines if "digital ID" in l["body"])
print("body_f1=%.3f precision=1 recall=1 n=%d missing=0" % (ok/len(lines), len(lines)))
`), 0o644)
	out, stderr, err := runCmd(t, "bench", "extraction", "--beds", beds, "--sets", "articles", "--out", t.TempDir())
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"noticekb       articles     1 pages", "go-trafilatura articles     1 pages", "body_f1=1.000", "| articles body F1   | ≥0.97  | 1.000"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := runCmd(t, "bench"); err == nil {
		t.Errorf("bench without a name: no error")
	}
}
