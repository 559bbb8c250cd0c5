package ingest

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"noticekb/internal/extract"
	"noticekb/internal/notice"
)

// MaxFileBytes bounds what is read of one file, and of one gzip stream once
// inflated, so a zip bomb or a mistaken multi-gigabyte file costs little.
const MaxFileBytes = extract.MaxPageBytes

// IsHTMLFile reports whether a file name is one import reads.
func IsHTMLFile(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".html") || strings.HasSuffix(n, ".htm") || strings.HasSuffix(n, ".html.gz") || strings.HasSuffix(n, ".htm.gz")
}

// FileID is a file's name without its HTML extensions, the id extract uses.
func FileID(path string) string {
	base := filepath.Base(path)
	for _, ext := range []string{".gz", ".html", ".htm"} {
		if strings.HasSuffix(strings.ToLower(base), ext) {
			base = base[:len(base)-len(ext)]
		}
	}
	return base
}

// ReadFile reads a page file, inflating .gz files, up to MaxFileBytes.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > MaxFileBytes {
		b = b[:MaxFileBytes]
	}
	return b, nil
}

// ListFiles expands paths into the HTML files under them, recursively.
// Symbolic links are followed only when they stay inside the folder given,
// so an import cannot be led outside what the user chose.
func ListFiles(paths []string) ([]string, error) {
	var files []string
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if !info.IsDir() {
			files = append(files, root)
			continue
		}
		realRoot, err := filepath.EvalSymlinks(root)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !IsHTMLFile(d.Name()) {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				target, err := filepath.EvalSymlinks(path)
				if err != nil || !within(realRoot, target) {
					return nil
				}
			}
			files = append(files, path)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
	}
	return files, nil
}

func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// ImportOptions configure ImportFiles.
type ImportOptions struct {
	// BaseURL, when set, gives each file the URL BaseURL + its path relative
	// to the folder it was found in; otherwise files get file:// URLs.
	BaseURL string
	// Workers extract in parallel; 0 means one per CPU.
	Workers int
	// Progress, when set, is called after each file.
	Progress func(done, total int)
}

// ImportFiles reads HTML files and folders and ingests every notice in them.
func (g *Ingester) ImportFiles(ctx context.Context, paths []string, opts ImportOptions) (notice.RunSummary, error) {
	files, err := ListFiles(paths)
	if err != nil {
		return notice.RunSummary{}, err
	}
	var base *url.URL
	if opts.BaseURL != "" {
		if base, err = url.Parse(opts.BaseURL); err != nil || !base.IsAbs() {
			return notice.RunSummary{}, fmt.Errorf("import: --base-url %q is not an absolute URL", opts.BaseURL)
		}
	}
	session := g.Begin(ctx)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	var addErr error
	var errOnce sync.Once
	var done int
	var doneMu sync.Mutex
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for path := range jobs {
				page := Page{URL: fileURL(path, paths, base), Origin: OriginImport}
				page.FetchURL = page.URL
				body, err := ReadFile(path)
				var res *extract.Result
				if err == nil {
					page.Body = body
					res, err = session.Extract(page)
				}
				if err := session.Add(page, res, err); err != nil {
					errOnce.Do(func() { addErr = err })
				}
				if opts.Progress != nil {
					doneMu.Lock()
					done++
					opts.Progress(done, len(files))
					doneMu.Unlock()
				}
			}
		}()
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	summary, err := session.Close()
	return summary, errors.Join(addErr, err, ctx.Err())
}

// fileURL names a file: under the base URL by its path relative to the
// folder it was found in, or as a file:// URL.
func fileURL(path string, roots []string, base *url.URL) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if base == nil {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}
	rel := filepath.Base(path)
	for _, root := range roots {
		rootAbs, err := filepath.Abs(root)
		if err != nil {
			continue
		}
		if r, err := filepath.Rel(rootAbs, abs); err == nil && !strings.HasPrefix(r, "..") && r != "." {
			rel = r
			break
		}
	}
	ref, err := url.Parse(strings.TrimSuffix(filepath.ToSlash(rel), ".gz"))
	if err != nil {
		return base.String()
	}
	return base.ResolveReference(ref).String()
}
