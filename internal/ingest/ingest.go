// Package ingest turns extracted pages into stored notices and keeps the
// search index in step with the store. Imports, crawls and
// re-extractions all write through a Session, which batches pages into one
// store transaction and then brings the index up to date from the store's
// change log, so the index never holds what the store does not.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"noticekb/internal/extract"
	"noticekb/internal/notice"
	"noticekb/internal/partner"
	"noticekb/internal/store"
	"noticekb/internal/urlnorm"
)

// Indexer is the search index as ingestion needs it.
type Indexer interface {
	Apply(changed []notice.Notice, seq uint64) error
	AppliedSeq() uint64
}

// Ingester writes notices to the store and the index.
type Ingester struct {
	store   *store.Store
	index   Indexer
	extract *extract.Extractor
	log     *slog.Logger
	now     func() time.Time
	syncMu  sync.Mutex
}

// New returns an Ingester.
func New(st *store.Store, ix Indexer, x *extract.Extractor, log *slog.Logger) *Ingester {
	return &Ingester{store: st, index: ix, extract: x, log: log, now: time.Now}
}

// Extractor is the extractor ingestion uses.
func (g *Ingester) Extractor() *extract.Extractor { return g.extract }

// Store is the store ingestion writes to.
func (g *Ingester) Store() *store.Store { return g.store }

// LearnStoredPartners teaches the extractor the organisations earlier
// notices defined, so a bare acronym in a new notice is recognised.
func (g *Ingester) LearnStoredPartners() error {
	partners, err := g.store.Partners()
	if err != nil {
		return err
	}
	resolver := g.extract.Partners()
	for _, p := range partners {
		resolver.Learn(p)
	}
	return g.canonicalPartners(resolver)
}

// canonicalPartners rewrites stored notices whose partner or publisher
// names the resolver now gives another name (an organisation learned from
// a notice and since added to the gazetteer under its own acronym, an
// alias merged), so one organisation never shows under two names. The
// index follows through the store's change log at the next Sync.
func (g *Ingester) canonicalPartners(r *partner.Resolver) error {
	var changed []notice.Notice
	err := g.store.EachNotice(func(n notice.Notice) error {
		partners := r.Canonical(n.Partners)
		publisher := n.Publisher
		if p, ok := r.Lookup(publisher); ok {
			publisher = p.Name
		}
		if !slices.Equal(partners, n.Partners) || publisher != n.Publisher {
			n.Partners, n.Publisher = partners, publisher
			changed = append(changed, n)
		}
		return nil
	})
	if err != nil || len(changed) == 0 {
		return err
	}
	g.log.Info("partner names made canonical", "notices", len(changed))
	return g.store.Write(func(w *store.Writer) error {
		for _, n := range changed {
			if _, _, err := w.PutNotice(n); err != nil {
				return err
			}
		}
		return nil
	})
}

const syncBatch = 500

// Sync applies every store change the index has not seen. It runs after
// each write and at start, where it repairs an index that a crash left behind.
func (g *Ingester) Sync(ctx context.Context) (int, error) {
	g.syncMu.Lock()
	defer g.syncMu.Unlock()
	since := g.index.AppliedSeq()
	if since >= g.store.LastSeq() {
		return 0, nil
	}
	type change struct {
		seq uint64
		n   notice.Notice
	}
	var pending []change
	err := g.store.Changes(since, func(seq uint64, n notice.Notice) error {
		pending = append(pending, change{seq, n})
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("ingest: read changes: %w", err)
	}
	for start := 0; start < len(pending); start += syncBatch {
		if err := ctx.Err(); err != nil {
			return start, err
		}
		end := min(start+syncBatch, len(pending))
		batch := make([]notice.Notice, 0, end-start)
		for _, c := range pending[start:end] {
			batch = append(batch, c.n)
		}
		if err := g.index.Apply(batch, pending[end-1].seq); err != nil {
			return start, fmt.Errorf("ingest: index: %w", err)
		}
	}
	return len(pending), nil
}

// Origin says how a page reached ingestion, which decides how much
// evidence it needs to count as a notice.
type Origin string

const (
	// OriginImport is a file the user chose: any page with a title and
	// enough text is a notice.
	OriginImport Origin = "import"
	// OriginList is a page a crawler reached from a list of notices.
	OriginList Origin = "list"
	// OriginCrawl is any other crawled page: it needs a date, article
	// markup or a rule to count as a notice.
	OriginCrawl Origin = "crawl"
)

// Page is one page to ingest.
type Page struct {
	// URL is the normalised URL the page is stored under.
	URL          string
	FetchURL     string
	Body         []byte
	ContentType  string
	Status       int
	ETag         string
	LastModified string
	Origin       Origin
}

// Session batches the writes of one run. Its methods are safe for
// concurrent use by a run's workers.
type Session struct {
	g        *Ingester
	ctx      context.Context
	mu       sync.Mutex
	pending  []pendingPage
	gone     []string
	summary  notice.RunSummary
	flushAt  int
	failures map[string]bool
}

type pendingPage struct {
	page   Page
	res    *extract.Result
	reason string // why the page could not be read, or ""
}

// Begin starts a session.
func (g *Ingester) Begin(ctx context.Context) *Session {
	return &Session{g: g, ctx: ctx, flushAt: 200, summary: notice.RunSummary{Started: g.now()}}
}

// Extract reads a page with the ingester's extractor. Callers run it in
// parallel, then hand the result to Add.
func (s *Session) Extract(p Page) (*extract.Result, error) {
	return s.g.extract.Extract(extract.Page{URL: p.FetchURL, Body: p.Body, ContentType: p.ContentType})
}

// Add queues an extracted page (or the error that kept it from being
// read) and writes the queue when it is full.
func (s *Session) Add(p Page, res *extract.Result, err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.summary.Pages++
	pp := pendingPage{page: p, res: res}
	if err != nil {
		pp.reason = err.Error()
	}
	s.pending = append(s.pending, pp)
	if len(s.pending) >= s.flushAt {
		return s.flushLocked()
	}
	return nil
}

// Fail records a page that could not be fetched at all.
func (s *Session) Fail(url, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.summary.Pages++
	s.summary.Fail(url, reason)
}

// Gone records that a page answered 404 or 410: its notice is withdrawn.
func (s *Session) Gone(url string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.summary.Pages++
	s.gone = append(s.gone, url)
	if len(s.gone) >= s.flushAt {
		return s.flushLocked()
	}
	return nil
}

// Summary returns the counts so far.
func (s *Session) Summary() notice.RunSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.summary
	out.Failures = append([]notice.Failure(nil), s.summary.Failures...)
	return out
}

