package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/verdict"
)

// PageRecord is what the store knows about one fetched or imported page,
// keyed by its canonical URL.
type PageRecord struct {
	URL          string    `json:"url"`
	FetchURL     string    `json:"fetch_url,omitempty"`
	Status       int       `json:"status,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	ContentType  string    `json:"content_type,omitempty"`
	ContentHash  string    `json:"content_hash,omitempty"`
	Size         int       `json:"size"`
	FetchedAt    time.Time `json:"fetched_at"`
	// CheckedAt is when the page was last confirmed unchanged (a 304
	// answer or the same bytes again) without being read anew.
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// Depth is how many links the crawler followed to reach the page.
	Depth    int    `json:"depth,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Origin   string `json:"origin,omitempty"`
	NoticeID string `json:"notice_id,omitempty"`
	Error    string `json:"error,omitempty"`
	// GoneAt is when the page first answered 404 or 410; the record (and
	// its raw bytes) are kept.
	GoneAt time.Time `json:"gone_at,omitzero"`
	// Evidence is what the page showed of itself when last read, so a
	// crawl can judge it again with what it learns of the site without
	// reading it again; Verdict is the judgement stored, with its reasons.
	Evidence *verdict.Page    `json:"evidence,omitempty"`
	Verdict  *verdict.Verdict `json:"verdict,omitempty"`
}

// Host is the host (with port) of the record's URL.
func (r PageRecord) Host() string { return hostOf(r.URL) }

// Outcome is what writing a notice did.
type Outcome int

const (
	Unchanged Outcome = iota // the same notice was already stored
	Added                    // a new notice
	Updated                  // a stored notice changed
	Duplicate                // the same text is stored under another URL
	// Superseded is a notice stored under its canonical URL that replaced
	// a copy of it stored earlier under another URL.
	Superseded
)

func (o Outcome) String() string {
	return [...]string{"unchanged", "added", "updated", "duplicate", "superseded"}[o]
}

// noticeRecord is a notice as stored, with its place in the change log.
type noticeRecord struct {
	notice.Notice
	Seq         uint64 `json:"seq"`
	ContentHash string `json:"content_hash"`
	Fingerprint string `json:"fingerprint"`
	// Declared is set when the notice's page named its URL as canonical.
	Declared bool `json:"declared,omitempty"`
	// SupersededBy names the notice that replaced this one: the same text
	// found later under the URL its site declares canonical.
	SupersededBy string `json:"superseded_by,omitempty"`
}

// ContentHash identifies a notice's text regardless of its URL, so the same
// notice reached under two URLs is stored once.
func ContentHash(n *notice.Notice) string {
	h := sha256.New()
	h.Write([]byte(strings.Join(strings.Fields(strings.ToLower(n.Title)), " ")))
	h.Write([]byte{0})
	h.Write([]byte(strings.Join(strings.Fields(n.Body), " ")))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// fingerprint identifies everything about a notice that search shows, so a
// re-import that changes nothing writes nothing.
func fingerprint(n notice.Notice) string {
	n.FetchedAt = time.Time{}
	data, _ := json.Marshal(n)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// HashBytes is the content hash of raw page bytes.
func HashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
