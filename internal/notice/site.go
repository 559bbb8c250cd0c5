package notice

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Site is a website registered to be kept current: serve's scheduler
// re-crawls it on its own, and every run is kept in its history.
type Site struct {
	// ID names the site: its host (and port) without "www.", lower case.
	// Every start URL is on it.
	ID     string   `json:"id"`
	Starts []string `json:"starts"`
	// Include and Exclude are Go regular expressions on normalised URLs,
	// as crawl's --include and --exclude.
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
	// Rule names the rules file entry written for the site's pages, if any.
	Rule string `json:"rule,omitempty"`
	// Feed is a feed URL given at registration; feeds are also discovered
	// on the site's list pages (Schedule.Feed).
	Feed string `json:"feed,omitempty"`
	// Every is a fixed interval between runs; zero adapts the interval to
	// how often the site publishes.
	Every    Duration     `json:"every,omitempty"`
	Added    time.Time    `json:"added"`
	Schedule SiteSchedule `json:"schedule"`
}

// SiteSpec is what a registration of sites says.
type SiteSpec struct {
	// URLs are start pages; those on one host (www. or not) make one site.
	URLs    []string `json:"urls"`
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
	// Feed is the site's feed, when its pages do not advertise one.
	Feed string `json:"feed,omitempty"`
	// Rule names the rules file entry for the site's pages.
	Rule string `json:"rule,omitempty"`
	// Every is a fixed interval between runs; 0 adapts it.
	Every Duration `json:"every,omitempty"`
}

// SiteState is where a registered site stands.
type SiteState string

const (
	// SiteActive sites run when due.
	SiteActive SiteState = "active"
	// SitePaused sites are not crawled because their robots.txt keeps
	// noticekb out; their notices are kept, and each run only reads
	// robots.txt again, to go on when it lets noticekb in.
	SitePaused SiteState = "paused"
	// SiteDisabled sites do not run until enabled again: an admin
	// disabled them, or too many runs in a row failed (Reason says).
	SiteDisabled SiteState = "disabled"
)

// SiteSchedule is the scheduler's state of a site.
type SiteSchedule struct {
	State SiteState `json:"state"`
	// Reason says why a site is paused or disabled.
	Reason  string    `json:"reason,omitempty"`
	NextRun time.Time `json:"next_run,omitzero"`
	// Interval is the time between runs now (Every, or adapted).
	Interval Duration `json:"interval"`
	// Failures counts the runs that failed since the last that did not.
	Failures int `json:"failures"`
	// LastRun is the sequence number of the site's latest run.
	LastRun  uint64    `json:"last_run,omitempty"`
	LastFull time.Time `json:"last_full,omitzero"`
	// LastCheck is the last time every list page was read.
	LastCheck time.Time `json:"last_check,omitzero"`
	Feed      FeedState `json:"feed,omitzero"`
	// Notices is how many of the site's notices were in search after its
	// last run.
	Notices int `json:"notices"`
}

// FeedState is what the scheduler knows of a site's feed.
type FeedState struct {
	URL string `json:"url,omitempty"`
	// Discovered tells that the URL was found on the site's pages rather
	// than given.
	Discovered   bool      `json:"discovered,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Checked      time.Time `json:"checked,omitzero"`
	// Error is why the feed could not be used last time; a feed with an
	// error is tried again only at the next full run.
	Error string `json:"error,omitempty"`
}

// Working reports whether the feed can be read instead of the list pages.
func (f FeedState) Working() bool { return f.URL != "" && f.Error == "" }

// Run kinds: what a run of a site reads.
const (
	// RunFull re-crawls the whole site: start pages, sitemaps, every
	// stored page (conditionally), every link. It catches withdrawals and
	// pages no list shows.
	RunFull = "full"
	// RunCheck reads the start pages and stored list pages conditionally
	// and fetches only links to pages the store does not have; when a list
	// changed, the notices no list shows any more are checked again.
	RunCheck = "check"
	// RunFeed reads the site's feed conditionally and fetches the notices
	// it lists that the store does not have.
	RunFeed = "feed"
)

// Run triggers: what started a run.
const (
	TriggerSchedule = "schedule" // the scheduler, when the site was due
	TriggerAdmin    = "admin"    // an admin's re-import or "run now"
	TriggerCLI      = "cli"      // noticekb sites run
)

// RunState is where a run of a site stands.
type RunState string

const (
	RunRunning   RunState = "running"
	RunSucceeded RunState = "succeeded" // its writes are in the knowledge base
	RunFailed    RunState = "failed"    // nothing it read was kept
	RunCancelled RunState = "cancelled" // nothing it read was kept
	// RunInterrupted runs were cut short by the process ending (a crash,
	// kill -9); nothing they read was kept, and the site ran again.
	RunInterrupted RunState = "interrupted"
	// RunBlocked runs found robots.txt keeping noticekb out of every start
	// page: the site is paused, its notices kept.
	RunBlocked RunState = "blocked"
)

// SiteRun is one run of a registered site, or one running.
type SiteRun struct {
	Site string `json:"site"`
	// Seq numbers the site's runs from 1.
	Seq     uint64   `json:"seq"`
	Kind    string   `json:"kind"`
	Trigger string   `json:"trigger"`
	State   RunState `json:"state"`
	// Summary is what the run did; a failed, cancelled or interrupted run
	// says what it read, none of which was kept.
	Summary RunSummary `json:"summary"`
	// Requests are the HTTP requests the run made (robots.txt, feed and
	// pages), NotModified those answered 304 or with the same bytes.
	Requests    int64  `json:"requests"`
	NotModified int64  `json:"not_modified"`
	Feed        string `json:"feed,omitempty"`
	// FeedItems is how many items the feed listed (0 when it answered 304).
	FeedItems int       `json:"feed_items,omitempty"`
	Error     string    `json:"error,omitempty"`
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished,omitzero"`
	// LeaseUntil is how long a running run's process vouches for it: the
	// process renews it while the run goes on.
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// Owner names the process running the run.
	Owner string `json:"owner,omitempty"`
	// Progress is a running run's counts so far (not stored).
	Progress *JobProgress `json:"progress,omitempty"`
}

// SiteStatus is a registered site with its run going on and its latest
// run that ended.
type SiteStatus struct {
	Site
	Running *SiteRun `json:"running,omitempty"`
	LastRun *SiteRun `json:"last_run,omitempty"`
}

// Done reports whether the run has ended.
func (r SiteRun) Done() bool { return r.State != RunRunning }

// Changed reports whether the run changed the knowledge base.
func (r SiteRun) Changed() bool {
	return r.State == RunSucceeded && r.Summary.Added+r.Summary.Updated+r.Summary.Withdrawn > 0
}

// Duration is a time.Duration written in JSON as Go writes durations
// ("1h0m0s"); a number is read as nanoseconds.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if s := strings.TrimSpace(string(b)); s != "" && s[0] != '"' {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("duration %s: %w", b, ErrInvalidQuery)
		}
		*d = Duration(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, ErrInvalidQuery)
	}
	*d = Duration(v)
	return nil
}
