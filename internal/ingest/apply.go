package ingest

import (
	"errors"
	"time"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// opKind names what one operation of a session does.
type opKind string

const (
	opPage    opKind = "page"    // a page read (anew or from its stored bytes)
	opChecked opKind = "checked" // a page confirmed unchanged
	opGone    opKind = "gone"    // a page that answered 404 or 410
	opPromote opKind = "promote" // a page of this run judged again with a stronger origin
)

// op is one write of a session. Staged sessions keep ops in the store as
// JSON until they commit, so every field is plain data.
type op struct {
	Kind    opKind   `json:"kind"`
	Page    pageMeta `json:"page"`
	Raw     []byte   `json:"raw,omitempty"`
	KeepRaw bool     `json:"keep_raw,omitempty"`
	Reason  string   `json:"reason,omitempty"`
	Result  *result  `json:"result,omitempty"`
}

type pageMeta struct {
	URL          string `json:"url"`
	FetchURL     string `json:"fetch_url,omitempty"`
	ContentType  string `json:"content_type,omitempty"`
	Status       int    `json:"status,omitempty"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Origin       Origin `json:"origin,omitempty"`
	Depth        int    `json:"depth,omitempty"`
}

func metaOf(p Page) pageMeta {
	return pageMeta{URL: p.URL, FetchURL: p.FetchURL, ContentType: p.ContentType, Status: p.Status,
		ETag: p.ETag, LastModified: p.LastModified, Origin: p.Origin, Depth: p.Depth}
}

// result is what of an extraction the store needs (not the links).
type result struct {
	Kind      extract.Kind     `json:"kind"`
	Notice    notice.Notice    `json:"notice"`
	Canonical string           `json:"canonical,omitempty"`
	Learned   []notice.Partner `json:"learned,omitempty"`
	Evidence  []string         `json:"evidence,omitempty"`
	LinkShare float64          `json:"link_share,omitempty"`
}

func resultOf(res *extract.Result) *result {
	if res == nil {
		return nil
	}
	return &result{Kind: res.Kind, Notice: res.Notice, Canonical: res.Canonical, Learned: res.Learned, Evidence: res.Evidence,
		LinkShare: linkShare(res)}
}

func (r *result) extract() *extract.Result {
	return &extract.Result{Kind: r.Kind, Notice: r.Notice, Canonical: r.Canonical, Learned: r.Learned, Evidence: r.Evidence}
}

// apply performs one operation inside a write transaction.
func (g *Ingester) apply(w *store.Writer, o op, sum *notice.RunSummary, now time.Time) error {
	switch o.Kind {
	case opPage:
		return g.applyPage(w, o, sum, now, false)
	case opPromote:
		return g.applyPage(w, o, sum, now, true)
	case opChecked:
		return g.applyChecked(w, o, sum, now)
	case opGone:
		return g.applyGone(w, o, sum, now)
	}
	return nil
}

// applyPage stores a page and, if it is a notice, the notice: it makes
// the page's record, judges the page, and writes what the judgement says.
func (g *Ingester) applyPage(w *store.Writer, o op, sum *notice.RunSummary, now time.Time, promote bool) error {
	old, had, err := w.Page(o.Page.URL)
	if err != nil {
		return err
	}
	rec, raw := pageRecord(o, old, had, now)
	if o.Reason != "" || o.Result == nil {
		rec.Error = o.Reason
		rec.NoticeID = old.NoticeID
		sum.Fail(rec.URL, o.Reason)
		return w.PutPage(rec, raw)
	}
	res := o.Result.extract()
	rec.Kind = res.Kind.String()
	if judge(res, o.Result.LinkShare, Origin(rec.Origin)) {
		return putNotice(w, rec, raw, res, sum, promote)
	}
	if promote {
		return nil // still not a notice: nothing changes
	}
	sum.Skipped++
	if had && old.NoticeID != "" {
		// The page held a notice and no longer does (new rules, or its
		// content became a list): the notice leaves search.
		if err := withdrawOwn(w, old.NoticeID, rec.URL, now, sum); err != nil {
			return err
		}
	}
	return w.PutPage(rec, raw)
}

// pageRecord is the record of a page read now, and the bytes to store
// with it (nil to keep the stored ones). What was learned of the page
// before stays: its stronger origin, its shortest depth, and its bytes'
// hash when they are kept.
func pageRecord(o op, old store.PageRecord, had bool, now time.Time) (store.PageRecord, []byte) {
	p := o.Page
	rec := store.PageRecord{
		URL: p.URL, FetchURL: p.FetchURL, Status: p.Status, ETag: p.ETag, LastModified: p.LastModified,
		ContentType: p.ContentType, FetchedAt: now, Origin: string(p.Origin), Depth: p.Depth,
	}
	raw := o.Raw
	if o.KeepRaw || raw == nil {
		raw = nil
		if had {
			rec.ContentHash, rec.Size, rec.FetchedAt = old.ContentHash, old.Size, old.FetchedAt
		}
	} else {
		rec.ContentHash, rec.Size = store.HashBytes(raw), len(raw)
	}
	if had {
		if Stronger(Origin(old.Origin), p.Origin) {
			rec.Origin = old.Origin
		}
		if old.Depth < rec.Depth {
			rec.Depth = old.Depth
		}
	}
	return rec, raw
}

// putNotice writes a page judged a notice: the notice under its canonical
// URL (or as a duplicate of the notice it copies), the organisations it
// defined, and the page's record pointing at it.
func putNotice(w *store.Writer, rec store.PageRecord, raw []byte, res *extract.Result, sum *notice.RunSummary, promote bool) error {
	n := res.Notice
	n.URL = canonicalURL(rec.URL, res.Canonical)
	n.ID = notice.IDForURL(n.URL)
	n.FetchedAt = rec.FetchedAt
	put := w.PutNotice
	if declaresCanonical(res.Canonical, n.URL) {
		put = w.PutCanonicalNotice
	}
	outcome, id, err := put(n)
	if err != nil {
		return err
	}
	rec.NoticeID = id
	if promote {
		sum.Skipped-- // counted as skipped when first read
	}
	count(sum, outcome)
	if outcome != store.Duplicate && outcome != store.Superseded {
		countWeak(sum, n)
	}
	for _, partner := range res.Learned {
		if err := w.PutPartner(partner); err != nil {
			return err
		}
	}
	return w.PutPage(rec, raw)
}

// withdrawOwn withdraws notice id if url is its own page.
func withdrawOwn(w *store.Writer, id, url string, now time.Time, sum *notice.RunSummary) error {
	n, err := w.Notice(id)
	if errors.Is(err, notice.ErrNotFound) || (err == nil && n.URL != url) {
		return nil
	}
	if err != nil {
		return err
	}
	changed, err := w.SetWithdrawn(id, now)
	if changed {
		sum.Withdrawn++
	}
	return err
}

func count(sum *notice.RunSummary, o store.Outcome) {
	switch o {
	case store.Added:
		sum.Added++
	case store.Updated:
		sum.Updated++
	case store.Unchanged:
		sum.Unchanged++
	case store.Duplicate, store.Superseded:
		// A superseding notice was counted as added when its copy came in.
		sum.Duplicates++
	}
}

// countWeak counts a notice of the run that is dated only by its page's
// update date.
func countWeak(sum *notice.RunSummary, n notice.Notice) {
	if n.WeakDate() {
		sum.WeakDates++
	}
}

// applyChecked notes that a page was confirmed unchanged. A notice whose
// page answers again after it was withdrawn is restored.
func (g *Ingester) applyChecked(w *store.Writer, o op, sum *notice.RunSummary, now time.Time) error {
	p := o.Page
	rec, had, err := w.Page(p.URL)
	if err != nil || !had {
		sum.Skipped++
		return err
	}
	rec.CheckedAt, rec.GoneAt = now, time.Time{}
	if p.ETag != "" {
		rec.ETag = p.ETag
	}
	if p.LastModified != "" {
		rec.LastModified = p.LastModified
	}
	if Stronger(p.Origin, Origin(rec.Origin)) {
		rec.Origin = string(p.Origin)
	}
	if rec.NoticeID == "" {
		sum.Skipped++
		return w.PutPage(rec, nil)
	}
	n, err := w.Notice(rec.NoticeID)
	switch {
	case errors.Is(err, notice.ErrNotFound):
		sum.Skipped++
	case err != nil:
		return err
	case n.Withdrawn() && n.URL == p.URL:
		changed, err := w.SetWithdrawn(n.ID, time.Time{})
		if err != nil {
			return err
		}
		if changed {
			sum.Updated++
		} else {
			sum.Unchanged++ // an admin keeps it withdrawn
		}
	default:
		sum.Unchanged++
		countWeak(sum, n)
	}
	return w.PutPage(rec, nil)
}

// applyGone records that a page disappeared and withdraws its notice when
// the page was the notice's own (not an alias whose notice lives on).
func (g *Ingester) applyGone(w *store.Writer, o op, sum *notice.RunSummary, now time.Time) error {
	url := o.Page.URL
	rec, had, err := w.Page(url)
	if err != nil || !had {
		sum.Skipped++ // a dead link to a page never stored
		return err
	}
	if rec.GoneAt.IsZero() {
		rec.GoneAt = now
	}
	rec.Status, rec.CheckedAt = o.Page.Status, now
	if err := w.PutPage(rec, nil); err != nil {
		return err
	}
	if rec.NoticeID == "" {
		sum.Skipped++
		return nil
	}
	n, err := w.Notice(rec.NoticeID)
	if errors.Is(err, notice.ErrNotFound) {
		sum.Skipped++
		return nil
	}
	if err != nil {
		return err
	}
	if n.URL != url {
		own, ok, err := w.Page(n.URL)
		if err != nil {
			return err
		}
		if ok && own.GoneAt.IsZero() {
			sum.Skipped++ // an alias went; the notice's own page is still there
			return nil
		}
	}
	changed, err := w.SetWithdrawn(n.ID, now)
	if err != nil {
		return err
	}
	if changed {
		sum.Withdrawn++
	} else {
		sum.Unchanged++
	}
	return nil
}

// declaresCanonical reports whether the page named url as its canonical URL.
func declaresCanonical(declared, url string) bool {
	if declared == "" {
		return false
	}
	c, err := urlnorm.Normalize(declared)
	return err == nil && c == url
}
