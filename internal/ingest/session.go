package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/verdict"
)

// Session batches the writes of one run. Its methods are safe for
// concurrent use by a run's workers.
//
// A direct session (Begin) writes every batch to the store and brings the
// index up to date at once, so an interrupted run keeps what it did and a
// rerun carries on from there. A staged session (BeginStaged) appends its
// batches to a stage in the store and applies them all only on Close, so
// until then search serves the old data, and a run that fails, is
// cancelled (Abort) or dies leaves the knowledge base as it was.
type Session struct {
	g       *Ingester
	ctx     context.Context
	stage   string // "" for a direct session
	mu      sync.Mutex
	pending []op
	summary notice.RunSummary // pages as they arrive, fetch failures
	flushAt int
	flushed time.Time
	done    bool
	// writeMu is held while a batch is written, so workers go on queueing
	// (and extracting) meanwhile. It is taken while mu is still held, so
	// batches are written in the order they were taken; never the reverse.
	writeMu sync.Mutex
	written notice.RunSummary // what the written batches did
	added   map[string]bool   // pages whose notice the written batches added
	// learned are the acronyms of organisations first defined in this
	// run; skipBackfill is set on the session that backfills them.
	learned      map[string]bool
	skipBackfill bool
}

// flushEvery bounds how long queued writes wait, so a slow, polite crawl
// that dies loses at most this much work.
const flushEvery = 5 * time.Second

// Begin starts a direct session.
func (g *Ingester) Begin(ctx context.Context) *Session {
	return &Session{g: g, ctx: ctx, flushAt: 200, flushed: g.now(), summary: notice.RunSummary{Started: g.now()}}
}

// BeginStaged starts a staged session named name; a stage of that name
// left by an earlier run is dropped first.
func (g *Ingester) BeginStaged(ctx context.Context, name string) (*Session, error) {
	if name == "" {
		return nil, errors.New("ingest: a staged session needs a name")
	}
	if err := g.store.Write(func(w *store.Writer) error { return w.StageDrop(name) }); err != nil {
		return nil, err
	}
	s := g.Begin(ctx)
	s.stage = name
	return s, nil
}

// Extract reads a page with the ingester's extractor. Callers run it in
// parallel, then hand the result to Add.
func (s *Session) Extract(p Page) (*extract.Result, error) {
	return s.g.extract.Extract(extract.Page{URL: p.FetchURL, Body: p.Body, ContentType: p.ContentType})
}

// Add queues a page read anew with its extraction (or the error that kept
// it from being read), and writes the queue when it is full.
func (s *Session) Add(p Page, res *extract.Result, err error) error {
	o := op{Kind: opPage, Page: metaOf(p), Raw: p.Body}
	if err != nil {
		o.Reason = err.Error()
	} else {
		o.Result = resultOf(p, res)
	}
	return s.queue(o, true)
}

// Reread queues a stored page extracted again from its stored bytes
// (reextract): the bytes and fetch time stay as they are.
func (s *Session) Reread(p Page, res *extract.Result, err error) error {
	o := op{Kind: opPage, Page: metaOf(p), KeepRaw: true}
	if err != nil {
		o.Reason = err.Error()
	} else {
		o.Result = resultOf(p, res)
	}
	return s.queue(o, true)
}

// Unchanged queues a page that answered 304 or sent the stored bytes
// again: nothing is extracted or indexed; the record notes the check and
// any new validators (ETag, Last-Modified) in p.
func (s *Session) Unchanged(p Page) error {
	return s.queue(op{Kind: opChecked, Page: metaOf(p)}, true)
}

// Promote queues a page already added in this run, judged again because a
// list linked to it after it was read (p.Origin is the stronger origin).
func (s *Session) Promote(p Page, res *extract.Result) error {
	return s.queue(op{Kind: opPromote, Page: metaOf(p), Result: resultOf(p, res)}, false)
}

// Rejudge queues a stored page's new verdict, v, made with what the run
// learned of its site. res is the page's extraction, needed when v makes
// it a notice; thisRun tells that this run read (and counted) the page.
func (s *Session) Rejudge(p Page, res *extract.Result, v verdict.Verdict, thisRun bool) error {
	p.Verdict = &v
	return s.queue(op{Kind: opRejudge, Page: metaOf(p), Result: resultOf(p, res), Verdict: &v, ThisRun: thisRun}, false)
}

// Gone queues a page that answered 404 or 410: its record keeps the time
// it disappeared and its notice is withdrawn from search.
func (s *Session) Gone(url string, status int) error {
	return s.queue(op{Kind: opGone, Page: pageMeta{URL: url, Status: status}}, true)
}

// Fail records a page that could not be fetched at all. Nothing is
// written: what the store knew about the page stays.
func (s *Session) Fail(url, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.summary.Pages++
	s.summary.Fail(url, reason)
}

// Skip records a page that was fetched but is not worth keeping (not HTML).
func (s *Session) Skip() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.summary.Pages++
	s.summary.Skipped++
}

func (s *Session) queue(o op, counts bool) error {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return errors.New("ingest: session already closed")
	}
	if counts {
		s.summary.Pages++
	}
	s.noteLearned(o.Result)
	s.pending = append(s.pending, o)
	if len(s.pending) < s.flushAt && s.g.now().Sub(s.flushed) < flushEvery {
		s.mu.Unlock()
		return nil
	}
	batch := s.takeLocked()
	s.writeMu.Lock()
	s.mu.Unlock()
	defer s.writeMu.Unlock()
	return s.writeBatch(batch)
}

func (s *Session) takeLocked() []op {
	batch := s.pending
	s.pending, s.flushed = nil, s.g.now()
	return batch
}

