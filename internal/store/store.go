// Package store keeps what noticekb knows, durably, in one bbolt file:
// each fetched page (raw bytes and fetch metadata, by canonical URL), each
// extracted notice, learned partner names and the admin job history. It is
// the source of truth; the search index is derived from it and can be
// rebuilt from it at any time without network.
//
// Every change to a notice gets a sequence number. The index records the
// last number it applied, so after a crash it catches up from the store
// instead of trusting a half-written index.
package store

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/noticekb/noticekb/internal/notice"
)

var (
	bucketPages    = []byte("pages")
	bucketRaw      = []byte("raw")
	bucketNotices  = []byte("notices")
	bucketHashes   = []byte("hashes")
	bucketChanges  = []byte("changes")
	bucketPartners = []byte("partners")
	bucketJobs     = []byte("jobs")
	bucketMeta     = []byte("meta")
	bucketSites    = []byte("sites")
	bucketStages   = []byte("stages")
	bucketRegistry = []byte("registry")
	bucketRuns     = []byte("site_runs")
	bucketSkips    = []byte("site_skips")

	keySeq    = []byte("seq")
	keySchema = []byte("schema")
)

const schemaVersion = 1

// Store is an open store. It is safe for concurrent use; bbolt allows one
// writer at a time and any number of readers.
type Store struct {
	db   *bolt.DB
	path string
	// gzips are reused: a new gzip writer allocates over 800 KB, which
	// cost a crawl more CPU than compressing its pages did.
	gzips sync.Pool
}

// Open opens or creates the store file. If another process holds the file,
// it gives up after a short wait with an error wrapping notice.ErrBusy
// rather than blocking for ever.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 2 * time.Second, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("store: %s is in use by another noticekb process: %w", path, notice.ErrBusy)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	s.gzips.New = func() any {
		zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
		return zw
	}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketPages, bucketRaw, bucketNotices, bucketHashes, bucketChanges, bucketPartners, bucketJobs, bucketMeta, bucketSites, bucketStages, bucketRegistry, bucketRuns, bucketSkips} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", b, err)
			}
		}
		if err := backfillSites(tx); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keySchema); v != nil && binary.BigEndian.Uint64(v) > schemaVersion {
			return fmt.Errorf("store: %s was written by a newer noticekb (schema %d)", s.path, binary.BigEndian.Uint64(v))
		}
		return meta.Put(keySchema, u64(schemaVersion))
	})
}

// Close closes the store file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the store file's path.
func (s *Store) Path() string { return s.path }

// Size is the store file's size in bytes.
func (s *Store) Size() int64 {
	var size int64
	_ = s.db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	return size
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func (s *Store) compress(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := s.gzips.Get().(*gzip.Writer)
	defer s.gzips.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decompress(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}
