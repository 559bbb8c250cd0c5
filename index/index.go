// Package index is noticekb's search index, built on Bleve: the mapping,
// writes from the store's change log, and faceted search with disjunctive
// facet counts, year and month histograms, highlighted snippets, spelling
// suggestions and related notices.
//
// Bleve analyses and stores the notices (every text folded: no case, no
// accents on Latin letters). A query's words are read as people type them
// (query.go), expanded to the index's own words within a typo or as a
// beginning (expand.go), and ranked by BM25 on the snapshot's postings,
// notices with every word first (score.go). Everything else a search
// shows (filters, facet counts, histograms, date order) is computed on a
// view of the index snapshot: a bitmap of the notices with each facet value
// and of each month, and each notice's day and length (view.go), so a
// facet count is one bitmap intersection and no per-hit field is decoded.
//
// The index is derived data. It lives in a folder under the data folder,
// named by a pointer file, so a rebuild writes a new folder next to the old
// one and switches over atomically; the old index serves until then.
package index

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/vellum/levenshtein"
)

// Index is an open search index. It is safe for concurrent use: searches
// run in parallel; writes and the switch to a rebuilt index are serialised.
type Index struct {
	dataDir string
	mu      sync.RWMutex // guards idx and dir against a switch mid-search
	idx     bleve.Index
	dir     string
	writeMu sync.Mutex // one writer at a time
	// generation changes on every write, so cached results can tell they are stale.
	generation atomic.Uint64
	labels     atomic.Pointer[Labels]
	cache      *resultCache
	views      views
	scratch    scratchPool
	// levenshtein builds the typo automata's builders once, when first needed.
	levenshtein func() ([2]*levenshtein.LevenshteinAutomatonBuilder, error)
}

// Options tune an index. The zero value is the default.
type Options struct {
	// CacheEntries is how many recent results are kept; 0 means the
	// default (512), a negative number turns the cache off.
	CacheEntries int
}

const defaultCacheEntries = 512

// Open opens the index of a data folder, creating an empty one if there is
// none. A leftover half-built index from an interrupted rebuild is removed.
func Open(dataDir string) (*Index, error) { return OpenWith(dataDir, Options{}) }

// OpenWith is Open with options.
func OpenWith(dataDir string, opts Options) (*Index, error) {
	entries := opts.CacheEntries
	if entries == 0 {
		entries = defaultCacheEntries
	}
	ix := &Index{dataDir: dataDir, cache: newResultCache(max(entries, 0)), levenshtein: sync.OnceValues(levenshteinBuilders)}
	ix.labels.Store(&Labels{})
	removeUnfinished(dataDir)
	dir, err := currentDir(dataDir)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		dir, err = ix.create()
		if err != nil {
			return nil, err
		}
	}
	idx, err := openBleve(filepath.Join(dataDir, dir))
	if err != nil {
		return nil, err
	}
	ix.idx, ix.dir = idx, dir
	return ix, nil
}

// Close closes the index.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.idx == nil {
		return nil
	}
	ix.views.reset() // lets go of the current view's snapshot first
	err := ix.idx.Close()
	ix.idx = nil
	return err
}

// AppliedSeq is the store sequence number of the last change the index
// holds; the store's changes after it are still to be applied.
func (ix *Index) AppliedSeq() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return appliedSeq(ix.idx)
}

func appliedSeq(idx bleve.Index) uint64 {
	v, err := idx.GetInternal(keyAppliedSeq)
	if err != nil || len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// Count is the number of notices in the index.
func (ix *Index) Count() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n, _ := ix.idx.DocCount()
	return n
}

// Generation changes whenever the indexed notices change.
func (ix *Index) Generation() uint64 { return ix.generation.Load() }

// SizeOnDisk is the index folder's size in bytes.
func (ix *Index) SizeOnDisk() int64 {
	ix.mu.RLock()
	dir := filepath.Join(ix.dataDir, ix.dir)
	ix.mu.RUnlock()
	var size int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	return size
}
