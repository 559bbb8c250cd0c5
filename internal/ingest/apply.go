package ingest

import (
	"errors"
	"time"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
	"github.com/noticekb/noticekb/internal/verdict"
)

// opKind names what one operation of a session does.
type opKind string

const (
	opPage    opKind = "page"    // a page read (anew or from its stored bytes)
	opChecked opKind = "checked" // a page confirmed unchanged
	opGone    opKind = "gone"    // a page that answered 404 or 410
	opPromote opKind = "promote" // a page of this run judged again with a stronger origin
	// opRejudge is a stored page judged again with what the run learned
	// of its site: it becomes a notice, stops being one, or keeps what it
	// is with new reasons.
	opRejudge opKind = "rejudge"
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
	// Verdict is a rejudged page's new verdict; ThisRun tells that the
	// run read (and counted) the page.
	Verdict *verdict.Verdict `json:"verdict,omitempty"`
	ThisRun bool             `json:"this_run,omitempty"`
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

// result is what of an extraction the store needs (not the links), with
// the page's evidence and the decision made on it.
type result struct {
	Kind      extract.Kind     `json:"kind"`
	Notice    notice.Notice    `json:"notice"`
	Canonical string           `json:"canonical,omitempty"`
	Learned   []notice.Partner `json:"learned,omitempty"`
	Page      verdict.Page     `json:"page_evidence"`
	Verdict   *verdict.Verdict `json:"verdict,omitempty"`
}

// resultOf keeps an extraction with the decision on it: the one the run
// made (p.Verdict), else the page's own evidence and origin's.
func resultOf(p Page, res *extract.Result) *result {
	if res == nil {
		return nil
	}
	v := p.Verdict
	if v == nil {
		j := Judge(res, p.Origin)
		v = &j
	}
	return &result{Kind: res.Kind, Notice: res.Notice, Canonical: res.Canonical, Learned: res.Learned, Page: res.Page, Verdict: v}
}

func (r *result) extract() *extract.Result {
	return &extract.Result{Kind: r.Kind, Notice: r.Notice, Canonical: r.Canonical, Learned: r.Learned, Page: r.Page}
}

// decision is the verdict an operation carries. Operations staged by an
// older noticekb carry none: their page kind decides.
func (r *result) decision() verdict.Verdict {
	if r.Verdict != nil {
		return *r.Verdict
	}
	return verdict.Verdict{Kind: r.Kind}
}

// runCounts is what a run's writes did: its summary, and the pages whose
// notice the run added, so a notice the run takes back (a page rejudged)
// counts as never added.
type runCounts struct {
	*notice.RunSummary
	added map[string]bool
}

// apply performs one operation inside a write transaction.
func (g *Ingester) apply(w *store.Writer, o op, sum *runCounts, now time.Time) error {
	switch o.Kind {
	case opPage:
		return g.applyPage(w, o, sum, now, false)
	case opPromote:
		return g.applyPage(w, o, sum, now, true)
	case opRejudge:
		return g.applyRejudge(w, o, sum, now)
	case opChecked:
		return g.applyChecked(w, o, sum, now)
	case opGone:
		return g.applyGone(w, o, sum, now)
	}
	return nil
}

// applyPage stores a page and, if it is a notice, the notice: it makes
// the page's record, judges the page, and writes what the judgement says.
func (g *Ingester) applyPage(w *store.Writer, o op, sum *runCounts, now time.Time, promote bool) error {
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
	v := o.Result.decision()
	rec.Kind, rec.Evidence, rec.Verdict = v.Kind.String(), &o.Result.Page, &v
	if v.Kind == verdict.Notice {
		return putNotice(w, rec, raw, res, sum, promote)
	}
	if promote {
		return nil // still not a notice: nothing changes
	}
	sum.Skipped++
	if had && old.NoticeID != "" {
		// The page held a notice and no longer does (new rules, or its
		// content became a list): the notice leaves search.
		changed, err := withdrawOwn(w, old.NoticeID, rec.URL, now)
		if err != nil {
			return err
		}
		if changed {
			sum.Withdrawn++
		}
	}
	return w.PutPage(rec, raw)
}

// applyRejudge writes a stored page's new verdict. A page that becomes a
// notice is stored as one from the extraction the operation carries; a
// page that stops being one has its notice leave search (a notice the
// run added counts as never added); any other keeps what it holds, with
// its new reasons.
func (g *Ingester) applyRejudge(w *store.Writer, o op, sum *runCounts, now time.Time) error {
	rec, had, err := w.Page(o.Page.URL)
	if err != nil || !had || o.Verdict == nil {
		return err
	}
	v := *o.Verdict
	rec.Kind, rec.Verdict = v.Kind.String(), &v
	switch {
	case v.Kind == verdict.Notice && rec.NoticeID == "" && o.Result != nil:
		if !o.ThisRun {
			sum.Skipped++ // putNotice takes back the skip a page of this run was counted
		}
		return putNotice(w, rec, nil, o.Result.extract(), sum, true)
	case v.Kind != verdict.Notice && rec.NoticeID != "":
		id := rec.NoticeID
		rec.NoticeID = ""
		if err := w.PutPage(rec, nil); err != nil {
			return err
		}
		changed, err := withdrawOwn(w, id, rec.URL, now)
		switch {
		case err != nil || !changed:
			return err
		case sum.added[rec.URL]:
			delete(sum.added, rec.URL)
			sum.Added--
			sum.Skipped++
			if n, err := w.Notice(id); err == nil && n.WeakDate() {
				sum.WeakDates-- // counted when it was added
			}
		default:
			sum.Withdrawn++
		}
		return nil
	}
	return w.PutPage(rec, nil)
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
func putNotice(w *store.Writer, rec store.PageRecord, raw []byte, res *extract.Result, sum *runCounts, promote bool) error {
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
	count(sum.RunSummary, outcome)
	if outcome == store.Added || outcome == store.Superseded {
		sum.added[rec.URL] = true
	}
	if outcome != store.Duplicate && outcome != store.Superseded {
		countWeak(sum.RunSummary, n)
	}
	for _, partner := range res.Learned {
		if err := w.PutPartner(partner); err != nil {
			return err
		}
	}
	return w.PutPage(rec, raw)
}

// withdrawOwn withdraws notice id if url is its own page, and reports
// whether that changed anything.
func withdrawOwn(w *store.Writer, id, url string, now time.Time) (bool, error) {
	n, err := w.Notice(id)
	if errors.Is(err, notice.ErrNotFound) || (err == nil && n.URL != url) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return w.SetWithdrawn(id, now)
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
func (g *Ingester) applyChecked(w *store.Writer, o op, sum *runCounts, now time.Time) error {
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
		countWeak(sum.RunSummary, n)
	}
	return w.PutPage(rec, nil)
}

// applyGone records that a page disappeared and withdraws its notice when
// the page was the notice's own (not an alias whose notice lives on).
func (g *Ingester) applyGone(w *store.Writer, o op, sum *runCounts, now time.Time) error {
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
