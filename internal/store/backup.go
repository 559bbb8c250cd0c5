package store

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/noticekb/noticekb/internal/notice"
)

// A backup is the store file as one read transaction sees it: a
// consistent state, taken while writers go on (bbolt's Tx.WriteTo). Only
// a write that must grow the file waits for a long backup to finish.

// WriteSnapshot writes a consistent snapshot of the store to w. begin, if
// set, is called first with the snapshot's exact size, so a stream can
// announce its length and a cut-off copy can be told from a whole one.
func (s *Store) WriteSnapshot(w io.Writer, begin func(size int64)) (int64, error) {
	return writeSnapshot(s.db, w, begin)
}

func writeSnapshot(db *bolt.DB, w io.Writer, begin func(size int64)) (int64, error) {
	var n int64
	err := db.View(func(tx *bolt.Tx) error {
		if begin != nil {
			begin(tx.Size())
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: snapshot: %w", err)
	}
	return n, nil
}

// SnapshotFile writes a snapshot of the store file at path, which no
// process may hold: it returns an error wrapping notice.ErrBusy when one
// does (a running server; ask it instead).
func SnapshotFile(path string, w io.Writer) (int64, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return 0, fmt.Errorf("store: %s is in use by another noticekb process: %w", path, notice.ErrBusy)
	}
	if err != nil {
		return 0, fmt.Errorf("store: open %s: %w", path, err)
	}
	defer db.Close()
	return writeSnapshot(db, w, nil)
}

// Verify checks that the file at path is a whole noticekb store: bbolt's
// consistency check over every page, then the buckets and schema a store
// has. It returns the store's counts.
func Verify(path string) (Stats, error) {
	var st Stats
	info, err := os.Stat(path)
	if err != nil {
		return st, fmt.Errorf("store: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return st, fmt.Errorf("store: %s is not a readable store: %w", path, err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		// A file cut short still has its meta pages, which name pages past
		// its end; reading those through the memory map is a bus error
		// that ends the process, so the length is checked first.
		if tx.Size() > info.Size() {
			return fmt.Errorf("store: %s is cut short: %d of %d bytes", path, info.Size(), tx.Size())
		}
		var damage error
		for err := range tx.Check() { // drained: the checker stops when nobody reads
			damage = cmp.Or(damage, err)
		}
		if damage != nil {
			return fmt.Errorf("store: %s is damaged: %w", path, damage)
		}
		for _, b := range [][]byte{bucketPages, bucketRaw, bucketNotices, bucketChanges, bucketMeta} {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("store: %s is not a noticekb store (no %s)", path, b)
			}
		}
		v := tx.Bucket(bucketMeta).Get(keySchema)
		if v == nil || len(v) != 8 {
			return fmt.Errorf("store: %s is not a noticekb store (no schema)", path)
		}
		if schema := binary.BigEndian.Uint64(v); schema > schemaVersion {
			return fmt.Errorf("store: %s was written by a newer noticekb (schema %d)", path, schema)
		}
		st = statsOf(tx)
		return nil
	})
	return st, err
}

// WriteFileAtomically fills path from fill through a temporary file in the
// same folder, synced before it is renamed into place: the file is then
// either absent (or as it was) or whole, never half-written.
func WriteFileAtomically(path string, fill func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := fill(f); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("store: %w", err))
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		dir.Sync() // the rename itself survives a power cut
		dir.Close()
	}
	return nil
}
