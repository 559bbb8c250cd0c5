package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/testbed"
	"github.com/noticekb/noticekb/internal/urlnorm"
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
			sites[i], errs[i] = makeSite(ctx, bed, filepath.Join(o.Work, fmt.Sprintf("site-%02d", i)), o.Notices, 1000+i, fmt.Sprintf("127.0.1.%d", i+1))
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
	f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var l struct{ URL string }
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, err
		}
		out[l.URL] = true
	}
	return out, sc.Err()
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

// serveUnderTest is the serve process measured.
type serveUnderTest struct {
	cmd  *exec.Cmd
	base string
	out  io.Writer
	log  *os.File
}

var servingAt = regexp.MustCompile(`msg="noticekb is serving; open this URL" url=(\S+)`)

func startServe(ctx context.Context, o ScheduleOptions, data string) (*serveUnderTest, error) {
	logPath := filepath.Join(o.Work, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.Binary, "serve", "--data", data, "--addr", "127.0.0.1:0", "--allow-private",
		"--crawl-delay", o.CrawlDelay.String(), "--schedule-concurrency", strconv.Itoa(o.Concurrency), "--rate-limit", "0")
	cmd.Env = append(os.Environ(), "NOTICEKB_ADMIN_TOKEN="+benchToken)
	cmd.Stderr, cmd.Stdout = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &serveUnderTest{cmd: cmd, out: o.Out, log: logFile}
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		data, _ := os.ReadFile(logPath)
		if m := servingAt.FindSubmatch(data); m != nil {
			s.base = strings.TrimSuffix(string(m[1]), "/")
			return s, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	s.stop()
	return nil, fmt.Errorf("bench: serve did not start; see %s", logPath)
}

func (s *serveUnderTest) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	s.log.Close()
}

