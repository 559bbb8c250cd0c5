// Package ingest decides what a page is and turns extracted pages into
// stored notices, keeping the search index in step with the store. Every
// "is this page a notice?" judgement is made here (IsNotice, and CrawlSink,
// which takes a crawl's pages and revises a judgement when a list's link
// turns up later). Imports, crawls and re-extractions all write through a
// Session, which batches pages into one store transaction and then brings
// the index up to date from the store's change log, so the index never
// holds what the store does not.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/partner"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
	"github.com/noticekb/noticekb/internal/verdict"
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
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
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
	Depth        int
	// Verdict is the decision on the page made with what the run knows of
	// its site (a crawl's); nil leaves it to Judge.
	Verdict *verdict.Verdict
}

// Judge decides what an extracted page is on its own evidence and on how
// it reached ingestion: a person chose the file, or a crawl met it as a
// list's entry. A crawl judges its pages again with what it learns of
// their site (CrawlSink); the evidence and its weighing are the verdict
// package's, the same `noticekb extract --explain` shows.
func Judge(res *extract.Result, origin Origin) verdict.Verdict {
	return verdict.Judge(res.Page, siteOf(origin))
}

// siteOf is what an origin tells of a page beyond the page itself. A
// crawler's "list" origin only says a list linked to the page with a
// title for text: the lists' entries, and whether they show dates, are
// what a crawl reads in the lists themselves (CrawlSink).
func siteOf(o Origin) verdict.Site {
	switch o {
	case OriginImport:
		return verdict.Site{Chosen: true}
	case OriginList:
		return verdict.Site{Listing: verdict.Linked}
	}
	return verdict.Site{}
}

// Stronger reports whether origin a is better evidence than b.
func Stronger(a, b Origin) bool { return originRank(a) > originRank(b) }

func originRank(o Origin) int {
	switch o {
	case OriginImport:
		return 3
	case OriginList:
		return 2
	case OriginCrawl:
		return 1
	}
	return 0
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
