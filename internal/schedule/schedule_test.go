package schedule_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/schedule"
	"github.com/noticekb/noticekb/internal/store"
)

func openStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func register(t *testing.T, st *store.Store, every time.Duration, ids ...string) {
	t.Helper()
	err := st.Write(func(w *store.Writer) error {
		for _, id := range ids {
			site := notice.Site{ID: id, Starts: []string{"http://" + id + "/"}, Every: notice.Duration(every), Added: time.Now(),
				Schedule: notice.SiteSchedule{State: notice.SiteActive, NextRun: time.Now()}}
			if err := w.PutSite(site); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fakeRunner records runs, holds each until released (when gate is set)
// and answers with what result says for the site.
type fakeRunner struct {
	mu      sync.Mutex
	gate    chan struct{}
	result  func(site notice.Site, kind string) schedule.Result
	runs    []string // site/kind
	running map[string]int
	most    int
	started chan string
}

func (f *fakeRunner) Run(ctx context.Context, site notice.Site, kind string, progress func(notice.JobProgress)) schedule.Result {
	f.mu.Lock()
	if f.running == nil {
		f.running = map[string]int{}
	}
	f.runs = append(f.runs, site.ID+"/"+kind)
	f.running[site.ID]++
	n := 0
	for _, v := range f.running {
		n += v
	}
	f.most = max(f.most, n)
	double := f.running[site.ID] > 1
	gate, started := f.gate, f.started
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running[site.ID]--
		f.mu.Unlock()
	}()
	if started != nil {
		started <- site.ID
	}
	progress(notice.JobProgress{Fetched: 1})
	res := schedule.Result{Kind: kind}
	if double {
		res.Err = errors.New("two runs of one site at once")
		return res
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			res.Err = ctx.Err()
			return res
		}
	}
	if f.result != nil {
		r := f.result(site, kind)
		if r.Kind == "" {
			r.Kind = kind
		}
		return r
	}
	res.Summary.Added = 1
	return res
}

func (f *fakeRunner) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.runs)
}

