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
// letter, 4 MB on disk) is read up to the page limit and no further.
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
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > MaxFileBytes {
		t.Errorf("read %d bytes of a bomb, the limit is %d", len(body), MaxFileBytes)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
		t.Errorf("reading the bomb allocated %d MB", alloc>>20)
	}
	if took > 10*time.Second {
		t.Errorf("reading the bomb took %s", took)
	}

	// Imported, it costs one failed or odd page, not the process.
	g, _, _ := newIngester(t)
	start = time.Now()
	sum, err := g.ImportFiles(t.Context(), []string{dir}, ImportOptions{BaseURL: "https://example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Pages != 1 || time.Since(start) > 30*time.Second {
		t.Errorf("import of the bomb: %+v in %s", sum, time.Since(start))
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
