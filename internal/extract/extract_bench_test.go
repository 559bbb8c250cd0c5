package extract

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkExtract extracts one typical page of each kind: a board page
// read by a layout rule, a WordPress post, and a page only the generic
// extractor reads. Run with -cpu 1 for the one-core figure.
func BenchmarkExtract(b *testing.B) {
	x := newTestExtractor()
	for _, name := range []string{"unpog-board.html", "demo-article.html", "generic-article.html"} {
		body, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := x.Extract(Page{URL: fixtureURLs[name], Body: body}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// devSetDir is the shared extraction test bed, relative to this package.
const devSetDir = "../../../shared/bench/extraction"

// BenchmarkExtractDevSet extracts every page of the shared extraction dev
// sets (real pages from many sites) once per iteration; pages/s is
// reported. It is skipped where the test bed is absent.
func BenchmarkExtractDevSet(b *testing.B) {
	var pages [][]byte
	for _, set := range []string{"articles", "dates"} {
		files, _ := filepath.Glob(filepath.Join(devSetDir, set, "html", "*.html.gz"))
		for _, f := range files {
			pages = append(pages, mustGunzip(b, f))
		}
	}
	if len(pages) == 0 {
		b.Skip("no extraction test bed at " + devSetDir)
	}
	x := newTestExtractor()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			x.Extract(Page{Body: p})
		}
	}
	b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "pages/s")
}

func mustGunzip(tb testing.TB, path string) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
