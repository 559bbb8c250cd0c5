package schedule

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// Policy is when sites run and what each run reads. Zero fields take the
// defaults named.
type Policy struct {
	// MinInterval and MaxInterval bound an adapted interval; 0 means 1h
	// and 7 days. A site's fixed interval (Site.Every) is not bounded.
	MinInterval, MaxInterval time.Duration
	// FullEvery is how often a site is re-crawled in full (which catches
	// withdrawals no list shows and pages no list links to); 0 means 7 days.
	FullEvery time.Duration
	// CheckEvery is how often the list pages of a site with a working feed
	// are read too; 0 means a day. Sites without a feed read their lists
	// at every run.
	CheckEvery time.Duration
	// DisableAfter is how many failed runs in a row disable a site; 0
	// means 6.
	DisableAfter int
	// Jitter spreads runs by up to this fraction of their interval either
	// way, so sites registered together do not run together; 0 means 0.1.
	Jitter float64
}

func (p Policy) withDefaults() Policy {
	if p.MinInterval <= 0 {
		p.MinInterval = time.Hour
	}
	if p.MaxInterval <= 0 {
		p.MaxInterval = 7 * 24 * time.Hour
	}
	if p.FullEvery <= 0 {
		p.FullEvery = 7 * 24 * time.Hour
	}
	if p.CheckEvery <= 0 {
		p.CheckEvery = 24 * time.Hour
	}
	if p.DisableAfter <= 0 {
		p.DisableAfter = 6
	}
	if p.Jitter <= 0 {
		p.Jitter = 0.1
	}
	return p
}

// Kind is what a run of site at now reads: a full re-crawl when the last
// is FullEvery old (or there was none), the feed when it works and the
// lists were read within CheckEvery, the list pages otherwise.
func (p Policy) Kind(site notice.Site, now time.Time) string {
	p = p.withDefaults()
	switch {
	case site.Schedule.LastFull.IsZero() || now.Sub(site.Schedule.LastFull) >= p.FullEvery:
		return notice.RunFull
	case site.Schedule.Feed.Working() && now.Sub(site.Schedule.LastCheck) < p.CheckEvery:
		return notice.RunFeed
	}
	return notice.RunCheck
}

// publishWindow is how far back publication dates count.
const publishWindow = 90 * 24 * time.Hour

// Interval is the time between a site's runs: its fixed interval, or half
// the mean gap between the notices it published in the last 90 days
// (dates, with those ahead of now ignored), bounded by MinInterval and
// MaxInterval: a site publishing daily is read twice a day, one that has
// published nothing for three months weekly.
func (p Policy) Interval(site notice.Site, dates []time.Time, now time.Time) time.Duration {
	p = p.withDefaults()
	if site.Every > 0 {
		return site.Every.D()
	}
	n := 0
	for _, d := range dates {
		if !d.After(now) && now.Sub(d) < publishWindow {
			n++
		}
	}
	if n == 0 {
		return p.MaxInterval
	}
	return min(max(publishWindow/time.Duration(2*n), p.MinInterval), p.MaxInterval)
}

// jitter spreads d by up to Jitter of it either way.
func (p Policy) jitter(d time.Duration) time.Duration {
	f := 1 + p.Jitter*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f)
}

// backoff is the wait after the failures-th failed run in a row: the
// interval (at most an hour, unless fixed), doubled for each failure
// after the first, at most a day (or the fixed interval, if longer).
func (p Policy) backoff(site notice.Site, interval time.Duration, failures int) time.Duration {
	base := min(interval, p.MinInterval)
	if site.Every > 0 {
		base = site.Every.D()
	}
	limit := max(24*time.Hour, base)
	d := base
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Result is what a run came to, for the schedule.
type Result struct {
	// Kind is what the run read (a feed run that could not read its feed
	// reads the lists instead).
	Kind    string
	Summary notice.RunSummary
	// Err is why the run failed; nothing it read was kept.
	Err error
	// Blocked says why robots.txt keeps noticekb out of every start page;
	// the site is paused and nothing was fetched.
	Blocked               string
	Requests, NotModified int64
	// Feed is the feed's state after the run.
	Feed      notice.FeedState
	FeedItems int
	// Dates are publication dates of the site's notices, for the
	// interval; nil keeps the interval as it is (nothing was published
	// since it was set). Notices counts its notices in search.
	Dates   []time.Time
	Notices int
}

// settle updates site's schedule after a run that ended with res at now;
// manual runs of a disabled site leave it disabled, as it was.
func (p Policy) settle(site *notice.Site, res Result, now time.Time) {
	sc := &site.Schedule
	sc.Feed, sc.Notices = res.Feed, res.Notices
	if res.Err == nil && res.Blocked == "" {
		switch res.Kind {
		case notice.RunFull:
			sc.LastFull, sc.LastCheck = now, now
		case notice.RunCheck:
			sc.LastCheck = now
		}
	}
	if sc.State == notice.SiteDisabled {
		return
	}
	interval := sc.Interval.D()
	if (res.Err == nil && (res.Dates != nil || site.Every > 0)) || interval <= 0 {
		interval = p.Interval(*site, res.Dates, now)
		sc.Interval = notice.Duration(interval)
	}
	switch {
	case res.Blocked != "":
		sc.State, sc.Reason, sc.Failures = notice.SitePaused, res.Blocked, 0
		sc.NextRun = now.Add(p.jitter(interval))
	case res.Err != nil:
		sc.Failures++
		if sc.Failures >= p.DisableAfter {
			sc.State = notice.SiteDisabled
			sc.Reason = fmt.Sprintf("disabled after %d failed runs in a row; the last: %v", sc.Failures, res.Err)
			return
		}
		sc.NextRun = now.Add(p.jitter(p.backoff(*site, interval, sc.Failures)))
	default:
		sc.State, sc.Reason, sc.Failures = notice.SiteActive, "", 0
		sc.NextRun = now.Add(p.jitter(interval))
	}
}
