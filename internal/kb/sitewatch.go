package kb

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
)

// watchSink is a run's sink with notes on what the crawler handed it:
// whether a start page was read, the list items seen, and whether any
// page changed.
//
// In a check run (lazy set), a list page that answered 304 is not read
// again from its stored bytes: its links are the ones already followed,
// so it costs its request and nothing more. Only when some page changed
// are such lists read (readDeferred), for the items that are still listed.
type watchSink struct {
	*ingest.CrawlSink
	lazy     func(url string) bool
	cpu      chan struct{} // slots for reading pages, shared by the runs
	mu       sync.Mutex
	read     bool
	items    []string
	changes  int
	deferred []crawl.Fetched
}

// Page notes what the sink made of a page.
func (w *watchSink) Page(ctx context.Context, f crawl.Fetched) (crawl.Verdict, error) {
	if f.NotModified && w.lazy != nil && w.lazy(f.URL) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.read = w.read || f.Depth == 0
		w.deferred = append(w.deferred, f)
		return crawl.Verdict{Unchanged: true, Useful: true}, nil
	}
	v, err := w.extract(ctx, f)
	w.note(f, v)
	return v, err
}

// extract hands a page to the sink (which extracts it) in one of the runs'
// CPU slots.
func (w *watchSink) extract(ctx context.Context, f crawl.Fetched) (v crawl.Verdict, err error) {
	err = w.inSlot(ctx, func() error {
		v, err = w.CrawlSink.Page(ctx, f)
		return err
	})
	return v, err
}

// finish ends the run's judging (ingest.CrawlSink.Finish), which may read
// stored pages again, in one of the runs' CPU slots.
func (w *watchSink) finish(ctx context.Context) error {
	return w.inSlot(ctx, w.CrawlSink.Finish)
}

// inSlot runs work in one of the runs' CPU slots.
func (w *watchSink) inSlot(ctx context.Context, work func() error) error {
	if w.cpu != nil {
		select {
		case w.cpu <- struct{}{}:
			defer func() { <-w.cpu }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return work()
}

func (w *watchSink) note(f crawl.Fetched, v crawl.Verdict) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.read = w.read || f.Depth == 0
	if !v.Unchanged {
		w.changes++
	}
	for _, l := range v.Links {
		if l.Item {
			w.items = append(w.items, l.URL)
		}
	}
}

// readDeferred reads the unchanged lists passed over, for their items.
func (w *watchSink) readDeferred(ctx context.Context) error {
	w.mu.Lock()
	deferred := w.deferred
	w.deferred = nil
	w.mu.Unlock()
	for _, f := range deferred {
		v, err := w.extract(ctx, f)
		if err != nil {
			return err
		}
		w.note(f, v)
	}
	return nil
}

// Gone notes a page taken down.
func (w *watchSink) Gone(url string, status int) error {
	w.mu.Lock()
	w.changes++
	w.mu.Unlock()
	return w.CrawlSink.Gone(url, status)
}

func (w *watchSink) changed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changes > 0
}

// itemNotices are the notices the lists' item links lead to (through the
// stored pages they name).
func (w *watchSink) itemNotices(st *store.Store) map[string]bool {
	w.mu.Lock()
	items := slices.Clone(w.items)
	w.mu.Unlock()
	out := map[string]bool{}
	for _, u := range items {
		if rec, ok, _ := st.Page(u); ok && rec.NoticeID != "" {
			out[rec.NoticeID] = true
		}
		out[notice.IDForURL(u)] = true
	}
	return out
}

// meter adds up a run's crawler counts over its crawls (each crawl of a
// crawler starts its counts again; robots.txt and feed requests do not)
// and reports progress while the run goes on.
type meter struct {
	c        *crawl.Crawler
	mu       sync.Mutex
	done     crawl.Stats // the crawls before the current one
	last     crawl.Stats // the crawler's counts when last folded
	stopped  chan struct{}
	finished chan struct{}
}

func newMeter(c *crawl.Crawler, progress func(notice.JobProgress)) *meter {
	m := &meter{c: c, last: c.Stats(), stopped: make(chan struct{}), finished: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(m.finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			s := m.total()
			p := notice.JobProgress{Fetched: s.Fetched, NotModified: s.NotModified, Queued: m.c.Stats().Queued, Errors: s.Errors}
			if took := time.Since(start).Seconds(); took > 0 {
				p.Rate = float64(s.Fetched) / took
			}
			if progress != nil {
				progress(p)
			}
			select {
			case <-m.stopped:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// since is what the crawler counted since it was last folded.
func (m *meter) since(cur crawl.Stats) crawl.Stats {
	if !cur.Started.Equal(m.last.Started) {
		return cur // a crawl began since: its counts start from zero
	}
	return crawl.Stats{
		Fetched: cur.Fetched - m.last.Fetched, NotModified: cur.NotModified - m.last.NotModified, Errors: cur.Errors - m.last.Errors,
		Retries: cur.Retries - m.last.Retries, Disallowed: cur.Disallowed - m.last.Disallowed, Trapped: cur.Trapped - m.last.Trapped,
		Requests: cur.Requests - m.last.Requests,
	}
}

// crawl runs one crawl of the run, its counts kept.
func (m *meter) crawl(run func() error) error {
	m.fold()
	err := run()
	m.fold()
	return err
}

func (m *meter) fold() {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.c.Stats()
	m.done = m.done.Add(m.since(cur))
	m.last = cur
}

func (m *meter) total() crawl.Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.done.Add(m.since(m.c.Stats()))
}

func (m *meter) requests() int64    { return m.total().Requests }
func (m *meter) notModified() int64 { return m.total().NotModified }

func (m *meter) stop() {
	close(m.stopped)
	<-m.finished
}
