// Package schedule keeps registered sites current: it runs each site when
// it is due, a bounded number at once and never two runs of one site at
// once; it adapts each site's interval to how often the site publishes,
// backs off from a failing site and disables it after too many failures in
// a row; and it records every run in the store as it starts and as it
// ends, so a process killed in the middle of a run loses none (the run
// shows as interrupted and the site runs again at the next start) and
// doubles none (a run's end and its site's next run are written together).
//
// What a run does is the Runner's business (kb: crawl, feed, ingest);
// when and how often is this package's.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// Store keeps the registry and the runs (store.Store).
type Store interface {
	RegisteredSites() ([]notice.Site, error)
	RegisteredSite(id string) (notice.Site, error)
	StartRun(run *notice.SiteRun, fn func(*notice.Site)) (notice.Site, error)
	PutSiteRun(run notice.SiteRun) error
	FinishRun(run notice.SiteRun, fn func(*notice.Site)) error
	RunningRuns() ([]notice.SiteRun, error)
}

// Runner does one run of a site: it reads what kind says and commits what
// it found, or nothing when it fails or ctx ends.
type Runner interface {
	Run(ctx context.Context, site notice.Site, kind string, progress func(notice.JobProgress)) Result
}

// Config sets up a scheduler. Zero fields take the defaults named.
type Config struct {
	Policy
	// Concurrency is how many runs go on at once; 0 means 2.
	Concurrency int
	// Lease is how long a running run's record vouches for it; the
	// process renews it at a third of that. 0 means 2 minutes.
	Lease time.Duration
	// Owner names this process in run records.
	Owner string
	// OnlyAsked runs only the runs asked for (RunNow, Queue), never sites
	// because they are due: `noticekb sites run SITE`.
	OnlyAsked bool
	Log       *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Scheduler runs registered sites.
type Scheduler struct {
	cfg    Config
	store  Store
	runner Runner
	log    *slog.Logger
	wake   chan struct{}

	mu      sync.Mutex
	looping bool
	active  map[string]*activeRun
	queue   []*request
	totals  Totals
}

// request is a run asked for: of a site (kind "" lets the policy choose),
// or exclusive use of a site for fn.
type request struct {
	site, kind, trigger string
	fn                  func(context.Context) error
	progress            func(notice.JobProgress)
	done                chan struct{}
	ctx                 context.Context // the asker's, for exclusive use
	run                 notice.SiteRun
	err                 error
}

type activeRun struct {
	run      notice.SiteRun
	progress notice.JobProgress
	cancel   context.CancelFunc
	done     chan struct{}
}

// New returns a scheduler. Runs the store shows as running were cut
// short by a process that ended (this one holds the store's lock, so no
// other runs them): each is marked interrupted and its site is due at once.
func New(store Store, runner Runner, cfg Config) (*Scheduler, error) {
	cfg.Policy = cfg.Policy.withDefaults()
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 2
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{cfg: cfg, store: store, runner: runner, log: cfg.Log, wake: make(chan struct{}, 1), active: map[string]*activeRun{}}
	if err := s.recover(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Scheduler) recover() error {
	runs, err := s.store.RunningRuns()
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	now := s.cfg.Now()
	for _, run := range runs {
		run.State, run.Finished = notice.RunInterrupted, now
		run.Error = "cut short: noticekb stopped while it ran (killed, crashed or shut down); nothing it read was kept, and the site runs again"
		if !run.LeaseUntil.IsZero() && run.LeaseUntil.After(now) {
			run.Error += fmt.Sprintf(" (its lease by %s still ran to %s, but this process holds the store)", run.Owner, run.LeaseUntil.Format(time.RFC3339))
		}
		err := s.store.FinishRun(run, func(site *notice.Site) { site.Schedule.NextRun = now })
		if err != nil {
			return fmt.Errorf("schedule: %w", err)
		}
		s.log.Warn("a run of a site was cut short; the site runs again", "site", run.Site, "run", run.Seq, "kind", run.Kind)
	}
	return nil
}

// Wake makes the scheduler look at the registry again (after a change).
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run runs due sites and the runs asked for until ctx ends; then it
// cancels the runs going on (they show as interrupted and run again at
// the next start) and waits for them.
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.claim(); err != nil {
		return err
	}
	return s.loop(ctx, false)
}

// Start runs the scheduler in the background until ctx ends, taking runs
// asked for at once; wait waits until it has stopped.
func (s *Scheduler) Start(ctx context.Context) (wait func()) {
	done := make(chan struct{})
	if err := s.claim(); err != nil {
		close(done)
		return func() {}
	}
	go func() {
		defer close(done)
		s.loop(ctx, false)
	}()
	return func() { <-done }
}

// RunDue runs the sites that are due, and those that become due while
// they run, then returns: `noticekb sites run --due`, from cron.
func (s *Scheduler) RunDue(ctx context.Context) error {
	if err := s.claim(); err != nil {
		return err
	}
	return s.loop(ctx, true)
}

// claim marks the scheduler as running, so runs may be asked for.
func (s *Scheduler) claim() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.looping {
		return errors.New("schedule: already running")
	}
	s.looping = true
	return nil
}

