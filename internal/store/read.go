package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/noticekb/noticekb/internal/notice"
)

// Notice returns one notice, live or withdrawn, or an error wrapping
// notice.ErrNotFound.
func (s *Store) Notice(id string) (notice.Notice, error) {
	var n notice.Notice
	err := s.db.View(func(tx *bolt.Tx) error {
		rec, ok, err := getRecord(tx.Bucket(bucketNotices), id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("store: notice %s: %w", id, notice.ErrNotFound)
		}
		n = rec.Notice
		return nil
	})
	return n, err
}

// Page returns the record of a page by canonical URL.
func (s *Store) Page(url string) (PageRecord, bool, error) {
	var rec PageRecord
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPages).Get([]byte(url))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &rec)
	})
	if err != nil {
		return rec, false, fmt.Errorf("store: page %s: %w", url, err)
	}
	return rec, found, nil
}

// RawPage returns the stored bytes of a page, or an error wrapping
// notice.ErrNotFound.
func (s *Store) RawPage(url string) ([]byte, error) {
	var packed []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketRaw).Get([]byte(url)); v != nil {
			packed = append([]byte(nil), v...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if packed == nil {
		return nil, fmt.Errorf("store: raw page %s: %w", url, notice.ErrNotFound)
	}
	return decompress(packed)
}

// EachPage calls fn for every page record, in URL order.
func (s *Store) EachPage(fn func(PageRecord) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPages).ForEach(func(_, v []byte) error {
			var rec PageRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			return fn(rec)
		})
	})
}

// EachNotice calls fn for every notice, live and withdrawn, in ID order.
// fn must not write to the store.
func (s *Store) EachNotice(fn func(notice.Notice) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNotices).ForEach(func(k, v []byte) error {
			var rec noticeRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("store: notice %s: %w", k, err)
			}
			return fn(rec.Notice)
		})
	})
}

// Changes calls fn, in order, for every notice changed after sequence
// number since, with the notice's current state and its sequence number.
func (s *Store) Changes(since uint64, fn func(seq uint64, n notice.Notice) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		notices := tx.Bucket(bucketNotices)
		c := tx.Bucket(bucketChanges).Cursor()
		for k, v := c.Seek(u64(since + 1)); k != nil; k, v = c.Next() {
			rec, ok, err := getRecord(notices, string(v))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := fn(binary.BigEndian.Uint64(k), rec.Notice); err != nil {
				return err
			}
		}
		return nil
	})
}

// LastSeq is the sequence number of the latest change.
func (s *Store) LastSeq() uint64 {
	var seq uint64
	_ = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keySeq); v != nil {
			seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return seq
}

// Counts returns how many notices are live and withdrawn, and how many
// pages are stored.
func (s *Store) Counts() (live, withdrawn, pages int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		pages = tx.Bucket(bucketPages).Stats().KeyN
		return tx.Bucket(bucketNotices).ForEach(func(_, v []byte) error {
			var rec struct {
				WithdrawnAt *json.RawMessage `json:"withdrawn_at"`
			}
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			if rec.WithdrawnAt != nil {
				withdrawn++
			} else {
				live++
			}
			return nil
		})
	})
	return live, withdrawn, pages, err
}

// HasNotices reports whether any notice is stored, cheaply.
func (s *Store) HasNotices() bool {
	has := false
	_ = s.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketNotices).Cursor().First()
		has = k != nil
		return nil
	})
	return has
}

// Partners returns the organisations learned from notices.
func (s *Store) Partners() ([]notice.Partner, error) {
	var out []notice.Partner
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPartners).ForEach(func(_, v []byte) error {
			var p notice.Partner
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// Jobs calls fn with each stored job's JSON, newest key last.
func (s *Store) Jobs(fn func(id string, data []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			return fn(string(k), append([]byte(nil), v...))
		})
	})
}

// PutJob records an admin job's state in a transaction of its own.
func (s *Store) PutJob(id string, job any) error {
	return s.Write(func(w *Writer) error { return w.PutJob(id, job) })
}

// DeleteJob forgets an admin job in a transaction of its own.
func (s *Store) DeleteJob(id string) error {
	return s.Write(func(w *Writer) error { return w.DeleteJob(id) })
}
