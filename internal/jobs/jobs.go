// Package jobs runs admin re-imports in the background, one at a time,
// with progress, cancellation and a history kept in the store.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// Reimporter does the work of a job.
type Reimporter interface {
	// Check refuses a target before a job is made: a site that is neither
	// known nor allowed, a private address (errors wrap notice.ErrForbidden),
	// or a malformed URL (notice.ErrInvalidQuery).
	Check(ctx context.Context, kind, url string) error
	// Reimport runs the job until it ends or ctx is cancelled, reporting
	// progress as it goes. An error (cancellation included) means nothing
	// the job read was kept.
	Reimport(ctx context.Context, job notice.Job, progress func(notice.JobProgress)) (notice.RunSummary, error)
}

// History keeps jobs (the store).
type History interface {
	PutJob(id string, job any) error
	Jobs(fn func(id string, data []byte) error) error
	DeleteJob(id string) error
}

// keep is how many finished jobs the history holds.
const keep = 100

// Manager starts, tracks and cancels jobs.
type Manager struct {
	work    Reimporter
	history History
	log     *slog.Logger
	base    context.Context

	mu      sync.Mutex
	jobs    map[string]*notice.Job
	current string
	cancel  context.CancelFunc
	done    chan struct{}
}

// New returns a manager. Jobs the history shows as running were cut short
// by the process ending; they are marked failed (their writes were staged
// and are dropped when the store is opened).
func New(base context.Context, work Reimporter, history History, log *slog.Logger) (*Manager, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{work: work, history: history, log: log, base: base, jobs: map[string]*notice.Job{}}
	var cut []*notice.Job
	err := history.Jobs(func(id string, data []byte) error {
		var j notice.Job
		if err := json.Unmarshal(data, &j); err != nil {
			log.Warn("unreadable job in the history", "id", id, "err", err)
			return nil
		}
		if !j.Done() {
			j.State, j.Error, j.Finished = notice.JobFailed, "interrupted: noticekb stopped while the job ran", time.Now().UTC()
			cut = append(cut, &j)
		}
		m.jobs[j.ID] = &j
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: history: %w", err)
	}
	// Written after reading: a store write inside its own read would wait for ever.
	for _, j := range cut {
		if err := history.PutJob(j.ID, *j); err != nil {
			return nil, fmt.Errorf("jobs: history: %w", err)
		}
	}
	return m, nil
}

// Start checks the target and starts a job, or returns an error wrapping
// notice.ErrBusy when one is running.
func (m *Manager) Start(ctx context.Context, kind, url string) (notice.Job, error) {
	if kind != notice.JobPage && kind != notice.JobSite && kind != notice.JobReextract {
		return notice.Job{}, fmt.Errorf("jobs: kind %q: %w", kind, notice.ErrInvalidQuery)
	}
	if (kind == notice.JobReextract) != (url == "") {
		return notice.Job{}, fmt.Errorf("jobs: %s job with URL %q: page and site jobs need one, re-extraction takes none: %w", kind, url, notice.ErrInvalidQuery)
	}
	if err := m.work.Check(ctx, kind, url); err != nil {
		return notice.Job{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.current != "" {
		return notice.Job{}, fmt.Errorf("jobs: job %s is running; one job at a time: %w", m.current, notice.ErrBusy)
	}
	j := &notice.Job{ID: newID(), Kind: kind, URL: url, State: notice.JobRunning, Started: time.Now().UTC()}
	if err := m.history.PutJob(j.ID, *j); err != nil {
		return notice.Job{}, fmt.Errorf("jobs: %w", err)
	}
	m.jobs[j.ID] = j
	ctx, cancel := context.WithCancel(m.base)
	m.current, m.cancel, m.done = j.ID, cancel, make(chan struct{})
	go m.run(ctx, *j, m.done)
	m.log.Info("admin job started", "id", j.ID, "kind", kind, "url", url)
	return *j, nil
}

func (m *Manager) run(ctx context.Context, j notice.Job, done chan struct{}) {
	defer close(done)
	sum, err := m.work.Reimport(ctx, j, func(p notice.JobProgress) {
		m.mu.Lock()
		m.jobs[j.ID].Progress = p
		m.mu.Unlock()
	})
	m.mu.Lock()
	defer m.mu.Unlock()
	job := m.jobs[j.ID]
	job.Summary, job.Finished = &sum, time.Now().UTC()
	switch {
	case err == nil:
		job.State = notice.JobSucceeded
	case ctx.Err() != nil:
		job.State, job.Error = notice.JobCancelled, "cancelled; the knowledge base is as it was"
	default:
		job.State, job.Error = notice.JobFailed, err.Error()+"; the knowledge base is as it was"
	}
	m.current, m.cancel = "", nil
	if err := m.history.PutJob(job.ID, *job); err != nil {
		m.log.Error("job history not written", "id", job.ID, "err", err)
	}
	m.prune()
	m.log.Info("admin job ended", "id", job.ID, "state", job.State, "added", sum.Added, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "withdrawn", sum.Withdrawn, "failed", sum.Failed, "weak_dates", sum.WeakDates)
}

// prune forgets the oldest finished jobs beyond keep.
func (m *Manager) prune() {
	all := m.sorted()
	for _, j := range all[min(len(all), keep):] {
		if j.Done() {
			delete(m.jobs, j.ID)
			if err := m.history.DeleteJob(j.ID); err != nil {
				m.log.Warn("job history not pruned", "id", j.ID, "err", err)
			}
		}
	}
}

// Job returns a job, or an error wrapping notice.ErrNotFound.
func (m *Manager) Job(id string) (notice.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return notice.Job{}, fmt.Errorf("jobs: job %q: %w", id, notice.ErrNotFound)
	}
	return *j, nil
}

// Jobs returns the jobs, newest first.
func (m *Manager) Jobs() []notice.Job {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sorted()
}

func (m *Manager) sorted() []notice.Job {
	out := make([]notice.Job, 0, len(m.jobs))
	for _, j := range m.jobs {
		out = append(out, *j)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Started.After(out[k].Started) })
	return out
}

// Cancel stops a running job and waits until it has dropped its writes.
// A job that has ended already gives an error wrapping notice.ErrBusy
// (there is nothing to cancel).
func (m *Manager) Cancel(id string) (notice.Job, error) {
	m.mu.Lock()
	j, ok := m.jobs[id]
	if !ok {
		m.mu.Unlock()
		return notice.Job{}, fmt.Errorf("jobs: job %q: %w", id, notice.ErrNotFound)
	}
	if m.current != id {
		defer m.mu.Unlock()
		return *j, fmt.Errorf("jobs: job %s has already ended (%s): %w", id, j.State, notice.ErrBusy)
	}
	cancel, done := m.cancel, m.done
	m.mu.Unlock()
	cancel()
	<-done
	return m.Job(id)
}

// Wait blocks until the job with id has ended or ctx ends.
func (m *Manager) Wait(ctx context.Context, id string) (notice.Job, error) {
	m.mu.Lock()
	done := m.done
	running := m.current == id
	m.mu.Unlock()
	if running {
		select {
		case <-done:
		case <-ctx.Done():
			return notice.Job{}, ctx.Err()
		}
	}
	return m.Job(id)
}

// Close cancels a running job and waits for it.
func (m *Manager) Close() {
	m.mu.Lock()
	cancel, done := m.cancel, m.done
	m.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

func newID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("jobs: no randomness: " + err.Error()))
	}
	return hex.EncodeToString(b)
}
