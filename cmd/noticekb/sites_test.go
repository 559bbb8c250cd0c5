package main

import (
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/testbed"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// siteDetail is GET /api/v1/admin/sites/{id}.
type siteDetail struct {
	Site notice.SiteStatus `json:"site"`
	Runs []notice.SiteRun  `json:"runs"`
}

// waitRuns polls a site until ok says its runs are what the test waits
// for, or fails after timeout.
func waitRuns(t *testing.T, base, id string, timeout time.Duration, ok func(siteDetail) bool) siteDetail {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var d siteDetail
		admin(t, "GET", base+"api/v1/admin/sites/"+url.PathEscape(id), "", &d)
		if ok(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for the runs of %s: %+v", timeout, id, d.Runs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var accessLine = regexp.MustCompile(`"GET \S+ HTTP`)

// truthTitles reads a generated site's notices: path → title.
func truthTitles(t *testing.T, site string) map[string]string {
	t.Helper()
	out, err := testbed.Truth(site)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// found reports whether searching the title finds the notice with id.
func found(t *testing.T, base, id, title string) bool {
	t.Helper()
	var r apiResult
	getJSON(t, base+"api/v1/search?size=20&q="+url.QueryEscape(title), &r)
	for _, h := range r.Hits {
		if h.ID == id {
			return true
		}
	}
	return false
}

// A site registered from the command line is kept current by serve with
// no other command. serve killed with SIGKILL in the middle of the site's
// run loses nothing and doubles nothing: at the next start the run shows
// as interrupted and the site runs again, ending as an uninterrupted run
// would; then, the site changed, the next scheduled run (every 10s) makes
// every added notice searchable and withdraws every deleted one.
func TestServeKilledMidSiteRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bed, site := generatedSite(t, 30, 8)
	srv, err := bed.ServeAt("127.0.0.50", site, "--no-faults", "--latency-ms", "40", "--log")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	id := hostOfURL(srv.URL)
	bin := buildBinary(t)
	data := t.TempDir()
	out, err := exec.Command(bin, "sites", "add", "--data", data, "--every", "10s", "--exclude", "/calendar/", "--exclude", "/search/", srv.URL).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "added "+id) {
		t.Fatalf("sites add: %v\n%s", err, out)
	}
	flags := []string{"--allow-private", "--crawl-delay", "0"}
	killed := startServeProcessWith(t, bin, data, adminToken, flags...)
	defer killed.cmd.Process.Kill()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if strings.Contains(killed.log.String(), `msg="site run started"`) && len(accessLine.FindAllString(srv.Log(), -1)) >= 25 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the site's run did not get going\n%s", killed.log)
		}
	}
	killed.cmd.Process.Kill()
	<-killed.done

	p := startServeProcessWith(t, bin, data, adminToken, flags...)
	defer p.cmd.Process.Kill() // should the test stop before it stops serve
	base := p.url + "/"
	d := waitRuns(t, base, id, 120*time.Second, func(d siteDetail) bool { return len(d.Runs) >= 2 && d.Runs[0].Done() })
	first, second := d.Runs[len(d.Runs)-1], d.Runs[len(d.Runs)-2]
	truth := truthTitles(t, site)
	if first.State != notice.RunInterrupted || !strings.Contains(first.Error, "cut short") {
		t.Errorf("the killed run: %s %q", first.State, first.Error)
	}
	if second.State != notice.RunSucceeded || second.Kind != notice.RunFull || second.Summary.Added < len(truth)-1 || len(d.Runs) != 2 {
		t.Errorf("the run after the restart: %s %s, added %d of %d notices; %d runs", second.Kind, second.State, second.Summary.Added, len(truth), len(d.Runs))
	}
	notices := d.Site.Schedule.Notices
	if n := total(t, base); n != notices {
		t.Errorf("search finds %d notices, the site has %d (a data folder with registered sites gets no demo)", n, notices)
	}
	t.Logf("killed with %d requests served; the run after the restart added %d; %d notices of the site in search",
		len(accessLine.FindAllString(srv.Log(), -1)), second.Summary.Added, notices)

	ch, err := bed.Mutate(t.Context(), site, 21)
	if err != nil {
		t.Fatal(err)
	}
	d = waitRuns(t, base, id, 60*time.Second, func(d siteDetail) bool { return len(d.Runs) >= 3 && d.Runs[0].Done() })
	if run := d.Runs[0]; run.State != notice.RunSucceeded || run.Trigger != notice.TriggerSchedule || run.Summary.Added != len(ch.Added) || run.Summary.Withdrawn != len(ch.Deleted) {
		t.Errorf("the scheduled run after the change: %s %s %s: %+v", run.Kind, run.Trigger, run.State, run.Summary)
	}
	idOf := func(path string) string {
		u, _ := urlnorm.Normalize(strings.TrimSuffix(srv.URL, "/") + path)
		return notice.IDForURL(u)
	}
	for _, c := range ch.Added {
		if !found(t, base, idOf(c.URL), c.Title) {
			t.Errorf("added notice %s is not searchable", c.URL)
		}
	}
	for _, c := range ch.Deleted {
		if found(t, base, idOf(c.URL), c.Title) {
			t.Errorf("deleted notice %s is still in search", c.URL)
		}
	}
	p.stop(t)

	urls, _ := exportedURLs(t, bin, data) // fails on a notice exported twice
	onSite := 0
	for u := range urls {
		if strings.HasPrefix(u, strings.TrimSuffix(srv.URL, "/")) {
			onSite++
		}
	}
	if want := notices + len(ch.Added) - len(ch.Deleted); onSite != want {
		t.Errorf("%d notices of the site in the store, want %d", onSite, want)
	}
}
