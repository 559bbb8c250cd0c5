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
