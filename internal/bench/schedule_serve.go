package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/testbed"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// serveUnderTest is the serve process measured.
type serveUnderTest struct {
	*server
	out io.Writer
}

func startServe(ctx context.Context, o ScheduleOptions, data string) (*serveUnderTest, error) {
	srv, err := startServer(ctx, LoadOptions{Binary: o.Binary, Work: o.Work, Data: data}, benchToken,
		[]string{"--allow-private", "--crawl-delay", o.CrawlDelay.String(), "--schedule-concurrency", strconv.Itoa(o.Concurrency)})
	if err != nil {
		return nil, err
	}
	return &serveUnderTest{server: srv, out: o.Out}, nil
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
	anon := make(chan int64, 1)
	go func() { rss <- watchStatus(s.cmd.Process.Pid, "VmRSS:", stop) }()
	go func() { anon <- watchStatus(s.cmd.Process.Pid, "RssAnon:", stop) }()
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
	peak, peakAnon, during := <-rss, <-anon, <-lat
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
	fmt.Fprintf(s.out, "  serve's resident memory at most %.0f MB (%.0f MB of it the heap and stacks, the rest mapped files: store and index); search while it ran: %d queries, p50 %s, p99 %s (idle p99 %s: %.2f×); %s\n",
		float64(peak)/(1<<20), float64(peakAnon)/(1<<20), len(during.Times), during.Percentile(50), during.Percentile(99), idle.Percentile(99),
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
	site, err := makeSite(ctx, bed, filepath.Join(o.Work, "site-feed"), 100, 4242, "127.0.2.1:8080")
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
