package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/testbed"
)

// ScheduleOptions set up the scheduler benchmark.
type ScheduleOptions struct {
	Binary      string // the noticekb binary whose serve is measured
	Sites       int
	Notices     int
	Concurrency int           // serve --schedule-concurrency
	CrawlDelay  time.Duration // serve --crawl-delay
	Work        string        // folder for the sites and the data folder
	Out         io.Writer
}

// benchToken is the admin token of the serve process measured.
const benchToken = "bench-schedule-admin-token"

// siteUnderTest is one generated site served on a loopback address of
// its own.
type siteUnderTest struct {
	dir, url, id string
	srv          *testbed.Server
	mark         int
	lists        int             // list pages, as site.json counts them
	notices      map[string]bool // the truth's notice paths
}

// Schedule measures serve keeping many generated sites current: the first
// cycle (a full crawl of each), an unchanged cycle (requests, notice bodies
// downloaded, time, serve's memory, search latency while it runs against
// idle), a cycle after every site changed, and the requests a feed saves.
// Each cycle asks every site to run now through the admin API, which goes
// through the scheduler's queue and slots as due sites do.
func Schedule(ctx context.Context, o ScheduleOptions) error {
	bed, err := testbed.Find()
	if err != nil {
		return err
	}
	out := o.Out
	fmt.Fprintf(out, "scheduler benchmark: %d sites × %d notices, %d runs at once, crawl delay %s; %s\n", o.Sites, o.Notices, o.Concurrency, o.CrawlDelay, MachineLoad())
	sites, err := makeSites(ctx, bed, o)
	defer func() {
		for _, s := range sites {
			s.srv.Stop()
		}
	}()
	if err != nil {
		return err
	}
	data := filepath.Join(o.Work, "data")
	args := []string{"sites", "add", "--data", data, "--every", "24h", "--exclude", "/calendar/", "--exclude", "/search/"}
	for _, s := range sites {
		args = append(args, s.url)
	}
	if out, err := exec.CommandContext(ctx, o.Binary, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("bench: sites add: %w\n%s", err, out)
	}
	srv, err := startServe(ctx, o, data)
	if err != nil {
		return err
	}
	defer srv.stop()

	start := time.Now()
	first, err := srv.waitCycle(ctx, sites, nil, 2*time.Hour)
	if err != nil {
		return err
	}
	added := 0
	for _, r := range first {
		added += r.Summary.Added
	}
	fmt.Fprintf(out, "first cycle (full crawls, serve's demo import before it): %s, %d notices added; %s\n", time.Since(start).Round(time.Second), added, MachineLoad())

	if err := srv.measureCycle(ctx, "unchanged cycle", sites, nil); err != nil {
		return err
	}
	changes := make([]testbed.Changes, len(sites))
	for i, s := range sites {
		if changes[i], err = bed.Mutate(ctx, s.dir, 500+i); err != nil {
			return err
		}
		if s.notices, err = truthPaths(s.dir); err != nil {
			return err
		}
	}
	if err := srv.measureCycle(ctx, "cycle after every site changed (5 edited, 3 added, 2 deleted each)", sites, changes); err != nil {
		return err
	}
	return srv.measureFeed(ctx, bed, o)
}

// makeSites generates and serves the sites, two at a time.
func makeSites(ctx context.Context, bed testbed.Bed, o ScheduleOptions) ([]*siteUnderTest, error) {
	sites := make([]*siteUnderTest, o.Sites)
	errs := make([]error, o.Sites)
	start := time.Now()
	var wg sync.WaitGroup
	slots := make(chan struct{}, 2)
	for i := range sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			sites[i], errs[i] = makeSite(ctx, bed, filepath.Join(o.Work, fmt.Sprintf("site-%02d", i)), o.Notices, 1000+i, fmt.Sprintf("127.0.1.%d:8080", i+1))
		}()
	}
	wg.Wait()
	var made []*siteUnderTest
	for _, s := range sites {
		if s != nil {
			made = append(made, s)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return made, err
	}
	fmt.Fprintf(o.Out, "generated and served %d sites in %s\n", len(sites), time.Since(start).Round(time.Second))
	return made, nil
}

func makeSite(ctx context.Context, bed testbed.Bed, dir string, notices, seed int, host string) (*siteUnderTest, error) {
	if _, err := os.Stat(filepath.Join(dir, "site.json")); err != nil {
		if err := bed.Generate(ctx, dir, notices, seed); err != nil {
			return nil, err
		}
	}
	var meta struct {
		ListPages []string `json:"list_pages"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "site.json"))
	if err == nil {
		err = json.Unmarshal(raw, &meta)
	}
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", dir, err)
	}
	srv, err := bed.ServeAt(host, dir, "--no-faults", "--log")
	if err != nil {
		return nil, err
	}
	s := &siteUnderTest{dir: dir, url: srv.URL, id: strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/"), srv: srv, lists: len(meta.ListPages)}
	s.notices, err = truthPaths(dir)
	return s, err
}

func truthPaths(dir string) (map[string]bool, error) {
	titles, err := testbed.Truth(dir)
	out := make(map[string]bool, len(titles))
	for p := range titles {
		out[p] = true
	}
	return out, err
}

var accessLog = regexp.MustCompile(`"GET (\S+) HTTP/[0-9.]+" (\d{3})`)

// requests returns the site's requests since the last call: how many, and
// how many downloaded a notice page's body (200 to a notice URL); it adds
// the answers by status, and those other than 304, to tally.
func (s *siteUnderTest) requests(tally *answers) (all, bodies int) {
	log := s.srv.Log()
	fresh := log[min(s.mark, len(log)):]
	s.mark = len(log)
	for _, m := range accessLog.FindAllStringSubmatch(fresh, -1) {
		all++
		if m[2] == "200" && s.notices[m[1]] {
			bodies++
		}
		if tally != nil {
			tally.add(m[2], m[1])
		}
	}
	return all, bodies
}

// answers counts a cycle's answers by status, with examples of the
// answers that were not 304.
type answers struct {
	byStatus map[string]int
	examples []string
}

func (a *answers) add(status, path string) {
	if a.byStatus == nil {
		a.byStatus = map[string]int{}
	}
	a.byStatus[status]++
	if status != "304" && len(a.examples) < 8 {
		a.examples = append(a.examples, status+" "+path)
	}
}

func (a *answers) String() string {
	var parts []string
	for _, st := range []string{"200", "301", "304", "404", "500"} {
		if n := a.byStatus[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d", st, n))
		}
	}
	return strings.Join(parts, ", ") + "; not 304, for example: " + strings.Join(a.examples, ", ")
}