// Due sites run a bounded number at once, each once, and are scheduled
// again at their interval; the first run of a site is a full one.
func TestDueSitesRunBounded(t *testing.T) {
	st, _ := openStore(t)
	register(t, st, time.Hour, "a.example", "b.example", "c.example", "d.example", "e.example")
	runner := &fakeRunner{gate: make(chan struct{}), started: make(chan string, 10)}
	s, err := schedule.New(st, runner, schedule.Config{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.RunDue(ctx) }()
	<-runner.started
	<-runner.started
	time.Sleep(50 * time.Millisecond)
	if n := runner.count(); n != 2 {
		t.Errorf("%d runs started with 2 slots", n)
	}
	close(runner.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cancel()
	if runner.most != 2 || runner.count() != 5 {
		t.Errorf("%d runs, %d at once at most; want 5, 2", runner.count(), runner.most)
	}
	sites, _ := st.RegisteredSites()
	for _, site := range sites {
		runs, _ := st.SiteRuns(site.ID, 10)
		if len(runs) != 1 || runs[0].State != notice.RunSucceeded || runs[0].Kind != notice.RunFull || runs[0].Summary.Added != 1 {
			t.Errorf("%s: runs %+v", site.ID, runs)
		}
		if wait := time.Until(site.Schedule.NextRun); wait < 50*time.Minute || wait > 70*time.Minute || site.Schedule.LastFull.IsZero() {
			t.Errorf("%s: next run in %s, last full %v; want an hour ± 10%%", site.ID, wait, site.Schedule.LastFull)
		}
	}
}

// A run asked for while the site runs waits for that run to end: one run
// of a site at a time, whoever asks; an exclusive job of the site too.
func TestOneRunPerSite(t *testing.T) {
	st, _ := openStore(t)
	register(t, st, time.Hour, "a.example")
	runner := &fakeRunner{gate: make(chan struct{}), started: make(chan string, 10)}
	s, err := schedule.New(st, runner, schedule.Config{Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go s.Run(ctx)
	<-runner.started // the scheduled run
	results := make(chan error, 2)
	go func() {
		run, err := s.RunNow(ctx, "a.example", notice.RunFull, notice.TriggerAdmin, nil)
		if err == nil && (run.Trigger != notice.TriggerAdmin || run.Seq != 2) {
			err = errors.New("the admin's run is not the second")
		}
		results <- err
	}()
	exclusiveRan := make(chan bool, 1)
	go func() {
		results <- s.Exclusive(ctx, "a.example", func(context.Context) error {
			runner.mu.Lock()
			exclusiveRan <- runner.running["a.example"] == 0
			runner.mu.Unlock()
			return nil
		})
	}()
	time.Sleep(100 * time.Millisecond)
	if n := runner.count(); n != 1 {
		t.Errorf("%d runs of one site started while it ran", n)
	}
	if err := s.Queue("a.example", "", notice.TriggerAdmin); !errors.Is(err, notice.ErrBusy) {
		t.Errorf("queueing a running site: %v", err)
	}
	close(runner.gate)
	for range 2 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	if !<-exclusiveRan {
		t.Error("the exclusive job ran while a run of its site went on")
	}
	if _, err := s.RunNow(ctx, "nowhere.example", "", notice.TriggerCLI, nil); !errors.Is(err, notice.ErrNotFound) {
		t.Errorf("a run of an unknown site: %v", err)
	}
}

// A run cut short by the process ending is marked interrupted when the
// store is next opened, and its site is due at once; it is never run
// twice or forgotten. Shutting down marks the runs going on the same way.
func TestInterruptedRuns(t *testing.T) {
	st, path := openStore(t)
	register(t, st, time.Hour, "a.example")
	runner := &fakeRunner{gate: make(chan struct{}), started: make(chan string, 10)}
	s, err := schedule.New(st, runner, schedule.Config{Owner: "first"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	<-runner.started
	cancel() // shut down mid-run
	<-done
	runs, _ := st.SiteRuns("a.example", 10)
	site, _ := st.RegisteredSite("a.example")
	if len(runs) != 1 || runs[0].State != notice.RunInterrupted || site.Schedule.NextRun.After(time.Now()) {
		t.Fatalf("after shutting down mid-run: runs %+v, next run %v", runs, site.Schedule.NextRun)
	}

	// A process killed mid-run leaves its run "running".
	killed := notice.SiteRun{Site: "a.example", Kind: notice.RunCheck, State: notice.RunRunning, Started: time.Now(),
		LeaseUntil: time.Now().Add(time.Minute), Owner: "killed"}
	if _, err := st.StartRun(&killed, func(site *notice.Site) { site.Schedule.NextRun = time.Now().Add(time.Hour) }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st2, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if _, err := schedule.New(st2, runner, schedule.Config{Owner: "second"}); err != nil {
		t.Fatal(err)
	}
	run, _ := st2.SiteRun("a.example", killed.Seq)
	site, _ = st2.RegisteredSite("a.example")
	if run.State != notice.RunInterrupted || !strings.Contains(run.Error, "cut short") || site.Schedule.NextRun.After(time.Now()) {
		t.Errorf("after a kill: run %+v, next run %v", run, site.Schedule.NextRun)
	}
	if _, err := schedule.New(st2, runner, schedule.Config{}); err != nil {
		t.Fatal(err)
	}
	if runs, _ := st2.SiteRuns("a.example", 10); len(runs) != 2 {
		t.Errorf("opening again changed the history: %d runs", len(runs))
	}
	// The interrupted site runs when the scheduler next runs due sites.
	runner.gate = nil
	s2, _ := schedule.New(st2, runner, schedule.Config{})
	if err := s2.RunDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	if runs, _ := st2.SiteRuns("a.example", 10); len(runs) != 3 || runs[0].State != notice.RunSucceeded {
		t.Errorf("the interrupted site did not run again: %+v", runs)
	}
}

// A site that keeps failing is retried later and later, then disabled
// with the reason; a site whose robots.txt shuts noticekb out is paused,
// and goes on when it lets noticekb in again.
func TestFailuresBackOffThenDisable(t *testing.T) {
	st, _ := openStore(t)
	register(t, st, 10*time.Second, "down.example")
	fail := &fakeRunner{result: func(notice.Site, string) schedule.Result {
		return schedule.Result{Err: errors.New("robots.txt unavailable (connection refused)")}
	}}
	var waits []time.Duration
	for i := range 6 {
		s, err := schedule.New(st, fail, schedule.Config{OnlyAsked: true})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		go s.Run(ctx)
		time.Sleep(10 * time.Millisecond)
		_, err = s.RunNow(ctx, "down.example", "", notice.TriggerCLI, nil)
		cancel()
		if err == nil {
			t.Fatalf("run %d: no error", i+1)
		}
		site, _ := st.RegisteredSite("down.example")
		if site.Schedule.Failures != i+1 {
			t.Fatalf("after %d failures: %+v", i+1, site.Schedule)
		}
		if i < 5 {
			waits = append(waits, time.Until(site.Schedule.NextRun).Round(time.Second))
		}
		if i == 5 && (site.Schedule.State != notice.SiteDisabled || !strings.Contains(site.Schedule.Reason, "6 failed runs") || !strings.Contains(site.Schedule.Reason, "connection refused")) {
			t.Errorf("after 6 failures: %+v", site.Schedule)
		}
	}
	for i := 1; i < len(waits); i++ {
		if ratio := float64(waits[i]) / float64(waits[i-1]); ratio < 1.5 || ratio > 2.6 {
			t.Errorf("waits after failures %v: not doubling", waits)
		}
	}

	register(t, st, 10*time.Second, "closed.example")
	blocked := true
	robots := &fakeRunner{result: func(notice.Site, string) schedule.Result {
		if blocked {
			return schedule.Result{Blocked: "robots.txt disallows every start page"}
		}
		return schedule.Result{}
	}}
	s, _ := schedule.New(st, robots, schedule.Config{OnlyAsked: true})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go s.Run(ctx)
	time.Sleep(10 * time.Millisecond)
	run, err := s.RunNow(ctx, "closed.example", "", notice.TriggerCLI, nil)
	site, _ := st.RegisteredSite("closed.example")
	if err != nil || run.State != notice.RunBlocked || site.Schedule.State != notice.SitePaused || site.Schedule.Reason == "" {
		t.Errorf("blocked: %v, run %+v, site %+v", err, run, site.Schedule)
	}
	blocked = false
	s.RunNow(ctx, "closed.example", "", notice.TriggerCLI, nil)
	if site, _ = st.RegisteredSite("closed.example"); site.Schedule.State != notice.SiteActive || site.Schedule.Reason != "" {
		t.Errorf("let in again: %+v", site.Schedule)
	}
}

func TestPolicy(t *testing.T) {
	var p schedule.Policy
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	days := func(ds ...int) []time.Time {
		var out []time.Time
		for _, d := range ds {
			out = append(out, now.AddDate(0, 0, -d))
		}
		return out
	}
	auto := notice.Site{}
	daily := make([]int, 90)
	for i := range daily {
		daily[i] = i
	}
	for _, tt := range []struct {
		name  string
		site  notice.Site
		dates []time.Time
		want  time.Duration
	}{
		{"fixed", notice.Site{Every: notice.Duration(10 * time.Second)}, days(1, 2, 3), 10 * time.Second},
		{"nothing published", auto, nil, 7 * 24 * time.Hour},
		{"nothing lately", auto, days(100, 200, 400), 7 * 24 * time.Hour},
		{"three a quarter", auto, days(10, 40, 70), 7 * 24 * time.Hour},
		{"weekly", auto, days(0, 7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84), 90 * 24 * time.Hour / 26},
		{"daily", auto, days(daily...), 12 * time.Hour},
		{"dated ahead is ignored", auto, append(days(10), now.AddDate(1, 0, 0), now.AddDate(2, 0, 0)), 7 * 24 * time.Hour},
		{"many a day", auto, days(append(append(daily, daily...), append(daily, daily...)...)...), 3 * time.Hour},
		{"hundreds a day", auto, days(make([]int, 5000)...), time.Hour},
	} {
		if got := p.Interval(tt.site, tt.dates, now); got != tt.want {
			t.Errorf("%s: interval %s, want %s", tt.name, got, tt.want)
		}
	}

	p = schedule.Policy{FullEvery: 7 * 24 * time.Hour, CheckEvery: 24 * time.Hour}
	site := notice.Site{}
	kinds := []struct {
		lastFull, lastCheck time.Duration // ago; 0: never
		feed                bool
		want                string
	}{
		{0, 0, false, notice.RunFull},
		{time.Hour, time.Hour, false, notice.RunCheck},
		{time.Hour, time.Hour, true, notice.RunFeed},
		{48 * time.Hour, 25 * time.Hour, true, notice.RunCheck},
		{8 * 24 * time.Hour, time.Hour, true, notice.RunFull},
	}
	for _, k := range kinds {
		site.Schedule = notice.SiteSchedule{}
		if k.lastFull > 0 {
			site.Schedule.LastFull = now.Add(-k.lastFull)
		}
		if k.lastCheck > 0 {
			site.Schedule.LastCheck = now.Add(-k.lastCheck)
		}
		if k.feed {
			site.Schedule.Feed.URL = "https://example.org/feed/"
		}
		if got := p.Kind(site, now); got != k.want {
			t.Errorf("%+v: kind %s", k, got)
		}
	}
	site.Schedule.LastFull, site.Schedule.LastCheck = now.Add(-time.Hour), now.Add(-time.Hour)
	site.Schedule.Feed.Error = "HTTP 404"
	if got := p.Kind(site, now); got != notice.RunCheck {
		t.Errorf("a feed that failed: kind %s, want check", got)
	}
}
