package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// exclusive runs fn while no run of its site goes on, until fn ends or
// the asker or the scheduler gives up.
func (s *Scheduler) exclusive(runCtx context.Context, r *request) error {
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	stop := context.AfterFunc(runCtx, cancel)
	defer stop()
	return r.fn(ctx)
}

// execute does one run: its record is written as it starts (running,
// with a lease renewed while it goes on) and as it ends, together with
// its site's next run.
func (s *Scheduler) execute(loopCtx, ctx context.Context, r *request, a *activeRun) (notice.SiteRun, error) {
	site, err := s.store.RegisteredSite(r.site)
	if err != nil {
		return notice.SiteRun{}, err
	}
	now := s.cfg.Now()
	if r.trigger == notice.TriggerSchedule && (site.Schedule.State == notice.SiteDisabled || site.Schedule.NextRun.After(now)) {
		return notice.SiteRun{}, nil // changed since it was found due
	}
	kind := r.kind
	if kind == "" {
		kind = s.cfg.Policy.Kind(site, now)
	}
	run := notice.SiteRun{Site: site.ID, Kind: kind, Trigger: r.trigger, State: notice.RunRunning, Started: now,
		LeaseUntil: now.Add(s.cfg.Lease), Owner: s.cfg.Owner}
	site, err = s.store.StartRun(&run, func(site *notice.Site) { site.Schedule.LastRun = run.Seq })
	if err != nil {
		return run, fmt.Errorf("schedule: start a run of %s: %w", r.site, err)
	}
	s.mu.Lock()
	a.run = run
	s.mu.Unlock()
	s.log.Info("site run started", "site", site.ID, "run", run.Seq, "kind", kind, "trigger", r.trigger)

	stopLease := s.keepLease(run)
	res := s.runner.Run(ctx, site, kind, func(p notice.JobProgress) {
		s.mu.Lock()
		a.progress = p
		s.mu.Unlock()
		if r.progress != nil {
			r.progress(p)
		}
	})
	stopLease()
	run = s.finish(loopCtx, ctx, run, res)
	return run, runError(run)
}

// keepLease renews a running run's lease until the returned function is
// called.
func (s *Scheduler) keepLease(run notice.SiteRun) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				run.LeaseUntil = s.cfg.Now().Add(s.cfg.Lease)
				if err := s.store.PutSiteRun(run); err != nil {
					s.log.Warn("a run's lease was not renewed", "site", run.Site, "run", run.Seq, "err", err)
				}
			}
		}
	}()
	return func() { close(stop); <-done }
}

// finish records how a run ended and when its site runs next.
func (s *Scheduler) finish(loopCtx, ctx context.Context, run notice.SiteRun, res Result) notice.SiteRun {
	now := s.cfg.Now()
	if res.Kind != "" {
		run.Kind = res.Kind
	}
	run.Summary, run.Requests, run.NotModified = res.Summary, res.Requests, res.NotModified
	run.Feed, run.FeedItems = res.Feed.URL, res.FeedItems
	run.Finished, run.LeaseUntil = now, time.Time{}
	settle := func(site *notice.Site) { s.cfg.Policy.settle(site, res, now) }
	switch {
	case loopCtx.Err() != nil:
		run.State, run.Error = notice.RunInterrupted, "noticekb stopped during the run; nothing it read was kept, and the site runs again at the next start"
		settle = func(site *notice.Site) { site.Schedule.NextRun = now }
	case ctx.Err() != nil:
		run.State, run.Error = notice.RunCancelled, "cancelled; nothing it read was kept"
		settle = func(site *notice.Site) {
			if !site.Schedule.NextRun.After(now) {
				site.Schedule.NextRun = now.Add(s.cfg.Policy.jitter(max(site.Schedule.Interval.D(), s.cfg.Policy.MinInterval)))
			}
		}
	case res.Blocked != "":
		run.State, run.Error = notice.RunBlocked, res.Blocked
	case res.Err != nil:
		run.State, run.Error = notice.RunFailed, res.Err.Error()
	default:
		run.State = notice.RunSucceeded
	}
	err := s.store.FinishRun(run, func(site *notice.Site) {
		settle(site)
		site.Schedule.LastRun = run.Seq
	})
	if err != nil {
		s.log.Error("the end of a run was not recorded", "site", run.Site, "run", run.Seq, "err", err)
	}
	s.mu.Lock()
	s.totals.add(run)
	s.mu.Unlock()
	sum := run.Summary
	s.log.Info("site run ended", "site", run.Site, "run", run.Seq, "kind", run.Kind, "state", run.State, "added", sum.Added,
		"updated", sum.Updated, "withdrawn", sum.Withdrawn, "failed", sum.Failed, "requests", run.Requests, "error", run.Error)
	return run
}

// runError is the error a run asked for reports.
func runError(run notice.SiteRun) error {
	switch run.State {
	case notice.RunSucceeded, notice.RunBlocked:
		return nil
	}
	return fmt.Errorf("schedule: run %d of %s %s: %s", run.Seq, run.Site, run.State, run.Error)
}
