package kb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/noticekb/noticekb/internal/control"
	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/schedule"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// Sites is the registry of sites kept current, with the scheduler that
// keeps them so when the process runs sites (serve, sites run).
type Sites struct {
	k      *KB
	runner *siteRunner
	sched  *schedule.Scheduler // nil: this process does not run sites
	hosts  *crawl.Hosts
	guard  *crawl.Guard
}

// SitesOptions set up the registry.
type SitesOptions struct {
	// Run makes the process run sites: serve (unless --no-schedule) and
	// sites run. Without it the registry can be read and changed only.
	Run bool
	// OnlyAsked runs only the runs asked for, not the sites that are due.
	OnlyAsked   bool
	Concurrency int
	Policy      schedule.Policy
	// RobotsMaxAge is how long a robots.txt read serves later runs; 0
	// means an hour.
	RobotsMaxAge time.Duration
	// Demo serves the bundled demo site in-process, if it is registered.
	Demo *demo.Site
}

// OpenSites opens the registry. With opts.Run, runs that a process which
// ended left running are marked interrupted and their sites are due.
func (k *KB) OpenSites(opts SitesOptions) (*Sites, error) {
	hosts := crawl.NewHosts()
	hosts.RobotsMaxAge = opts.RobotsMaxAge
	guard := &crawl.Guard{AllowPrivate: k.cfg.AllowPrivate}
	cpu := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))
	s := &Sites{k: k, hosts: hosts, guard: guard, runner: &siteRunner{k: k, hosts: hosts, guard: guard, demo: opts.Demo, cpu: cpu}}
	if !opts.Run {
		return s, nil
	}
	host, _ := os.Hostname()
	sched, err := schedule.New(k.store, s.runner, schedule.Config{
		Policy: opts.Policy, Concurrency: opts.Concurrency, OnlyAsked: opts.OnlyAsked, Log: k.log,
		Owner: host + "/" + strconv.Itoa(os.Getpid()),
	})
	if err != nil {
		return nil, err
	}
	s.sched = sched
	return s, nil
}

var _ control.Sites = (*Sites)(nil)

// Scheduling reports whether this process runs sites.
func (s *Sites) Scheduling() bool { return s.sched != nil }

// Run keeps the registered sites current until ctx ends (serve).
func (s *Sites) Run(ctx context.Context) error {
	if s.sched == nil {
		return nil
	}
	return s.sched.Run(ctx)
}

// Start runs sites in the background until ctx ends (sites run); wait
// waits until the runs have stopped.
func (s *Sites) Start(ctx context.Context) (wait func()) {
	if s.sched == nil {
		return func() {}
	}
	return s.sched.Start(ctx)
}

// RunDue runs the sites that are due and returns (sites run --due).
func (s *Sites) RunDue(ctx context.Context) error {
	if s.sched == nil {
		return errNoScheduler
	}
	return s.sched.RunDue(ctx)
}

var errNoScheduler = fmt.Errorf("kb: this process does not run sites (serve --no-schedule): %w", notice.ErrBusy)

// RunNow runs a site now and waits for the run to end; full re-crawls
// the whole site, otherwise the scheduler chooses what to read.
func (s *Sites) RunNow(ctx context.Context, id string, full bool, trigger string, progress func(notice.JobProgress)) (notice.SiteRun, error) {
	if s.sched == nil {
		return notice.SiteRun{}, errNoScheduler
	}
	kind := ""
	if full {
		kind = notice.RunFull
	}
	return s.sched.RunNow(ctx, id, kind, trigger, progress)
}

// Queue asks for a run of a site soon (an admin's "run now").
func (s *Sites) Queue(id string) error {
	if s.sched == nil {
		return errNoScheduler
	}
	if _, err := s.k.store.RegisteredSite(id); err != nil {
		return err
	}
	return s.sched.Queue(id, "", notice.TriggerAdmin)
}

