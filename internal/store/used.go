package store

import bolt "go.etcd.io/bbolt"

var keyUsed = []byte("used")

// MarkUsed records that a command opened the store to add to it (an
// import, a crawl, a restore). From then on the data folder is not new,
// whatever it holds: an import killed before its first commit leaves an
// empty store that is still the user's, not a place for the demo.
func (s *Store) MarkUsed() error {
	if s.Used() {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyUsed, []byte{1}) })
}

// Used reports whether MarkUsed was ever called on the store.
func (s *Store) Used() bool {
	used := false
	_ = s.db.View(func(tx *bolt.Tx) error {
		used = tx.Bucket(bucketMeta).Get(keyUsed) != nil
		return nil
	})
	return used
}