// Close writes what is queued and returns the run's summary.
func (s *Session) Close() (notice.RunSummary, error) {
	s.mu.Lock()
	err := s.flushLocked()
	s.summary.Finished = s.g.now()
	out := s.summary
	s.mu.Unlock()
	return out, err
}

// flushLocked writes the queued pages in one transaction, then updates the
// index. A failed transaction writes nothing; the pages count as failed.
func (s *Session) flushLocked() error {
	if len(s.pending) == 0 && len(s.gone) == 0 {
		return nil
	}
	pending, gone := s.pending, s.gone
	s.pending, s.gone = nil, nil
	var delta notice.RunSummary
	err := s.g.store.Write(func(w *store.Writer) error {
		delta = notice.RunSummary{}
		for _, pp := range pending {
			if err := s.g.write(w, pp, &delta); err != nil {
				return err
			}
		}
		for _, url := range gone {
			if err := s.g.withdraw(w, url, &delta); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, pp := range pending {
			s.summary.Fail(pp.page.URL, "store: "+err.Error())
		}
		return fmt.Errorf("ingest: write: %w", err)
	}
	delta.Pages = 0 // counted as pages arrived
	s.summary.Add(delta)
	if _, err := s.g.Sync(s.ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// write stores one page and, if it is a notice, the notice.
func (g *Ingester) write(w *store.Writer, pp pendingPage, sum *notice.RunSummary) error {
	p := pp.page
	rec := store.PageRecord{
		URL: p.URL, FetchURL: p.FetchURL, Status: p.Status, ETag: p.ETag, LastModified: p.LastModified,
		ContentType: p.ContentType, ContentHash: store.HashBytes(p.Body), Size: len(p.Body),
		FetchedAt: g.now(), Origin: string(p.Origin),
	}
	if pp.reason != "" {
		rec.Error = pp.reason
		sum.Fail(p.URL, pp.reason)
		return w.PutPage(rec, p.Body)
	}
	res := pp.res
	rec.Kind = res.Kind.String()
	if !isNotice(res, p.Origin) {
		sum.Skipped++
		return w.PutPage(rec, p.Body)
	}
	n := res.Notice
	n.URL = canonicalURL(p.URL, res.Canonical)
	n.ID = notice.IDForURL(n.URL)
	n.FetchedAt = rec.FetchedAt
	outcome, id, err := w.PutNotice(n)
	if err != nil {
		return err
	}
	rec.NoticeID = id
	switch outcome {
	case store.Added:
		sum.Added++
	case store.Updated:
		sum.Updated++
	case store.Unchanged:
		sum.Unchanged++
	case store.Duplicate:
		sum.Duplicates++
	}
	for _, partner := range res.Learned {
		if err := w.PutPartner(partner); err != nil {
			return err
		}
	}
	return w.PutPage(rec, p.Body)
}

func (g *Ingester) withdraw(w *store.Writer, url string, sum *notice.RunSummary) error {
	id := notice.IDForURL(url)
	changed, err := w.SetWithdrawn(id, g.now())
	if errors.Is(err, notice.ErrNotFound) {
		return nil // a gone page that never was a notice
	}
	if err != nil {
		return err
	}
	if changed {
		sum.Withdrawn++
	}
	return nil
}

// isNotice decides whether an extracted page is stored as a notice.
func isNotice(res *extract.Result, origin Origin) bool {
	switch res.Kind {
	case extract.KindNotice:
		return true
	case extract.KindOther:
		return res.Substantial() && origin != OriginCrawl
	}
	return false
}

// canonicalURL is the page's declared canonical URL when it is on the same
// site, so aliases of one notice share one key; otherwise the fetched URL.
func canonicalURL(fetched, declared string) string {
	if declared == "" {
		return fetched
	}
	c, err := urlnorm.Normalize(declared)
	if err != nil {
		return fetched
	}
	f, err := urlnorm.Normalize(fetched)
	if err != nil {
		return fetched
	}
	if hostOf(c) != hostOf(f) {
		return fetched
	}
	return c
}
