package store

import (
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// Stats are the store's counts, read in one transaction, for health
// checks and metrics.
type Stats struct {
	Notices int    // notice records, withdrawn ones included
	Pages   int    // page records
	Seq     uint64 // the latest change
	Size    int64  // bytes of the file in use
}

// Stats counts the store's records. It walks the keys of the notice and
// page trees (tens of milliseconds at 100,000 notices), so callers that
// ask often keep the answer for a while.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.db.View(func(tx *bolt.Tx) error {
		st = statsOf(tx)
		return nil
	})
	return st, err
}

// statsOf counts the records a transaction sees.
func statsOf(tx *bolt.Tx) Stats {
	st := Stats{
		Notices: tx.Bucket(bucketNotices).Stats().KeyN,
		Pages:   tx.Bucket(bucketPages).Stats().KeyN,
		Size:    tx.Size(),
	}
	if v := tx.Bucket(bucketMeta).Get(keySeq); v != nil {
		st.Seq = binary.BigEndian.Uint64(v)
	}
	return st
}
