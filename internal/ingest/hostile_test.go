package ingest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// A .html.gz file that inflates to 4 GiB (64 gzip members of 64 MiB of one
// letter, 4 MB on disk) is read up to the page limit and no further, and
// refused as a page too large.
func TestGzipBombFileIsBounded(t *testing.T) {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write([]byte("<!DOCTYPE html><html><head><title>A bomb</title></head><body><p>"))
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range 64 {
		zw.Write(chunk)
	}
	zw.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "bomb.html.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for range 64 {
		f.Write(member.Bytes())
	}
	f.Close()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	body, err := ReadFile(path)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "larger than") || body != nil {
		t.Errorf("read %d bytes of a bomb, err %v; want it refused as too large", len(body), err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
		t.Errorf("reading the bomb allocated %d MB", alloc>>20)
	}
	if took > 10*time.Second {
		t.Errorf("reading the bomb took %s", took)
	}

	// Imported, it costs one failed page, not the process; as the only
	// file, nothing was imported, which is an error.
	g, _, _ := newIngester(t)
	start = time.Now()
	sum, err := g.ImportFiles(t.Context(), []string{dir}, ImportOptions{BaseURL: "https://example.org/"})
	if err == nil {
		t.Error("importing nothing but a bomb succeeded")
	}
	if sum.Pages != 1 || sum.Failed != 1 || time.Since(start) > 30*time.Second {
		t.Errorf("import of the bomb: %+v in %s", sum, time.Since(start))
	}
}

// One rule for pages too large, crawled or imported: a file over the page
// limit is refused (not stored cut short) and listed among the failures
// with why; the other files of the folder are imported.
func TestImportRefusesPagesOverTheLimit(t *testing.T) {
	dir := t.TempDir()
	head := "<!DOCTYPE html><html><head><title>A huge notice</title></head><body><article><h1>A huge notice</h1><p>"
	big := append([]byte(head), bytes.Repeat([]byte("word "), MaxFileBytes/5+1)...)
	os.WriteFile(filepath.Join(dir, "big.html"), big, 0o644)
	small := head + strings.Repeat("The office and its partners met to discuss digital government. ", 10) + "</p></article></body></html>"
	os.WriteFile(filepath.Join(dir, "small.html"), []byte(small), 0o644)
	g, st, _ := newIngester(t)
	sum, err := g.ImportFiles(t.Context(), []string{dir}, ImportOptions{BaseURL: "https://example.org/"})
	if err != nil {
		t.Fatalf("import: %v (one file of two was good)", err)
	}
	if sum.Added != 1 || sum.Failed != 1 || len(sum.Failures) != 1 || !strings.Contains(sum.Failures[0].Reason, "larger than") {
		t.Fatalf("summary %+v, want the small page added and the big one failed as too large", sum)
	}
	if _, err := st.RawPage("https://example.org/big.html"); err == nil {
		t.Error("the page over the limit was stored")
	}
}

// Import reads what it was given: a symbolic link inside a folder that
// leads out of it (to a secret file, to a folder above) is not followed;
// one that stays inside is.
func TestImportDoesNotFollowLinksOut(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.html")
	os.WriteFile(secret, []byte("<html><title>Secret</title><body><p>"+strings.Repeat("private words ", 100)+"</p></body></html>"), 0o644)
	os.MkdirAll(filepath.Join(outside, "tree"), 0o755)
	os.WriteFile(filepath.Join(outside, "tree", "other.html"), []byte("<html><title>Other</title></html>"), 0o644)

	root := t.TempDir()
	inside := filepath.Join(root, "notice.html")
	os.WriteFile(inside, []byte("<html><title>Inside</title></html>"), 0o644)
	links := map[string]string{
		"leak.html":    secret,
		"up.html":      filepath.Join("..", filepath.Base(outside), "secret.html"),
		"dir-out":      filepath.Join(outside, "tree"),
		"same.html":    inside,
		"loop-to-root": root,
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	files, err := ListFiles([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"notice.html", "same.html"}) {
		t.Errorf("import would read %v; want only the files inside the folder", names)
	}
}