// maxSleep bounds the loop's sleep, so a clock change or a missed wake-up
// costs at most this much.
const maxSleep = time.Minute

func (s *Scheduler) loop(ctx context.Context, untilIdle bool) error {
	defer s.stop()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next, err := s.startReady(ctx)
		if err != nil {
			s.log.Error("schedule: registry unreadable", "err", err)
			next = s.cfg.Now().Add(maxSleep)
		}
		s.mu.Lock()
		idle := len(s.active) == 0 && len(s.queue) == 0
		s.mu.Unlock()
		if untilIdle && idle && (next.IsZero() || next.After(s.cfg.Now())) {
			return nil
		}
		sleep := maxSleep
		if !next.IsZero() {
			sleep = min(max(next.Sub(s.cfg.Now()), 0), maxSleep)
		}
		timer.Reset(sleep)
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// stop cancels the runs going on and waits for them; runs asked for and
// not started fail.
func (s *Scheduler) stop() {
	s.mu.Lock()
	s.looping = false
	var waits []chan struct{}
	for _, a := range s.active {
		a.cancel()
		waits = append(waits, a.done)
	}
	queued := s.queue
	s.queue = nil
	s.mu.Unlock()
	for _, r := range queued {
		r.err = fmt.Errorf("schedule: stopped before the run of %s began: %w", r.site, notice.ErrBusy)
		close(r.done)
	}
	for _, w := range waits {
		<-w
	}
}

// startReady starts the runs asked for, then the due sites, by how long
// they have been due, as slots allow. It returns when the next site not
// running is due (zero if none is).
func (s *Scheduler) startReady(ctx context.Context) (time.Time, error) {
	sites, err := s.store.RegisteredSites()
	if err != nil {
		return time.Time{}, err
	}
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < len(s.queue) && len(s.active) < s.cfg.Concurrency; {
		r := s.queue[i]
		if s.active[r.site] != nil {
			i++
			continue
		}
		s.queue = slices.Delete(s.queue, i, i+1)
		s.startLocked(ctx, r)
	}
	var next time.Time
	if s.cfg.OnlyAsked {
		return next, nil
	}
	slices.SortFunc(sites, func(a, b notice.Site) int { return a.Schedule.NextRun.Compare(b.Schedule.NextRun) })
	for _, site := range sites {
		if site.Schedule.State == notice.SiteDisabled || s.active[site.ID] != nil || s.queuedLocked(site.ID) {
			continue
		}
		if site.Schedule.NextRun.After(now) || len(s.active) >= s.cfg.Concurrency {
			if next.IsZero() || site.Schedule.NextRun.Before(next) {
				next = site.Schedule.NextRun
			}
			continue
		}
		s.startLocked(ctx, &request{site: site.ID, trigger: notice.TriggerSchedule, done: make(chan struct{})})
	}
	return next, nil
}

func (s *Scheduler) queuedLocked(id string) bool {
	return slices.ContainsFunc(s.queue, func(r *request) bool { return r.site == id })
}

func (s *Scheduler) startLocked(ctx context.Context, r *request) {
	runCtx, cancel := context.WithCancel(ctx)
	a := &activeRun{run: notice.SiteRun{Site: r.site, Trigger: r.trigger, State: notice.RunRunning, Started: s.cfg.Now()}, cancel: cancel, done: make(chan struct{})}
	s.active[r.site] = a
	go func() {
		defer close(r.done)
		defer close(a.done)
		defer cancel()
		if r.fn != nil {
			r.err = s.exclusive(runCtx, r)
		} else {
			r.run, r.err = s.execute(ctx, runCtx, r, a)
		}
		s.mu.Lock()
		delete(s.active, r.site)
		s.mu.Unlock()
		s.Wake()
	}()
}

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
