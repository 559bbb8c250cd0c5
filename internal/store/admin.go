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

// Markers read in a stored notice's JSON without decoding it. A key's
// quoted form cannot occur inside a string value, whose quotes are
// escaped, so a match is the key itself.
var (
	withdrawnKey  = []byte(`"withdrawn_at"`)
	dateSourceKey = []byte(`"date_source":"`)
)

// DateSources counts the notices in search by where their dates were read
// (notice.Notice.DateSource; "" for notices without a date). It decodes no
// record, so counting stays cheap in a large store.
func (s *Store) DateSources() (map[string]int, error) {
	counts := map[string]int{}
	err := s.eachLiveRecord(func(_, v []byte) error {
		counts[dateSourceOf(v)]++
		return nil
	})
	return counts, err
}

// EachDatedBy calls fn for every notice in search whose date was read
// from source ("" for those without a date), decoding only those.
func (s *Store) EachDatedBy(source string, fn func(notice.Notice) error) error {
	return s.eachLiveRecord(func(k, v []byte) error {
		if dateSourceOf(v) != source {
			return nil
		}
		var rec noticeRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("store: notice %s: %w", k, err)
		}
		return fn(rec.Notice)
	})
}

// eachLiveRecord calls fn with the key and JSON of every notice in search.
func (s *Store) eachLiveRecord(fn func(k, v []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNotices).ForEach(func(k, v []byte) error {
			if bytes.Contains(v, withdrawnKey) {
				return nil
			}
			return fn(k, v)
		})
	})
}

// dateSourceOf is a stored notice's date_source, "" when it has none. The
// sources are plain words, with nothing escaped.
func dateSourceOf(record []byte) string {
	_, after, ok := bytes.Cut(record, dateSourceKey)
	if !ok {
		return ""
	}
	source, _, _ := bytes.Cut(after, []byte(`"`))
	return string(source)
}
