package store

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"noticekb/internal/notice"
)

// Writer changes the store inside one transaction. All its changes are
// committed together or not at all.
type Writer struct {
	tx *bolt.Tx
	// zw compresses raw pages; one per transaction, reset for each page,
	// because a new gzip writer allocates its whole compressor state.
	zw *gzip.Writer
}

// Write runs fn in one write transaction; if fn returns an error nothing
// it wrote is kept.
func (s *Store) Write(fn func(w *Writer) error) error {
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&Writer{tx: tx}) })
}

// PutPage records a page. A nil raw keeps the stored bytes (a 304 answer).
func (w *Writer) PutPage(rec PageRecord, raw []byte) error {
	if rec.URL == "" {
		return fmt.Errorf("store: page without URL")
	}
	if err := putJSON(w.tx.Bucket(bucketPages), []byte(rec.URL), rec); err != nil {
		return fmt.Errorf("store: put page: %w", err)
	}
	if raw == nil {
		return nil
	}
	packed, err := w.compress(raw)
	if err != nil {
		return fmt.Errorf("store: compress page: %w", err)
	}
	return w.tx.Bucket(bucketRaw).Put([]byte(rec.URL), packed)
}

// PutNotice stores a notice under its ID. It reports Unchanged without
// writing when the stored notice is the same, and Duplicate (with the
// other notice's ID) without writing when another live notice has the same
// text under another URL.
func (w *Writer) PutNotice(n notice.Notice) (Outcome, string, error) {
	if n.ID == "" {
		return 0, "", fmt.Errorf("store: notice without ID")
	}
	notices := w.tx.Bucket(bucketNotices)
	hashes := w.tx.Bucket(bucketHashes)
	rec := noticeRecord{Notice: n, ContentHash: ContentHash(&n), Fingerprint: fingerprint(n)}

	old, exists, err := getRecord(notices, n.ID)
	if err != nil {
		return 0, "", err
	}
	if exists && old.Fingerprint == rec.Fingerprint {
		return Unchanged, n.ID, nil
	}
	if !exists {
		if other := hashes.Get([]byte(rec.ContentHash)); other != nil && string(other) != n.ID {
			if o, ok, _ := getRecord(notices, string(other)); ok && !o.Withdrawn() {
				return Duplicate, string(other), nil
			}
		}
	}
	if err := w.logChange(&rec, old.Seq); err != nil {
		return 0, "", err
	}
	if exists && old.ContentHash != rec.ContentHash {
		if owner := hashes.Get([]byte(old.ContentHash)); string(owner) == n.ID {
			if err := hashes.Delete([]byte(old.ContentHash)); err != nil {
				return 0, "", err
			}
		}
	}
	if err := hashes.Put([]byte(rec.ContentHash), []byte(n.ID)); err != nil {
		return 0, "", err
	}
	if err := putJSON(notices, []byte(n.ID), rec); err != nil {
		return 0, "", fmt.Errorf("store: put notice: %w", err)
	}
	if exists {
		return Updated, n.ID, nil
	}
	return Added, n.ID, nil
}

// SetWithdrawn withdraws a notice from search at the given time, or
// restores it when at is zero. It reports whether anything changed.
func (w *Writer) SetWithdrawn(id string, at time.Time) (bool, error) {
	notices := w.tx.Bucket(bucketNotices)
	rec, ok, err := getRecord(notices, id)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, fmt.Errorf("store: notice %s: %w", id, notice.ErrNotFound)
	}
	if rec.Withdrawn() == !at.IsZero() {
		return false, nil
	}
	rec.WithdrawnAt = at
	rec.Fingerprint = fingerprint(rec.Notice)
	if err := w.logChange(&rec, rec.Seq); err != nil {
		return false, err
	}
	return true, putJSON(notices, []byte(id), rec)
}

// PutPartner remembers an organisation learned from a notice.
func (w *Writer) PutPartner(p notice.Partner) error {
	return putJSON(w.tx.Bucket(bucketPartners), []byte(p.Name), p)
}

// PutJob records an admin job's state as JSON.
func (w *Writer) PutJob(id string, job any) error {
	return putJSON(w.tx.Bucket(bucketJobs), []byte(id), job)
}

// logChange gives the record the next sequence number and moves its entry
// in the change log.
func (w *Writer) logChange(rec *noticeRecord, oldSeq uint64) error {
	meta := w.tx.Bucket(bucketMeta)
	changes := w.tx.Bucket(bucketChanges)
	var seq uint64
	if v := meta.Get(keySeq); v != nil {
		seq = binary.BigEndian.Uint64(v)
	}
	seq++
	if err := meta.Put(keySeq, u64(seq)); err != nil {
		return err
	}
	if oldSeq != 0 {
		if err := changes.Delete(u64(oldSeq)); err != nil {
			return err
		}
	}
	rec.Seq = seq
	return changes.Put(u64(seq), []byte(rec.ID))
}

func getRecord(b *bolt.Bucket, id string) (noticeRecord, bool, error) {
	var rec noticeRecord
	v := b.Get([]byte(id))
	if v == nil {
		return rec, false, nil
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, false, fmt.Errorf("store: notice %s: %w", id, err)
	}
	return rec, true, nil
}

// compress gzips a raw page with the transaction's reused writer.
func (w *Writer) compress(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(raw)/3 + 64)
	if w.zw == nil {
		w.zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	} else {
		w.zw.Reset(&buf)
	}
	if _, err := w.zw.Write(raw); err != nil {
		return nil, err
	}
	if err := w.zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
