package extract

import (
	"compress/gzip"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
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
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := x.Extract(Page{URL: fixtureURLs[name], Body: body}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExtractUndatedNoise extracts an undated page whose metadata
// holds 200 date-like strings that are no dates: every one reaches the
// date search's parser, which tried all its languages on each (a minute
// for this page) until the search was given the page's language and
// English only.
func BenchmarkExtractUndatedNoise(b *testing.B) {
	var page strings.Builder
	page.WriteString("<html><head>")
	for i := range 200 {
		fmt.Fprintf(&page, `<meta name="date" content="0000-00-%02dT00:00:%02d+00:00">`, i%100, i%60)
	}
	page.WriteString("</head><body><h1>Notice</h1><p>Text of the notice, long enough to count as a body of a notice page.</p></body></html>")
	body := []byte(page.String())
	x := newTestExtractor()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := x.Extract(Page{Body: body}); err != nil {
			b.Fatal(err)
		}
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

// BenchmarkExtractSite extracts the notice pages of a site generated with
// ../shared/bench/site/gen_site.py, named by NOTICEKB_BENCH_SITE (the
// folder holding truth.jsonl and www/): typical notice pages of five
// layouts, one very large. Run with -cpu 1 for pages/s on one core.
func BenchmarkExtractSite(b *testing.B) {
	site := os.Getenv("NOTICEKB_BENCH_SITE")
	if site == "" {
		b.Skip("set NOTICEKB_BENCH_SITE to a generated site")
	}
	var pages []Page
	err := filepath.WalkDir(filepath.Join(site, "www"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !noticePage.MatchString(filepath.ToSlash(path)) {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		pages = append(pages, Page{URL: "http://127.0.0.1:8000/" + filepath.ToSlash(strings.TrimPrefix(path, filepath.Join(site, "www")+string(filepath.Separator))), Body: body})
		return nil
	})
	if err != nil || len(pages) == 0 {
		b.Fatalf("no notice pages under %s: %v", site, err)
	}
	// Mix the layouts, which the walk meets folder by folder.
	sort.Slice(pages, func(i, j int) bool { return hashOf(pages[i].URL) < hashOf(pages[j].URL) })
	x := newTestExtractor()
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		x.Extract(pages[n%len(pages)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pages/s")
}

// noticePage matches the notice pages of the generated site's five layouts.
var noticePage = regexp.MustCompile(`sub4_1_view\.asp\?|/news/\d{4}/\d\d/\d\d/[^/]+/index\.html$|/press/\d{4}/\d+-[^/]+\.html$|/archive/notice/\d{4}/\d+\.htm$|board\.php\?bo_table=notice&wr_id=\d+$`)

func hashOf(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