func (s *serveUnderTest) call(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("bench: %s %s: %s: %s", method, path, resp.Status, b)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// waitCycle waits until every site has ended a run later than before
// (its last run's sequence number; nil: any run) and none runs.
func (s *serveUnderTest) waitCycle(ctx context.Context, sites []*siteUnderTest, before map[string]uint64, timeout time.Duration) (map[string]notice.SiteRun, error) {
	deadline := time.Now().Add(timeout)
	wanted := map[string]bool{}
	for _, site := range sites {
		wanted[site.id] = true
	}
	for {
		var list struct{ Sites []notice.SiteStatus }
		if err := s.call(ctx, http.MethodGet, "/api/v1/admin/sites", &list); err != nil {
			return nil, err
		}
		runs := map[string]notice.SiteRun{}
		for _, st := range list.Sites {
			if wanted[st.ID] && st.Running == nil && st.LastRun != nil && st.LastRun.Seq > before[st.ID] {
				runs[st.ID] = *st.LastRun
			}
		}
		if len(runs) >= len(sites) {
			return runs, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("bench: %d of %d sites ran within %s", len(runs), len(sites), timeout)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// benchQueries are searches such as people make of notices.
var benchQueries = []string{"smart city", "e-government", "digital government", "forum", "capacity development", "KLID",
	"workshop asia", "open government data", "\"public service\"", "localizing the SDGs", "disaster resilience", "seminar"}

// searches times searches against serve: n of them, or until stop closes.
func (s *serveUnderTest) searches(ctx context.Context, n int, stop <-chan struct{}) Latencies {
	l := Latencies{System: "serve"}
	for i := 0; stop != nil || i < n; i++ {
		if stop != nil {
			select {
			case <-stop:
				return l
			default:
			}
		}
		q := url.QueryEscape(benchQueries[i%len(benchQueries)])
		start := time.Now()
		if err := s.call(ctx, http.MethodGet, "/api/v1/search?size=10&q="+q, nil); err != nil {
			return l
		}
		l.Times = append(l.Times, time.Since(start))
	}
	return l
}

// measureCycle asks every site to run, and reports how long the cycle
// took, its requests and downloads, serve's memory and search latency
// while it ran; changes, when given, are checked against the summaries.
func (s *serveUnderTest) measureCycle(ctx context.Context, label string, sites []*siteUnderTest, changes []testbed.Changes) error {
	idle := s.searches(ctx, 400, nil) // the baseline, at the machine's load of the moment
	before := map[string]uint64{}
	var list struct{ Sites []notice.SiteStatus }
	if err := s.call(ctx, http.MethodGet, "/api/v1/admin/sites", &list); err != nil {
		return err
	}
	for _, st := range list.Sites {
		before[st.ID] = st.Schedule.LastRun
	}
	for _, site := range sites {
		site.requests(nil)
	}
	stop := make(chan struct{})
	rss := make(chan int64, 1)
	go func() { rss <- watchRSS(s.cmd.Process.Pid, stop) }()
	lat := make(chan Latencies, 1)
	go func() { lat <- s.searches(ctx, 0, stop) }()
	start := time.Now()
	for _, site := range sites {
		if err := s.call(ctx, http.MethodPost, "/api/v1/admin/sites/"+url.PathEscape(site.id)+"/run", nil); err != nil {
			close(stop)
			return err
		}
	}
	runs, err := s.waitCycle(ctx, sites, before, 2*time.Hour)
	took := time.Since(start)
	close(stop)
	peak, during := <-rss, <-lat
	if err != nil {
		return err
	}
	var requests, bodies, lists, missed int
	var tally answers
	var reported, notModified int64
	var sum notice.RunSummary
	wrong := 0
	for i, site := range sites {
		n, b := site.requests(&tally)
		requests, bodies, lists = requests+n, bodies+b, lists+site.lists
		run := runs[site.id]
		sum.Add(run.Summary)
		reported, notModified = reported+run.Requests, notModified+run.NotModified
		if run.State != notice.RunSucceeded {
			wrong++
			fmt.Fprintf(s.out, "  %s: run %s: %s\n", site.id, run.State, run.Error)
		} else if changes != nil {
			missed += s.missed(ctx, site, changes[i])
		}
	}
	fmt.Fprintf(s.out, "%s: %s for %d sites; %d requests served for %d list pages in site.json (%.3f×), %d notice bodies downloaded; the runs counted %d requests, %d not modified; added %d, updated %d, withdrawn %d, failed %d; runs failed %d\n",
		label, took.Round(100*time.Millisecond), len(sites), requests, lists, float64(requests)/float64(lists), bodies, reported, notModified,
		sum.Added, sum.Updated, sum.Withdrawn, sum.Failed, wrong)
	if changes != nil {
		fmt.Fprintf(s.out, "  added notices not in search and deleted ones still in it after the cycle: %d\n", missed)
	}
	fmt.Fprintf(s.out, "  answers %s\n", &tally)
	fmt.Fprintf(s.out, "  serve's resident memory at most %.0f MB; search while it ran: %d queries, p50 %s, p99 %s (idle p99 %s: %.2f×); %s\n",
		float64(peak)/(1<<20), len(during.Times), during.Percentile(50), during.Percentile(99), idle.Percentile(99),
		float64(during.Percentile(99))/float64(max(idle.Percentile(99), 1)), MachineLoad())
	return nil
}

// missed counts the site's added notices that are not live and its
// deleted ones that are (the notice API says whether one is withdrawn).
func (s *serveUnderTest) missed(ctx context.Context, site *siteUnderTest, ch testbed.Changes) int {
	live := func(path string) bool {
		u, err := urlnorm.Normalize(strings.TrimSuffix(site.url, "/") + path)
		if err != nil {
			return false
		}
		var n notice.Notice
		return s.call(ctx, http.MethodGet, "/api/v1/notices/"+notice.IDForURL(u), &n) == nil && !n.Withdrawn()
	}
	missed := 0
	for _, c := range ch.Added {
		if !live(c.URL) {
			missed++
			fmt.Fprintf(s.out, "  %s: added %s is not in search\n", site.id, c.URL)
		}
	}
	for _, c := range ch.Deleted {
		if live(c.URL) {
			missed++
			fmt.Fprintf(s.out, "  %s: deleted %s is still in search\n", site.id, c.URL)
		}
	}
	return missed
}

// measureFeed registers one more site whose feed lists its newest
// notices, lets it import, adds 5 notices to it and its feed, and counts
// the requests of the run that learns of them.
func (s *serveUnderTest) measureFeed(ctx context.Context, bed testbed.Bed, o ScheduleOptions) error {
	site, err := makeSite(ctx, bed, filepath.Join(o.Work, "site-feed"), 100, 4242, "127.0.2.1")
	if err != nil {
		return err
	}
	defer site.srv.Stop()
	if err := testbed.WriteFeed(site.dir, 20); err != nil {
		return err
	}
	body := `{"urls":["` + site.url + `"],"every":"24h","exclude":["/calendar/","/search/"]}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/v1/admin/sites", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+benchToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	sites := []*siteUnderTest{site}
	if _, err := s.waitCycle(ctx, sites, nil, 30*time.Minute); err != nil {
		return err
	}
	// One run reads the feed found by the first, keeping its validators.
	var d struct{ Site notice.SiteStatus }
	if err := s.call(ctx, http.MethodGet, "/api/v1/admin/sites/"+url.PathEscape(site.id), &d); err != nil {
		return err
	}
	runOnce := func() (notice.SiteRun, error) {
		before := map[string]uint64{site.id: d.Site.Schedule.LastRun}
		if err := s.call(ctx, http.MethodPost, "/api/v1/admin/sites/"+url.PathEscape(site.id)+"/run", nil); err != nil {
			return notice.SiteRun{}, err
		}
		runs, err := s.waitCycle(ctx, sites, before, 10*time.Minute)
		d.Site.Schedule.LastRun = runs[site.id].Seq
		return runs[site.id], err
	}
	if _, err := runOnce(); err != nil {
		return err
	}
	if _, err := bed.MutateBy(ctx, site.dir, 77, 0, 5, 0); err != nil {
		return err
	}
	if err := testbed.WriteFeed(site.dir, 20); err != nil {
		return err
	}
	site.requests(nil)
	run, err := runOnce()
	if err != nil {
		return err
	}
	n, bodies := site.requests(nil)
	fmt.Fprintf(s.out, "feed shortcut: a %s run learned of and added %d new notices in %d requests (%d notice bodies); the feed listed %d items\n",
		run.Kind, run.Summary.Added, n, bodies, run.FeedItems)
	return nil
}

// watchRSS reads a process's resident memory (VmRSS) until stop and
// returns the largest value seen.
func watchRSS(pid int, stop <-chan struct{}) int64 {
	var peak int64
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
					if f := strings.Fields(v); len(f) > 0 {
						kb, _ := strconv.ParseInt(f[0], 10, 64)
						peak = max(peak, kb*1024)
					}
				}
			}
		}
		select {
		case <-stop:
			return peak
		case <-t.C:
		}
	}
}
