// Package index is noticekb's search index, built on Bleve: the mapping,
// writes from the store's change log, and faceted search with disjunctive
// facet counts, year and month histograms, highlighted snippets, spelling
// suggestions and related notices.
//
// Bleve matches and scores the words of a query. Everything else a search
// shows (filters, facet counts, histograms, date order) is computed on a
// view of the index snapshot: a bitmap of the notices with each facet value
// and of each month, and each notice's day (view.go), so a facet count is
// one bitmap intersection and no per-hit field is decoded.
//
// The index is derived data. It lives in a folder under the data folder,
// named by a pointer file, so a rebuild writes a new folder next to the old
// one and switches over atomically; the old index serves until then.
package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearcher "github.com/blevesearch/bleve/v2/search/searcher"

	"github.com/noticekb/noticekb/internal/notice"
)

const (
	pointerFile = "index.current"
	dirPrefix   = "index-"
	batchSize   = 500
)

var (
	keyAppliedSeq = []byte("noticekb_applied_seq")
	keyMapping    = []byte("noticekb_mapping")
)

// maxClauseCount bounds how many terms one query may expand to (a prefix
// of a Korean syllable, say). Bleve keeps this limit in a package
// variable, unlimited by default; noticekb sets it once, at start.
const maxClauseCount = 1024

func init() { bsearcher.DisjunctionMaxClauseCount = maxClauseCount }

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
}

// Labels gives facet values their display labels and the other names a
// query may use for them (a partner's full name and aliases).
type Labels struct {
	// Partner maps a partner name (an acronym) to its full name.
	Partner map[string]string
	// PartnerAliases maps each folded way of writing a partner to its name.
	PartnerAliases map[string]string
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
	ix := &Index{dataDir: dataDir, cache: newResultCache(max(entries, 0))}
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
		if strings.Contains(err.Error(), "timeout") {
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

// Close closes the index.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.idx == nil {
		return nil
	}
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

// SetLabels replaces the display labels and partner aliases.
func (ix *Index) SetLabels(l Labels) {
	ix.labels.Store(&l)
	ix.generation.Add(1)
}

// Apply writes changed notices in one batch: live notices are indexed,
// withdrawn ones removed. seq is the store sequence number the batch brings
// the index up to; it is written in the same batch, so after a crash the
// index knows exactly which changes it holds.
func (ix *Index) Apply(changed []notice.Notice, seq uint64) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return apply(ix.idx, changed, seq, &ix.generation)
}

func apply(idx bleve.Index, changed []notice.Notice, seq uint64, generation *atomic.Uint64) error {
	b := idx.NewBatch()
	for i := range changed {
		n := &changed[i]
		if n.Withdrawn() {
			b.Delete(n.ID)
			continue
		}
		if err := b.Index(n.ID, document(n)); err != nil {
			return fmt.Errorf("index: notice %s: %w", n.ID, err)
		}
	}
	if seq > 0 {
		b.SetInternal(keyAppliedSeq, u64(seq))
	}
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("index: batch: %w", err)
	}
	if generation != nil {
		generation.Add(1)
	}
	return nil
}

// Source feeds every live notice to a rebuild, and says up to which store
// sequence number they are current.
type Source interface {
	EachNotice(fn func(notice.Notice) error) error
	LastSeq() uint64
}

// Rebuild builds a new index from the source next to the current one, then
// switches to it. Searches keep using the old index until the switch; if
// the rebuild fails or ctx is cancelled, the old index stays.
func (ix *Index) Rebuild(ctx context.Context, src Source) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	seq := src.LastSeq()
	dir := newDirName()
	path := filepath.Join(ix.dataDir, dir)
	idx, err := newBleve(path)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		idx.Close()
		os.RemoveAll(path)
		return err
	}
	batch := make([]notice.Notice, 0, batchSize)
	flush := func() error {
		if err := apply(idx, batch, 0, nil); err != nil {
			return err
		}
		batch = batch[:0]
		return ctx.Err()
	}
	err = src.EachNotice(func(n notice.Notice) error {
		if n.Withdrawn() {
			return nil
		}
		batch = append(batch, n)
		if len(batch) == batchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = apply(idx, nil, max(seq, 1), nil)
	}
	if err != nil {
		return fail(fmt.Errorf("index: rebuild: %w", err))
	}
	if err := writePointer(ix.dataDir, dir); err != nil {
		return fail(err)
	}
	ix.mu.Lock()
	old, oldDir := ix.idx, ix.dir
	ix.idx, ix.dir = idx, dir
	ix.mu.Unlock()
	ix.generation.Add(1)
	ix.views.reset()
	old.Close()
	os.RemoveAll(filepath.Join(ix.dataDir, oldDir))
	return nil
}

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

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// NewLabels builds labels from the known partners: each partner's full
// name as its label, and every way of writing it as an alias.
func NewLabels(partners []notice.Partner) Labels {
	l := Labels{Partner: map[string]string{}, PartnerAliases: map[string]string{}}
	for _, p := range partners {
		if p.FullName != "" {
			l.Partner[p.Name] = p.FullName
		}
		for _, alias := range append([]string{p.Name, p.FullName}, p.Aliases...) {
			if k := aliasKey(alias); k != "" {
				if _, taken := l.PartnerAliases[k]; !taken {
					l.PartnerAliases[k] = p.Name
				}
			}
		}
	}
	return l
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
