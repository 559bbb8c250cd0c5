package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/noticekb/noticekb/internal/notice"
)

// Writer changes the store inside one transaction. All its changes are
// committed together or not at all.
type Writer struct {
	tx *bolt.Tx
	s  *Store
}

// Write runs fn in one write transaction; if fn returns an error nothing
// it wrote is kept.
func (s *Store) Write(fn func(w *Writer) error) error {
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&Writer{tx: tx, s: s}) })
}

// PutPage records a page. A nil raw keeps the stored bytes (a 304 answer).
func (w *Writer) PutPage(rec PageRecord, raw []byte) error {
	if rec.URL == "" {
		return fmt.Errorf("store: page without URL")
	}
	if err := putJSON(w.tx.Bucket(bucketPages), []byte(rec.URL), rec); err != nil {
		return fmt.Errorf("store: put page: %w", err)
	}
	if err := noteSite(w.tx, rec.URL); err != nil {
		return err
	}
	if raw == nil {
		return nil
	}
	packed, err := w.s.compress(raw)
	if err != nil {
		return fmt.Errorf("store: compress page: %w", err)
	}
	return w.tx.Bucket(bucketRaw).Put([]byte(rec.URL), packed)
}

// PutNotice stores a notice under its ID. It reports Unchanged without
// writing when the stored notice is the same, and Duplicate (with the
// other notice's ID) without writing when another live notice has the same
// text under another URL. A notice with a public URL whose text a notice
// without one holds (a file imported earlier without a base URL) takes
// its place: the notice has moved to its public address, reported as
// Updated.
func (w *Writer) PutNotice(n notice.Notice) (Outcome, string, error) {
	return w.putNotice(n, false)
}

// PutCanonicalNotice is PutNotice for a notice whose page declared its URL
// canonical. Such a notice takes the place of a live copy of the same text
// stored earlier under a URL nobody declared: which of the two a crawl
// reaches first must not decide where the notice lives.
func (w *Writer) PutCanonicalNotice(n notice.Notice) (Outcome, string, error) {
	return w.putNotice(n, true)
}

func (w *Writer) putNotice(n notice.Notice, declared bool) (Outcome, string, error) {
	if n.ID == "" {
		return 0, "", fmt.Errorf("store: notice without ID")
	}
	notices := w.tx.Bucket(bucketNotices)
	hashes := w.tx.Bucket(bucketHashes)
	old, exists, err := getRecord(notices, n.ID)
	if err != nil {
		return 0, "", err
	}
	if exists && old.WithdrawnByAdmin {
		// An admin's withdrawal outlasts re-imports and re-extraction.
		n.WithdrawnAt, n.WithdrawnByAdmin = old.WithdrawnAt, true
	}
	rec := noticeRecord{Notice: n, ContentHash: ContentHash(&n), Fingerprint: fingerprint(n), Declared: declared}

	superseded, moved := false, false
	if exists && old.Fingerprint == rec.Fingerprint && old.Declared == declared {
		return Unchanged, n.ID, nil
	}
	if !exists {
		if other := hashes.Get([]byte(rec.ContentHash)); other != nil && string(other) != n.ID {
			o, ok, err := getRecord(notices, string(other))
			if err != nil {
				return 0, "", err
			}
			if ok && !o.Withdrawn() {
				moved = notice.PublicURL(o.URL) == "" && notice.PublicURL(n.URL) != ""
				if !moved && (!declared || o.Declared) {
					return Duplicate, string(other), nil
				}
				if err := w.supersede(o, n); err != nil {
					return 0, "", err
				}
				superseded = !moved
			}
		}
	}
	if exists && old.SupersededBy != "" && string(hashes.Get([]byte(rec.ContentHash))) == old.SupersededBy {
		return Duplicate, old.SupersededBy, nil // the copy still copies its canonical notice
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
	switch {
	case exists, moved:
		return Updated, n.ID, nil
	case superseded:
		return Superseded, n.ID, nil
	}
	return Added, n.ID, nil
}

// supersede takes an undeclared copy out of search in favour of the notice
// under its canonical URL.
func (w *Writer) supersede(old noticeRecord, by notice.Notice) error {
	old.WithdrawnAt = by.FetchedAt
	if old.WithdrawnAt.IsZero() {
		old.WithdrawnAt = time.Now()
	}
	old.SupersededBy = by.ID
	old.Fingerprint = fingerprint(old.Notice)
	if err := w.logChange(&old, old.Seq); err != nil {
		return err
	}
	return putJSON(w.tx.Bucket(bucketNotices), []byte(old.ID), old)
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
	if rec.Withdrawn() == !at.IsZero() || (at.IsZero() && (rec.SupersededBy != "" || rec.WithdrawnByAdmin)) {
		return false, nil // a superseded copy, or one an admin withdrew, stays out of search
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

// DeleteJob forgets an admin job.
func (w *Writer) DeleteJob(id string) error {
	return w.tx.Bucket(bucketJobs).Delete([]byte(id))
}

// Page returns a page record as this transaction sees it.
func (w *Writer) Page(url string) (PageRecord, bool, error) {
	var rec PageRecord
	v := w.tx.Bucket(bucketPages).Get([]byte(url))
	if v == nil {
		return rec, false, nil
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, false, fmt.Errorf("store: page %s: %w", url, err)
	}
	return rec, true, nil
}

// Notice returns a notice as this transaction sees it, or an error
// wrapping notice.ErrNotFound.
func (w *Writer) Notice(id string) (notice.Notice, error) {
	rec, ok, err := getRecord(w.tx.Bucket(bucketNotices), id)
	if err != nil {
		return notice.Notice{}, err
	}
	if !ok {
		return notice.Notice{}, fmt.Errorf("store: notice %s: %w", id, notice.ErrNotFound)
	}
	return rec.Notice, nil
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
