package kb

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/schedule"
	"github.com/noticekb/noticekb/internal/testbed"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// traps are the generated sites' endless calendar and search pages: the
// crawler stops them by itself, after a few hundred pages that only make
// the tests slower.
var traps = []string{`/calendar/`, `/search/`}

// bedSite is a generated test site served on a loopback address of its
// own, so that every site is another host.
type bedSite struct {
	dir, url, id string
	srv          *testbed.Server
	mark         int // length of the access log when last looked at
}

func startBedSites(t *testing.T, n, notices int) (testbed.Bed, []*bedSite) {
	t.Helper()
	bed, err := testbed.Find()
	if err != nil {
		t.Skip(err)
	}
	var out []*bedSite
	for i := range n {
		dir := filepath.Join(t.TempDir(), "site")
		if err := bed.Generate(t.Context(), dir, notices, 31+i); err != nil {
			t.Fatal(err)
		}
		srv, err := bed.ServeAt(fmt.Sprintf("127.0.0.%d", 20+i), dir, "--no-faults", "--log")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Stop() })
		out = append(out, &bedSite{dir: dir, url: srv.URL, id: strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/"), srv: srv})
	}
	return bed, out
}

var logLine = regexp.MustCompile(`"GET (\S+) HTTP/[0-9.]+" (\d{3})`)

// requests returns the site's requests since the last call, as
// "status path".
func (b *bedSite) requests() []string {
	log := b.srv.Log()
	fresh := log[min(b.mark, len(log)):]
	b.mark = len(log)
	var out []string
	for _, m := range logLine.FindAllStringSubmatch(fresh, -1) {
		out = append(out, m[2]+" "+m[1])
	}
	return out
}

