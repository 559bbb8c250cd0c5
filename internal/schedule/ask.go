package schedule

import (
	"context"
	"fmt"
	"slices"

	"github.com/noticekb/noticekb/internal/notice"
)

// RunNow runs a site now (kind "" lets the policy choose), after a run of
// it going on and ahead of due sites, and waits for it to end. Leaving
// ctx cancels the run. The error says why a run failed (its record says
// it too).
func (s *Scheduler) RunNow(ctx context.Context, id, kind, trigger string, progress func(notice.JobProgress)) (notice.SiteRun, error) {
	r := &request{site: id, kind: kind, trigger: trigger, progress: progress, done: make(chan struct{}), ctx: ctx}
	if err := s.ask(r); err != nil {
		return notice.SiteRun{}, err
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		s.withdraw(r)
		<-r.done
	}
	return r.run, r.err
}

// Queue asks for a run of a site soon, without waiting for it. A site
// running or queued already gives an error wrapping notice.ErrBusy.
func (s *Scheduler) Queue(id, kind, trigger string) error {
	s.mu.Lock()
	busy := s.active[id] != nil || s.queuedLocked(id)
	s.mu.Unlock()
	if busy {
		return fmt.Errorf("schedule: %s is running or about to: %w", id, notice.ErrBusy)
	}
	return s.ask(&request{site: id, kind: kind, trigger: trigger, done: make(chan struct{}), ctx: context.Background()})
}

// Exclusive runs fn with no run of the site going on (an admin's re-import
// of one page of it), in the queue like a run.
func (s *Scheduler) Exclusive(ctx context.Context, id string, fn func(context.Context) error) error {
	r := &request{site: id, fn: fn, done: make(chan struct{}), ctx: ctx}
	if err := s.ask(r); err != nil {
		return err
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		s.withdraw(r)
		<-r.done
	}
	return r.err
}

func (s *Scheduler) ask(r *request) error {
	if _, err := s.store.RegisteredSite(r.site); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.looping {
		return fmt.Errorf("schedule: this process does not run sites (serve --no-schedule): %w", notice.ErrBusy)
	}
	s.queue = append(s.queue, r)
	s.Wake()
	return nil
}

// withdraw takes a request out of the queue (failing it), or cancels its
// run if it has started.
func (s *Scheduler) withdraw(r *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.queue, r); i >= 0 {
		s.queue = slices.Delete(s.queue, i, i+1)
		r.err = fmt.Errorf("schedule: %w", context.Canceled)
		close(r.done)
		return
	}
	if a := s.active[r.site]; a != nil {
		a.cancel()
	}
}

// Cancel stops the run of a site going on, if any (the site was removed
// or disabled).
func (s *Scheduler) Cancel(id string) {
	s.mu.Lock()
	a := s.active[id]
	s.mu.Unlock()
	if a != nil {
		a.cancel()
		<-a.done
	}
}

// Live is a run going on, with its progress.
type Live struct {
	Run      notice.SiteRun
	Progress notice.JobProgress
}

// Active returns the runs going on, by site.
func (s *Scheduler) Active() map[string]Live {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Live, len(s.active))
	for id, a := range s.active {
		out[id] = Live{Run: a.run, Progress: a.progress}
	}
	return out
}

// Totals adds up the runs ended since the process started, for /metrics.
type Totals struct {
	// Runs counts runs by kind and state.
	Runs                              map[[2]string]int64
	Added, Updated, Withdrawn, Failed int64
	Requests, NotModified             int64
	Seconds                           float64
}

func (t *Totals) add(run notice.SiteRun) {
	if t.Runs == nil {
		t.Runs = map[[2]string]int64{}
	}
	t.Runs[[2]string{run.Kind, string(run.State)}]++
	if run.State == notice.RunSucceeded {
		t.Added += int64(run.Summary.Added)
		t.Updated += int64(run.Summary.Updated)
		t.Withdrawn += int64(run.Summary.Withdrawn)
	}
	t.Failed += int64(run.Summary.Failed)
	t.Requests += run.Requests
	t.NotModified += run.NotModified
	t.Seconds += run.Finished.Sub(run.Started).Seconds()
}

// Totals returns the runs ended since the process started.
func (s *Scheduler) Totals() Totals {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.totals
	out.Runs = make(map[[2]string]int64, len(s.totals.Runs))
	for k, v := range s.totals.Runs {
		out.Runs[k] = v
	}
	return out
}
