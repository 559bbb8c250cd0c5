package kb

import (
	"cmp"
	"slices"

	"github.com/noticekb/noticekb/internal/metrics"
	"github.com/noticekb/noticekb/internal/notice"
)

// RegisterMetrics adds the registered sites and their runs to r: sites by
// state, and counters that every run ended since the start adds to.
func (s *Sites) RegisterMetrics(r *metrics.Registry) {
	r.GaugesFunc("noticekb_sites", "Registered sites, by state (running: a run goes on).", []string{"state"}, func() []metrics.Sample {
		counts := map[string]int{}
		if sites, err := s.k.store.RegisteredSites(); err == nil {
			for _, site := range sites {
				counts[string(site.Schedule.State)]++
			}
		}
		if s.sched != nil {
			counts["running"] = len(s.sched.Active())
		}
		var out []metrics.Sample
		for _, st := range []string{string(notice.SiteActive), string(notice.SitePaused), string(notice.SiteDisabled), "running"} {
			out = append(out, metrics.Sample{Labels: []string{st}, Value: float64(counts[st])})
		}
		return out
	})
	r.CountersFunc("noticekb_site_runs_total", "Runs of registered sites ended since start, by kind and state.", []string{"kind", "state"}, func() []metrics.Sample {
		t := s.Totals()
		keys := make([][2]string, 0, len(t.Runs))
		for k := range t.Runs {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
		out := make([]metrics.Sample, 0, len(keys))
		for _, k := range keys {
			out = append(out, metrics.Sample{Labels: []string{k[0], k[1]}, Value: float64(t.Runs[k])})
		}
		return out
	})
	r.CountersFunc("noticekb_site_run_notices_total", "Notices that runs of registered sites added, updated and withdrawn since start (runs that succeeded).", []string{"change"}, func() []metrics.Sample {
		t := s.Totals()
		return []metrics.Sample{
			{Labels: []string{"added"}, Value: float64(t.Added)},
			{Labels: []string{"updated"}, Value: float64(t.Updated)},
			{Labels: []string{"withdrawn"}, Value: float64(t.Withdrawn)},
		}
	})
	r.CountersFunc("noticekb_site_run_failed_pages_total", "Pages that runs of registered sites could not fetch or read, since start.", nil, func() []metrics.Sample {
		return []metrics.Sample{{Value: float64(s.Totals().Failed)}}
	})
	r.CountersFunc("noticekb_site_run_requests_total", "HTTP requests that runs of registered sites made since start, by answer (all, or not_modified: 304 or the same bytes).", []string{"answer"}, func() []metrics.Sample {
		t := s.Totals()
		return []metrics.Sample{{Labels: []string{"all"}, Value: float64(t.Requests)}, {Labels: []string{"not_modified"}, Value: float64(t.NotModified)}}
	})
	r.CountersFunc("noticekb_site_run_seconds_total", "Seconds that runs of registered sites took, added up, since start.", nil, func() []metrics.Sample {
		return []metrics.Sample{{Value: s.Totals().Seconds}}
	})
}
