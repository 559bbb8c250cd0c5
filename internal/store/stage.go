package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// A stage holds a run's writes back from the live data: the run appends
// opaque operations to it, and only when the run succeeds are they applied
// (by the caller, in order) and removed. A stage marked committed must be
// applied to the end even after a crash, so it works as a redo log: a run
// that fails, is cancelled or dies before the mark leaves the live data as
// it was; one that dies after it is finished when the store is next opened.

var (
	keyStageOps       = []byte("ops")
	keyStageCommitted = []byte("committed")
)

func (w *Writer) stage(name string) (*bolt.Bucket, error) {
	b, err := w.tx.Bucket(bucketStages).CreateBucketIfNotExists([]byte(name))
	if err != nil {
		return nil, fmt.Errorf("store: stage %s: %w", name, err)
	}
	if _, err := b.CreateBucketIfNotExists(keyStageOps); err != nil {
		return nil, fmt.Errorf("store: stage %s: %w", name, err)
	}
	return b, nil
}

// StageAppend adds one operation to the end of a stage, creating it.
func (w *Writer) StageAppend(name string, op []byte) error {
	b, err := w.stage(name)
	if err != nil {
		return err
	}
	ops := b.Bucket(keyStageOps)
	seq, err := ops.NextSequence()
	if err != nil {
		return err
	}
	return ops.Put(u64(seq), op)
}

// StageCommit marks a stage as to be applied whatever happens next.
func (w *Writer) StageCommit(name string) error {
	b, err := w.stage(name)
	if err != nil {
		return err
	}
	return b.Put(keyStageCommitted, []byte{1})
}

// StageTake removes and returns up to n operations from the front of a
// stage, in the order they were appended. Applying them in the same
// transaction makes taking and applying one step.
func (w *Writer) StageTake(name string, n int) ([][]byte, error) {
	b := w.tx.Bucket(bucketStages).Bucket([]byte(name))
	if b == nil {
		return nil, nil
	}
	ops := b.Bucket(keyStageOps)
	var out [][]byte
	var keys [][]byte
	c := ops.Cursor()
	for k, v := c.First(); k != nil && len(out) < n; k, v = c.Next() {
		out = append(out, append([]byte(nil), v...))
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := ops.Delete(k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StageDrop removes a stage and everything in it.
func (w *Writer) StageDrop(name string) error {
	err := w.tx.Bucket(bucketStages).DeleteBucket([]byte(name))
	if err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
		return fmt.Errorf("store: drop stage %s: %w", name, err)
	}
	return nil
}

// StageInfo describes a stage left in the store.
type StageInfo struct {
	Name      string
	Ops       int
	Committed bool
}

// Stages lists the stages in the store.
func (s *Store) Stages() ([]StageInfo, error) {
	var out []StageInfo
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStages).ForEachBucket(func(k []byte) error {
			b := tx.Bucket(bucketStages).Bucket(k)
			info := StageInfo{Name: string(k), Committed: b.Get(keyStageCommitted) != nil}
			if ops := b.Bucket(keyStageOps); ops != nil {
				info.Ops = ops.Stats().KeyN
			}
			out = append(out, info)
			return nil
		})
	})
	return out, err
}