// Summary returns the counts so far. A staged session counts added,
// updated, unchanged, withdrawn and skipped pages only when it commits.
func (s *Session) Summary() notice.RunSummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.summaryLocked()
}

func (s *Session) summaryLocked() notice.RunSummary {
	out := s.summary
	out.Failures = append([]notice.Failure(nil), s.summary.Failures...)
	out.Add(s.written)
	return out
}

// Close writes what is queued and returns the run's summary. A staged
// session commits here: all its writes are applied, then the index follows.
//
// Then pages read before an organisation they name by acronym was defined
// later in the run are extracted again (see backfill); their updates are
// not counted in the summary, which is the run's own.
func (s *Session) Close() (notice.RunSummary, error) {
	sum, err := s.close()
	if err != nil || len(s.learned) == 0 || s.ctx.Err() != nil {
		return sum, err
	}
	acronyms := make([]string, 0, len(s.learned))
	for a := range s.learned {
		acronyms = append(acronyms, a)
	}
	slices.Sort(acronyms)
	_, err = s.g.backfill(s.ctx, acronyms)
	return sum, err
}

func (s *Session) close() (notice.RunSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	err := s.writeBatch(s.takeLocked())
	s.done = true
	if err == nil && s.stage != "" {
		err = s.commitLocked()
	}
	s.summary.Finished = s.g.now()
	return s.summaryLocked(), err
}

// Abort ends a run without its writes: a staged session drops its stage,
// leaving the store and index as they were. A direct session has written
// its batches already; Abort writes the rest, as Close does.
func (s *Session) Abort() (notice.RunSummary, error) {
	if s.stage == "" {
		return s.Close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.pending, s.done = nil, true
	s.summary.Finished = s.g.now()
	err := s.g.store.Write(func(w *store.Writer) error { return w.StageDrop(s.stage) })
	return s.summaryLocked(), err
}

// writeBatch writes operations, with writeMu held: a direct session
// applies them in one transaction and updates the index; a staged one
// appends them to its stage. A failed transaction writes nothing; its
// pages count as failed.
func (s *Session) writeBatch(batch []op) error {
	if len(batch) == 0 {
		return nil
	}
	if s.stage != "" {
		err := s.g.store.Write(func(w *store.Writer) error {
			for _, o := range batch {
				data, err := json.Marshal(o)
				if err != nil {
					return err
				}
				if err := w.StageAppend(s.stage, data); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("ingest: stage: %w", err)
		}
		return nil
	}
	var delta notice.RunSummary
	if s.added == nil {
		s.added = map[string]bool{}
	}
	err := s.g.store.Write(func(w *store.Writer) error {
		delta = notice.RunSummary{}
		now := s.g.now()
		for _, o := range batch {
			if err := s.g.apply(w, o, &runCounts{&delta, s.added}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, o := range batch {
			s.written.Fail(o.Page.URL, "store: "+err.Error())
		}
		return fmt.Errorf("ingest: write: %w", err)
	}
	s.written.Add(delta)
	if _, err := s.g.Sync(s.ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// commitLocked marks the stage committed, applies it in batches and then
// brings the index up to date. The mark makes the commit a redo log: if
// the process dies half-way, Recover finishes it at the next start.
func (s *Session) commitLocked() error {
	if err := s.g.store.Write(func(w *store.Writer) error { return w.StageCommit(s.stage) }); err != nil {
		return fmt.Errorf("ingest: commit: %w", err)
	}
	delta, err := s.g.applyStage(s.stage)
	s.written.Add(delta)
	if err != nil {
		return err
	}
	// The index catches up even if the run's context has ended: the
	// commit is decided, and search should show it.
	_, err = s.g.Sync(context.WithoutCancel(s.ctx))
	return err
}

const applyBatch = 200

// applyStage applies a committed stage to the end and drops it.
func (g *Ingester) applyStage(name string) (notice.RunSummary, error) {
	var sum notice.RunSummary
	added := map[string]bool{}
	for {
		var n int
		var delta notice.RunSummary
		err := g.store.Write(func(w *store.Writer) error {
			delta = notice.RunSummary{}
			ops, err := w.StageTake(name, applyBatch)
			if err != nil {
				return err
			}
			n = len(ops)
			now := g.now()
			for _, data := range ops {
				var o op
				if err := json.Unmarshal(data, &o); err != nil {
					return fmt.Errorf("ingest: stage %s: %w", name, err)
				}
				if err := g.apply(w, o, &runCounts{&delta, added}, now); err != nil {
					return err
				}
			}
			if n == 0 {
				return w.StageDrop(name)
			}
			return nil
		})
		if err != nil {
			return sum, fmt.Errorf("ingest: apply stage: %w", err)
		}
		sum.Add(delta)
		if n == 0 {
			return sum, nil
		}
	}
}

// Recover deals with the stages a previous process left: a committed one
// is applied to the end, any other dropped (its run never finished). Then
// the index catches up.
func (g *Ingester) Recover(ctx context.Context) error {
	stages, err := g.store.Stages()
	if err != nil {
		return err
	}
	for _, st := range stages {
		if st.Committed {
			g.log.Warn("finishing an interrupted commit", "stage", st.Name, "operations", st.Ops)
			if _, err := g.applyStage(st.Name); err != nil {
				return err
			}
			continue
		}
		g.log.Warn("dropping the writes of a run that did not finish", "stage", st.Name, "operations", st.Ops)
		if err := g.store.Write(func(w *store.Writer) error { return w.StageDrop(st.Name) }); err != nil {
			return err
		}
	}
	_, err = g.Sync(ctx)
	return err
}
