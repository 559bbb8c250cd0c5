package store

import (
	"fmt"
	"time"

	"noticekb/internal/notice"
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