// truth returns the site's notices (path and query → title).
func (b *bedSite) truth(t *testing.T) map[string]string {
	t.Helper()
	out, err := testbed.Truth(b.dir)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// noticeID is the ID of the site's notice at path.
func (b *bedSite) noticeID(t *testing.T, path string) string {
	t.Helper()
	u, err := urlnorm.Normalize(strings.TrimSuffix(b.url, "/") + path)
	if err != nil {
		t.Fatal(err)
	}
	return notice.IDForURL(u)
}

func openSites(t *testing.T, opts SitesOptions) (*KB, *Sites) {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir, cfg.CrawlDelay, cfg.AllowPrivate = t.TempDir(), 0, true
	var log *slog.Logger
	if os.Getenv("NOTICEKB_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	k, err := Open(t.Context(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	opts.Run = true
	s, err := k.OpenSites(opts)
	if err != nil {
		t.Fatal(err)
	}
	return k, s
}

// runDue makes every registered site due and runs them, as the
// scheduler does when their time comes.
func runDue(t *testing.T, k *KB, s *Sites) map[string]notice.SiteRun {
	t.Helper()
	sites, _ := k.store.RegisteredSites()
	for _, site := range sites {
		if _, err := k.store.UpdateSite(site.ID, func(s *notice.Site) error { s.Schedule.NextRun = time.Now(); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RunDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	out := map[string]notice.SiteRun{}
	for _, site := range sites {
		runs, _ := k.store.SiteRuns(site.ID, 1)
		out[site.ID] = runs[0]
	}
	return out
}

// searchable reports whether a search for the title finds the notice.
func searchable(t *testing.T, k *KB, id, title string) bool {
	t.Helper()
	res, err := k.index.Search(t.Context(), notice.Query{Text: title, Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.ID == id {
			return true
		}
	}
	return false
}

// Several generated sites, each its own host, kept current by scheduled
// runs: the first run imports each whole; after the sites change, the
// next run makes every added notice searchable and withdraws every
// deleted one; a run with nothing changed reads only list pages (304)
// and no notice page.
func TestSitesKeptCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and serves sites")
	}
	bed, bs := startBedSites(t, 3, 30)
	k, s := openSites(t, SitesOptions{Concurrency: 2, RobotsMaxAge: time.Hour})
	for _, b := range bs {
		if _, _, err := s.Register(t.Context(), notice.SiteSpec{URLs: []string{b.url}, Every: notice.Duration(time.Minute), Exclude: traps}, false); err != nil {
			t.Fatal(err)
		}
	}
	runs := runDue(t, k, s)
	for _, b := range bs {
		run := runs[b.id]
		truth := b.truth(t)
		if run.State != notice.RunSucceeded || run.Kind != notice.RunFull || run.Summary.Added < len(truth)-1 {
			t.Errorf("%s: first run %s %s, added %d of %d: %s", b.id, run.Kind, run.State, run.Summary.Added, len(truth), run.Error)
		}
		b.requests()
	}

	changes := map[string]testbed.Changes{}
	for i, b := range bs {
		ch, err := bed.Mutate(t.Context(), b.dir, 100+i)
		if err != nil {
			t.Fatal(err)
		}
		changes[b.id] = ch
	}
	runs = runDue(t, k, s)
	for _, b := range bs {
		run, ch := runs[b.id], changes[b.id]
		if run.State != notice.RunSucceeded || run.Kind != notice.RunCheck {
			t.Errorf("%s: run after the change: %s %s %s", b.id, run.Kind, run.State, run.Error)
		}
		for _, c := range ch.Added {
			if id := b.noticeID(t, c.URL); !searchable(t, k, id, c.Title) {
				t.Errorf("%s: added notice %s (%q) is not searchable after the next run", b.id, c.URL, c.Title)
			}
		}
		for _, c := range ch.Deleted {
			n, err := k.store.Notice(b.noticeID(t, c.URL))
			if err != nil || !n.Withdrawn() || searchable(t, k, n.ID, n.Title) {
				t.Errorf("%s: deleted notice %s is not withdrawn (%v, withdrawn %v)", b.id, c.URL, err, n.Withdrawn())
			}
		}
		t.Logf("%s: changed run: %d requests (%d not modified); added %d, updated %d, withdrawn %d; site: %d added, %d edited, %d deleted",
			b.id, run.Requests, run.NotModified, run.Summary.Added, run.Summary.Updated, run.Summary.Withdrawn, len(ch.Added), len(ch.Edited), len(ch.Deleted))
		b.requests()
	}

	runs = runDue(t, k, s)
	for _, b := range bs {
		run := runs[b.id]
		truth := b.truth(t)
		reqs := b.requests()
		bodies := 0
		for _, r := range reqs {
			status, path, _ := strings.Cut(r, " ")
			if _, isNotice := truth[path]; isNotice && status == "200" {
				bodies++
			}
		}
		lists, _ := s.runner.listPages(mustSite(t, k, b.id))
		if run.State != notice.RunSucceeded || bodies != 0 || run.Summary.Added+run.Summary.Updated+run.Summary.Withdrawn != 0 {
			t.Errorf("%s: unchanged run %s, %d notice bodies downloaded, summary %+v", b.id, run.State, bodies, run.Summary)
		}
		if float64(len(reqs)) > 1.05*float64(len(lists)) {
			t.Errorf("%s: an unchanged run made %d requests for %d list pages:\n%s", b.id, len(reqs), len(lists), strings.Join(reqs, "\n"))
		}
		t.Logf("%s: unchanged run: %d requests for %d list pages, %d notice bodies", b.id, len(reqs), len(lists), bodies)
	}

	// A process started anew (from cron, or serve restarted) knows what
	// the last one learned: it asks again only for robots.txt.
	for _, b := range bs {
		if skips, _ := k.store.SiteSkips(b.id); len(skips) == 0 {
			t.Errorf("%s: nothing on the skip list", b.id)
		}
	}
	fresh, err := k.OpenSites(SitesOptions{Run: true})
	if err != nil {
		t.Fatal(err)
	}
	runs = runDue(t, k, fresh)
	for _, b := range bs {
		lists, _ := s.runner.listPages(mustSite(t, k, b.id))
		if reqs := b.requests(); runs[b.id].State != notice.RunSucceeded || len(reqs) > len(lists)+1 {
			t.Errorf("%s: an unchanged run in a new process: %s, %d requests for %d list pages:\n%s", b.id, runs[b.id].State, len(reqs), len(lists), strings.Join(reqs, "\n"))
		}
	}
}

func mustSite(t *testing.T, k *KB, id string) notice.Site {
	t.Helper()
	site, err := k.store.RegisteredSite(id)
	if err != nil {
		t.Fatal(err)
	}
	return site
}

func writeFeed(t *testing.T, b *bedSite, newest int, other string) {
	t.Helper()
	if err := testbed.WriteFeed(b.dir, newest, other, "http://169.254.169.254/latest/meta-data/"); err != nil {
		t.Fatal(err)
	}
}

// A site's feed, found on its pages, is a shortcut: five new notices are
// learned of and fetched in a handful of requests, none off the site;
// robots.txt starting to shut noticekb out pauses the site with its
// notices kept, and letting it in again resumes it.
func TestFeedShortcutAndRobots(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and serves sites")
	}
	bed, bs := startBedSites(t, 2, 40)
	b, other := bs[0], bs[1]
	writeFeed(t, b, 20, other.url+"page/sub1_1.asp")
	k, s := openSites(t, SitesOptions{RobotsMaxAge: time.Hour})
	if _, _, err := s.Register(t.Context(), notice.SiteSpec{URLs: []string{b.url}, Every: notice.Duration(time.Minute), Exclude: traps}, false); err != nil {
		t.Fatal(err)
	}
	run := runDue(t, k, s)[b.id]
	site := mustSite(t, k, b.id)
	if run.State != notice.RunSucceeded || site.Schedule.Feed.URL != b.url+"feed/" || !site.Schedule.Feed.Discovered {
		t.Fatalf("first run %s %s; feed %+v", run.State, run.Error, site.Schedule.Feed)
	}
	before := site.Schedule.Notices
	run = runDue(t, k, s)[b.id] // reads the feed once: its validators are kept
	if run.Kind != notice.RunFeed || run.State != notice.RunSucceeded {
		t.Fatalf("second run: %s %s %s", run.Kind, run.State, run.Error)
	}

	ch, err := bed.MutateBy(t.Context(), b.dir, 7, 0, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	writeFeed(t, b, 20, other.url+"page/sub1_1.asp")
	b.requests()
	other.requests()
	run = runDue(t, k, s)[b.id]
	reqs := b.requests()
	if run.Kind != notice.RunFeed || run.State != notice.RunSucceeded || run.Summary.Added != 5 || len(reqs) > 10 {
		t.Errorf("feed run: %s %s, added %d; %d requests:\n%s", run.Kind, run.State, run.Summary.Added, len(reqs), strings.Join(reqs, "\n"))
	}
	for _, c := range ch.Added {
		if !searchable(t, k, b.noticeID(t, c.URL), c.Title) {
			t.Errorf("new notice %s is not searchable after the feed run", c.URL)
		}
	}
	if r := other.requests(); len(r) != 0 {
		t.Errorf("a feed item on another site was followed: %v", r)
	}
	t.Logf("feed run: %d requests to learn of and read %d new notices: %v", len(reqs), run.Summary.Added, reqs)

	// robots.txt shuts noticekb out.
	robots := filepath.Join(b.dir, "www", "robots.txt")
	old, _ := os.ReadFile(robots)
	os.WriteFile(robots, []byte("User-agent: *\nDisallow: /\n"), 0o644)
	s.hosts.RobotsMaxAge = time.Nanosecond
	run = runDue(t, k, s)[b.id]
	site = mustSite(t, k, b.id)
	if run.State != notice.RunBlocked || site.Schedule.State != notice.SitePaused || !strings.Contains(site.Schedule.Reason, "robots.txt") {
		t.Errorf("robots.txt disallowing all: run %s, site %s %q", run.State, site.Schedule.State, site.Schedule.Reason)
	}
	if site.Schedule.Notices != before+5 {
		t.Errorf("paused with %d notices in search, want the %d it had", site.Schedule.Notices, before+5)
	}
	for _, r := range b.requests() {
		if !strings.HasSuffix(r, " /robots.txt") {
			t.Errorf("a paused site was asked for %s", r)
		}
	}
	os.WriteFile(robots, old, 0o644)
	run = runDue(t, k, s)[b.id]
	if site = mustSite(t, k, b.id); run.State != notice.RunSucceeded || site.Schedule.State != notice.SiteActive {
		t.Errorf("robots.txt letting noticekb in again: run %s, site %s %q", run.State, site.Schedule.State, site.Schedule.Reason)
	}
}

// A site that fails is backed off and then disabled, with its reason; a
// site whose start page redirects to another host says it has moved; a
// feed that is an HTML page is set aside and the lists are read instead.
func TestFailingSites(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and serves sites")
	}
	_, bs := startBedSites(t, 1, 30)
	b := bs[0]
	// A host where nothing listens: bind a port, then close it.
	ln, err := net.Listen("tcp", "127.0.0.40:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/"
	ln.Close()
	moved := &http.Server{Handler: http.RedirectHandler(b.url, http.StatusMovedPermanently)}
	mln, err := net.Listen("tcp", "127.0.0.41:0")
	if err != nil {
		t.Fatal(err)
	}
	go moved.Serve(mln)
	t.Cleanup(func() { moved.Close() })

	k, s := openSites(t, SitesOptions{Policy: schedule.Policy{DisableAfter: 3}})
	for _, u := range []string{down, "http://" + mln.Addr().String() + "/"} {
		if _, _, err := s.Register(t.Context(), notice.SiteSpec{URLs: []string{u}, Every: notice.Duration(10 * time.Second)}, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Register(t.Context(), notice.SiteSpec{URLs: []string{b.url}, Feed: b.url + "page/sub1_1.asp", Every: notice.Duration(10 * time.Second), Exclude: traps}, false); err != nil {
		t.Fatal(err)
	}
	downID, movedID := siteID(down), mln.Addr().String()
	var waits []time.Duration
	for i := range 3 {
		runs := runDue(t, k, s)
		site := mustSite(t, k, downID)
		if runs[downID].State != notice.RunFailed || !strings.Contains(runs[downID].Error, "refused") {
			t.Errorf("run %d of a site that is down: %s %q", i+1, runs[downID].State, runs[downID].Error)
		}
		if i < 2 {
			waits = append(waits, time.Until(site.Schedule.NextRun))
		} else if site.Schedule.State != notice.SiteDisabled || !strings.Contains(site.Schedule.Reason, "3 failed runs") || !strings.Contains(site.Schedule.Reason, "refused") {
			t.Errorf("after 3 failures: %s %q", site.Schedule.State, site.Schedule.Reason)
		}
		if mr := runs[movedID]; mr.State != notice.RunFailed || !strings.Contains(mr.Error, "redirects to another site") || !strings.Contains(mr.Error, b.url) {
			t.Errorf("a site that moved: %s %q", mr.State, mr.Error)
		}
	}
	if waits[1] < waits[0]*3/2 {
		t.Errorf("waits after failures %v: no back-off", waits)
	}
	site := mustSite(t, k, b.id)
	run, _ := k.store.SiteRun(b.id, site.Schedule.LastRun)
	if run.State != notice.RunSucceeded || site.Schedule.Feed.Error == "" || !strings.Contains(site.Schedule.Feed.Error, "HTML") || site.Schedule.Notices == 0 {
		t.Errorf("a feed that is an HTML page: run %s %q, feed %+v, %d notices", run.State, run.Error, site.Schedule.Feed, site.Schedule.Notices)
	}
}

// An admin's re-import of a registered site is a full run of the site,
// through its queue and in its history; one of a page of it waits for any
// run of the site to end.
func TestAdminReimportOfARegisteredSite(t *testing.T) {
	site, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	k, s := openSites(t, SitesOptions{Demo: site, OnlyAsked: true}) // not run because it is due
	if _, _, err := s.Register(t.Context(), notice.SiteSpec{URLs: []string{demo.StartURL}, Every: notice.Duration(time.Hour)}, false); err != nil {
		t.Fatal(err)
	}
	re := NewReimporter(k, site)
	re.Through(s)
	ctx, cancel := context.WithCancel(t.Context())
	wait := s.Start(ctx)
	defer func() { cancel(); wait() }()
	sum, err := re.Reimport(ctx, notice.Job{ID: "a", Kind: notice.JobSite, URL: demo.StartURL}, func(notice.JobProgress) {})
	if err != nil || sum.Added != 48 {
		t.Fatalf("re-import of the site: added %d, %v", sum.Added, err)
	}
	runs, _ := k.store.SiteRuns(demo.Host, 10)
	if len(runs) != 1 || runs[0].Trigger != notice.TriggerAdmin || runs[0].Kind != notice.RunFull || runs[0].State != notice.RunSucceeded {
		t.Errorf("the site's history: %+v", runs)
	}
	if err := re.Check(ctx, notice.JobPage, demo.StartURL+"news/"); err != nil {
		t.Errorf("a page of a registered site: %v", err)
	}
	sum, err = re.Reimport(ctx, notice.Job{ID: "b", Kind: notice.JobPage, URL: demo.StartURL}, func(notice.JobProgress) {})
	if err != nil || sum.Pages != 1 {
		t.Errorf("re-import of a page of it: %+v, %v", sum, err)
	}
	if runs, _ := k.store.SiteRuns(demo.Host, 10); len(runs) != 1 {
		t.Errorf("a page's re-import is not a run of the site: %d runs", len(runs))
	}
}

// A scheduled run is judged as a whole, like any crawl: the page of a
// template of services that showed a date was stored as a notice while
// it was the site's only page; once a full run has read the other pages
// of its template, it is taken out of search (withdrawn, not deleted).
func TestScheduledRunsJudgeTheWholeRun(t *testing.T) {
	text := strings.Repeat("Residents can apply for the permit online or at the service centre during opening hours. ", 10)
	service := func(date string) string {
		if date != "" {
			date = "<p>" + date + "</p>"
		}
		return `<html><head><title>A city service</title></head><body><div class="page-service"><main><h1>A city service</h1>` + date +
			"<p>" + text + "</p></main></div></body></html>"
	}
	var services atomic.Int32 // the other services the home page links to
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			var b strings.Builder
			b.WriteString(`<html><head><title>City</title></head><body><main><h1>City</h1><p><a href="/services/roadmap">Road map</a></p>`)
			for i := range int(services.Load()) {
				fmt.Fprintf(&b, `<p><a href="/services/s%d">Service %d</a></p>`, i, i)
			}
			b.WriteString(`</main></body></html>`)
			fmt.Fprint(w, b.String())
		case r.URL.Path == "/services/roadmap":
			fmt.Fprint(w, service("Published 2024-03-05"))
		case strings.HasPrefix(r.URL.Path, "/services/s"):
			fmt.Fprint(w, service(""))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	k, s := openSites(t, SitesOptions{OnlyAsked: true})
	registered, _, err := s.Register(t.Context(), notice.SiteSpec{URLs: []string{srv.URL + "/"}, Every: notice.Duration(time.Hour)}, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	wait := s.Start(ctx)
	defer func() { cancel(); wait() }()
	id := notice.IDForURL(srv.URL + "/services/roadmap")
	run, err := s.RunNow(t.Context(), registered[0].ID, true, notice.TriggerCLI, nil)
	if n, nerr := k.store.Notice(id); err != nil || nerr != nil || n.Withdrawn() || run.Summary.Added != 1 {
		t.Fatalf("the first run, the service alone: added %d (%v); notice %v", run.Summary.Added, err, nerr)
	}
	services.Store(5)
	run, err = s.RunNow(t.Context(), registered[0].ID, true, notice.TriggerCLI, nil)
	if n, _ := k.store.Notice(id); err != nil || !n.Withdrawn() || run.Summary.Withdrawn != 1 || k.index.Count() != 0 {
		t.Errorf("a full run with the other services: withdrawn %v, summary %+v (%v), index %d; want the service out of search",
			n.Withdrawn(), run.Summary, err, k.index.Count())
	}
}
