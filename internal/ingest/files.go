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
	"slices"
	"strings"
	"sync"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/notice"
)

// MaxFileBytes is the largest page a file may hold, once inflated: as
// much as a crawl reads of one page (crawl.DefaultMaxBodySize) and the
// extractor parses. A larger file is refused, as a crawl refuses a larger
// page, so a zip bomb or a mistaken multi-gigabyte file costs little and
// is never stored cut short.
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

// ReadFile reads a page file, inflating .gz files. A page larger than
// MaxFileBytes is an error.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	gz := strings.HasSuffix(strings.ToLower(path), ".gz")
	if info, err := f.Stat(); err == nil && !gz && info.Size() > MaxFileBytes {
		return nil, fmt.Errorf("page of %d bytes is larger than %d", info.Size(), MaxFileBytes)
	}
	if gz {
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
		return nil, fmt.Errorf("page is larger than %d bytes", MaxFileBytes)
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

// importFlushAt is how many pages an import writes per store transaction.
// Files arrive much faster than crawled pages, so an import writes (and
// indexes) in larger batches than a crawl's session does by default.
const importFlushAt = 1000

// extracted is one file read and extracted by an import worker.
type extracted struct {
	path string
	page Page
	res  *extract.Result
	err  error
}

// ImportFiles reads HTML files and folders and ingests every notice in them.
//
// A file that cannot be read (not HTML, larger than MaxFileBytes, a broken
// gzip stream) is counted as failed, with why, and the import goes on. The
// import fails when it was given nothing to read (no HTML file under the
// paths), when a file named itself (not found in a folder) could not be
// read, or when no file at all could be.
//
// It is a pipeline: workers read and extract files on every core and hand
// their results through a queue to one goroutine that adds them to the
// session, which stores and indexes a batch at a time. The queue lets the
// workers go on extracting while a batch is being written, instead of all
// waiting for the write.
func (g *Ingester) ImportFiles(ctx context.Context, paths []string, opts ImportOptions) (notice.RunSummary, error) {
	files, err := ListFiles(paths)
	if err != nil {
		return notice.RunSummary{}, err
	}
	if len(files) == 0 {
		return notice.RunSummary{}, fmt.Errorf("import: no .html, .htm or .html.gz file in %s", strings.Join(paths, ", "))
	}
	var base *url.URL
	if opts.BaseURL != "" {
		if base, err = url.Parse(opts.BaseURL); err != nil || !base.IsAbs() {
			return notice.RunSummary{}, fmt.Errorf("import: --base-url %q is not an absolute URL", opts.BaseURL)
		}
	}
	session := g.Begin(ctx)
	session.flushAt = importFlushAt
	results := extractFiles(ctx, session, files, paths, base, opts.Workers)
	var addErr, namedErr error
	done := 0
	for r := range results {
		if err := session.Add(r.page, r.res, r.err); err != nil && addErr == nil {
			addErr = err
		}
		if r.err != nil && slices.Contains(paths, r.path) {
			namedErr = errors.Join(namedErr, fmt.Errorf("import: %s not read: %v", r.path, r.err))
		}
		done++
		if opts.Progress != nil {
			opts.Progress(done, len(files))
		}
	}
	summary, err := session.Close()
	err = errors.Join(addErr, err, ctx.Err(), namedErr)
	if err == nil && summary.Failed == summary.Pages {
		err = fmt.Errorf("import: no file could be read (%d failed)", summary.Failed)
	}
	return summary, err
}

// extractFiles reads and extracts files on parallel workers. The returned
// channel is closed when every file is done or ctx is cancelled.
func extractFiles(ctx context.Context, session *Session, files, roots []string, base *url.URL, workers int) <-chan extracted {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan string)
	results := make(chan extracted, importFlushAt)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for path := range jobs {
				results <- extractFile(session, path, roots, base)
			}
		}()
	}
	go func() {
		defer close(results)
		defer wg.Wait()
		defer close(jobs)
		for _, f := range files {
			select {
			case jobs <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	return results
}

func extractFile(session *Session, path string, roots []string, base *url.URL) extracted {
	page := Page{URL: fileURL(path, roots, base), Origin: OriginImport}
	page.FetchURL = page.URL
	body, err := ReadFile(path)
	if err != nil {
		return extracted{path: path, page: page, err: err}
	}
	page.Body = body
	res, err := session.Extract(page)
	return extracted{path: path, page: page, res: res, err: err}
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