// Remove takes a site out of the registry (a run going on is cancelled);
// its notices stay in the knowledge base.
func (s *Sites) Remove(id string) error {
	if _, err := s.k.store.RegisteredSite(id); err != nil {
		return err
	}
	if s.sched != nil {
		s.sched.Cancel(id)
	}
	return s.k.store.Write(func(w *store.Writer) error { return w.DeleteSite(id) })
}

// SetEnabled disables a site (a run going on is cancelled), or enables it
// again: its failures are forgotten and it runs at once.
func (s *Sites) SetEnabled(id string, on bool) (notice.Site, error) {
	if !on && s.sched != nil {
		s.sched.Cancel(id)
	}
	site, err := s.k.store.UpdateSite(id, func(site *notice.Site) error {
		sc := &site.Schedule
		if on {
			sc.State, sc.Reason, sc.Failures, sc.NextRun = notice.SiteActive, "", 0, time.Now().UTC()
		} else {
			sc.State, sc.Reason = notice.SiteDisabled, "disabled by an admin"
		}
		return nil
	})
	if err == nil {
		s.wake()
	}
	return site, err
}

func (s *Sites) wake() {
	if s.sched != nil {
		s.sched.Wake()
	}
}

// List returns every registered site with its run going on and its
// latest run.
func (s *Sites) List() ([]notice.SiteStatus, error) {
	sites, err := s.k.store.RegisteredSites()
	if err != nil {
		return nil, err
	}
	out := make([]notice.SiteStatus, 0, len(sites))
	for _, site := range sites {
		st, err := s.status(site)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Site returns one registered site's status and up to limit of its runs,
// newest first.
func (s *Sites) Site(id string, limit int) (notice.SiteStatus, []notice.SiteRun, error) {
	site, err := s.k.store.RegisteredSite(id)
	if err != nil {
		return notice.SiteStatus{}, nil, err
	}
	st, err := s.status(site)
	if err != nil {
		return st, nil, err
	}
	runs, err := s.k.store.SiteRuns(id, limit)
	return st, runs, err
}

// SiteRun returns one run of a site.
func (s *Sites) SiteRun(id string, seq uint64) (notice.SiteRun, error) {
	return s.k.store.SiteRun(id, seq)
}

func (s *Sites) status(site notice.Site) (notice.SiteStatus, error) {
	st := notice.SiteStatus{Site: site}
	if s.sched != nil {
		if live, ok := s.sched.Active()[site.ID]; ok && live.Run.Seq != 0 {
			run := live.Run
			run.Progress = &live.Progress
			st.Running = &run
		}
	}
	runs, err := s.k.store.SiteRuns(site.ID, 2)
	if err != nil {
		return st, err
	}
	for _, r := range runs {
		if r.Done() {
			st.LastRun = &r
			break
		}
	}
	return st, nil
}

// RecentRuns returns up to limit runs of every site, newest first (the
// admin's feed of what changed).
func (s *Sites) RecentRuns(limit int) ([]notice.SiteRun, error) { return s.k.store.RecentRuns(limit) }

// Totals adds up the runs ended since the process started, for /metrics.
func (s *Sites) Totals() schedule.Totals {
	if s.sched == nil {
		return schedule.Totals{}
	}
	return s.sched.Totals()
}

// Registered returns the registered site a URL is on, if any.
func (s *Sites) Registered(rawURL string) (string, bool) {
	u, err := urlnorm.Normalize(rawURL)
	if err != nil {
		return "", false
	}
	id := siteID(u)
	_, err = s.k.store.RegisteredSite(id)
	return id, err == nil
}

// Exclusive runs fn while no run of the site goes on (an admin's
// re-import of one of its pages); without a scheduler it just runs fn.
func (s *Sites) Exclusive(ctx context.Context, id string, fn func(context.Context) error) error {
	if s.sched == nil {
		return fn(ctx)
	}
	err := s.sched.Exclusive(ctx, id, fn)
	if errors.Is(err, notice.ErrNotFound) {
		return fn(ctx) // removed meanwhile
	}
	return err
}
