package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/noticekb/noticekb/internal/notice"
)

// SetWithdrawnByAdmin withdraws a notice from search on an admin's word
// (withdraw true), or restores it. A notice an admin withdrew stays
// withdrawn through re-imports and re-extraction; restoring brings back
// any withdrawn notice, one its site took down included, except a copy
// superseded by the same notice under its canonical URL (an error
// wrapping notice.ErrForbidden). It reports whether anything changed.
func (w *Writer) SetWithdrawnByAdmin(id string, withdraw bool, now time.Time) (bool, error) {
	notices := w.tx.Bucket(bucketNotices)
	rec, ok, err := getRecord(notices, id)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, fmt.Errorf("store: notice %s: %w", id, notice.ErrNotFound)
	}
	switch {
	case withdraw && rec.WithdrawnByAdmin, !withdraw && !rec.Withdrawn():
		return false, nil
	case withdraw:
		if !rec.Withdrawn() {
			rec.WithdrawnAt = now
		}
		rec.WithdrawnByAdmin = true
	case rec.SupersededBy != "":
		return false, fmt.Errorf("store: notice %s is a copy of notice %s, which is the one to restore: %w", id, rec.SupersededBy, notice.ErrForbidden)
	default:
		rec.WithdrawnAt, rec.WithdrawnByAdmin = time.Time{}, false
	}
	rec.Fingerprint = fingerprint(rec.Notice)
	if err := w.logChange(&rec, rec.Seq); err != nil {
		return false, err
	}
	return true, putJSON(notices, []byte(id), rec)
}

// EachWithdrawn calls fn for every withdrawn notice (its title, address,
// date, publisher, body and withdrawal), leaving out copies superseded by the same notice under its canonical
// URL (there is nothing to restore in them). It reads only the records
// that name a withdrawal, so listing them stays cheap in a large store.
func (s *Store) EachWithdrawn(fn func(notice.Notice) error) error {
	marker := []byte(`"withdrawn_at"`)
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNotices).ForEach(func(k, v []byte) error {
			if !bytes.Contains(v, marker) {
				return nil
			}
			var rec struct {
				ID               string      `json:"id"`
				URL              string      `json:"url"`
				Title            string      `json:"title"`
				Date             notice.Date `json:"date"`
				Publisher        string      `json:"publisher"`
				Body             string      `json:"body"`
				WithdrawnAt      time.Time   `json:"withdrawn_at"`
				WithdrawnByAdmin bool        `json:"withdrawn_by_admin"`
				SupersededBy     string      `json:"superseded_by"`
			}
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("store: notice %s: %w", k, err)
			}
			if rec.WithdrawnAt.IsZero() || rec.SupersededBy != "" {
				return nil
			}
			return fn(notice.Notice{ID: rec.ID, URL: rec.URL, Title: rec.Title, Date: rec.Date, Publisher: rec.Publisher, Body: rec.Body,
				WithdrawnAt: rec.WithdrawnAt, WithdrawnByAdmin: rec.WithdrawnByAdmin})
		})
	})
}
