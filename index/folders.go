package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/noticekb/noticekb/internal/notice"
)

// An index lives in a folder of the data folder named by a pointer file;
// a rebuild writes a new folder and switches the pointer atomically.

const (
	pointerFile = "index.current"
	dirPrefix   = "index-"
)

var keyMapping = []byte("noticekb_mapping")

// create makes a new empty index folder and points to it.
func (ix *Index) create() (string, error) {
	dir := newDirName()
	idx, err := newBleve(filepath.Join(ix.dataDir, dir))
	if err != nil {
		return "", err
	}
	if err := idx.Close(); err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	return dir, writePointer(ix.dataDir, dir)
}

func newDirName() string {
	return dirPrefix + time.Now().UTC().Format("20060102T150405.000000000")
}

func newBleve(path string) (bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("index: mapping: %w", err)
	}
	idx, err := bleve.New(path, m)
	if err != nil {
		return nil, fmt.Errorf("index: create %s: %w", path, err)
	}
	if err := idx.SetInternal(keyMapping, []byte(mappingVersion)); err != nil {
		idx.Close()
		return nil, fmt.Errorf("index: create %s: %w", path, err)
	}
	return idx, nil
}

func openBleve(path string) (bleve.Index, error) {
	idx, err := bleve.OpenUsing(path, map[string]any{"bolt_timeout": "2s"})
	if err != nil {
		// Scorch hands bbolt's lock timeout back as it is.
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("index: %s is in use by another noticekb process: %w", path, notice.ErrBusy)
		}
		return nil, fmt.Errorf("index: open %s: %w", path, err)
	}
	if v, err := idx.GetInternal(keyMapping); err != nil || string(v) != mappingVersion {
		idx.Close()
		return nil, fmt.Errorf("index: %s was built by another version of noticekb (fields %q, want %q): %w", path, v, mappingVersion, ErrStale)
	}
	return idx, nil
}

// ErrStale is returned by Open when the index was built with other fields
// than this version of noticekb uses; rebuild it from the store.
var ErrStale = errors.New("index must be rebuilt")

func currentDir(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, pointerFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	dir := strings.TrimSpace(string(b))
	if !strings.HasPrefix(dir, dirPrefix) || strings.ContainsAny(dir, `/\`) {
		return "", fmt.Errorf("index: %s names %q, not an index folder", pointerFile, dir)
	}
	if _, err := os.Stat(filepath.Join(dataDir, dir)); err != nil {
		return "", nil // the pointer outlived its folder: start afresh, the store refills it
	}
	return dir, nil
}

// writePointer switches the pointer file atomically: write, sync, rename.
func writePointer(dataDir, dir string) error {
	tmp := filepath.Join(dataDir, pointerFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if _, err := f.WriteString(dir + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("index: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("index: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dataDir, pointerFile)); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

// removeUnfinished deletes index folders that the pointer does not name:
// the remains of a rebuild that crashed, or of one that was replaced.
func removeUnfinished(dataDir string) {
	current, _ := currentDir(dataDir)
	entries, _ := os.ReadDir(dataDir)
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), dirPrefix) && e.Name() != current {
			os.RemoveAll(filepath.Join(dataDir, e.Name()))
		}
	}
}

// Discard removes a data folder's index (pointer and folders), so the next
// Open starts empty. The store is untouched.
func Discard(dataDir string) error {
	os.Remove(filepath.Join(dataDir, pointerFile))
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), dirPrefix) {
			if err := os.RemoveAll(filepath.Join(dataDir, e.Name())); err != nil {
				return fmt.Errorf("index: %w", err)
			}
		}
	}
	return nil
}
