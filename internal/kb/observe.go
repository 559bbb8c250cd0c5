package kb

import (
	"context"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/metrics"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/web"
)

// JobLister lists admin jobs (jobs.Manager), for their metrics.
type JobLister interface {
	Jobs() []notice.Job
}

// Metrics returns a registry of what a serving process reports besides
// HTTP: the index, the store, admin jobs (nil when there are none) and
// their crawls, and the process.
func (k *KB) Metrics(jobs JobLister, re *Reimporter) *metrics.Registry {
	r := metrics.NewRegistry()
	r.GaugeFunc("noticekb_index_documents", "Notices in the search index.", func() float64 { return float64(k.index.Count()) })
	r.GaugeFunc("noticekb_index_size_bytes", "Bytes of the search index on disk.", func() float64 { return float64(k.index.SizeOnDisk()) })
	r.GaugeFunc("noticekb_index_applied_seq", "The last store change the index holds.", func() float64 { return float64(k.index.AppliedSeq()) })
	stats := &cachedStats{read: k.store.Stats}
	storeStat := func(pick func(s store.Stats) float64) func() float64 {
		return func() float64 { return pick(stats.get()) }
	}
	r.GaugeFunc("noticekb_store_seq", "The store's last change.", storeStat(func(s store.Stats) float64 { return float64(s.Seq) }))
	r.GaugeFunc("noticekb_store_notices", "Notices in the store, withdrawn ones included.", storeStat(func(s store.Stats) float64 { return float64(s.Notices) }))
	r.GaugeFunc("noticekb_store_pages", "Pages in the store.", storeStat(func(s store.Stats) float64 { return float64(s.Pages) }))
	r.GaugeFunc("noticekb_store_size_bytes", "Bytes of the store file.", storeStat(func(s store.Stats) float64 { return float64(s.Size) }))
	r.GaugesFunc("noticekb_jobs", "Admin jobs in the history, by state.", []string{"state"}, func() []metrics.Sample {
		counts := map[notice.JobState]int{}
		if jobs != nil {
			for _, j := range jobs.Jobs() {
				counts[j.State]++
			}
		}
		var out []metrics.Sample
		for _, s := range []notice.JobState{notice.JobRunning, notice.JobSucceeded, notice.JobFailed, notice.JobCancelled} {
			out = append(out, metrics.Sample{Labels: []string{string(s)}, Value: float64(counts[s])})
		}
		return out
	})
	r.CountersFunc("noticekb_crawl_pages_total", "Pages requested by admin re-imports since start, by outcome.", []string{"outcome"}, func() []metrics.Sample {
		var t crawl.Stats
		if re != nil {
			t = re.CrawlTotals()
		}
		return []metrics.Sample{
			{Labels: []string{"fetched"}, Value: float64(t.Fetched)},
			{Labels: []string{"not_modified"}, Value: float64(t.NotModified)},
			{Labels: []string{"error"}, Value: float64(t.Errors)},
			{Labels: []string{"retry"}, Value: float64(t.Retries)},
			{Labels: []string{"disallowed"}, Value: float64(t.Disallowed)},
			{Labels: []string{"trapped"}, Value: float64(t.Trapped)},
		}
	})
	r.RegisterProcess()
	return r
}

// cachedStats reads the store's counts once for the four gauges of one
// scrape (counting walks the store's key trees).
type cachedStats struct {
	mu   sync.Mutex
	read func() (store.Stats, error)
	at   time.Time
	last store.Stats
}

func (c *cachedStats) get() store.Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) > 2*time.Second {
		if st, err := c.read(); err == nil {
			c.last = st
		}
		c.at = time.Now()
	}
	return c.last
}

// Health reads the store's and the index's state for /healthz. Errors
// are logged in full and reported in a word: the endpoint is public.
func (k *KB) Health() web.Health {
	var h web.Health
	st, err := k.store.Stats()
	if err != nil {
		k.log.Error("health: store unreadable", "err", err)
		h.Store.Error = "unreadable"
	}
	h.Store = web.StoreHealth{Notices: st.Notices, Pages: st.Pages, Seq: st.Seq, SizeBytes: st.Size, Error: h.Store.Error}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := k.index.Search(ctx, notice.Query{Size: 1}); err != nil {
		k.log.Error("health: index search failed", "err", err)
		h.Index.Error = "search failed"
	}
	h.Index.Documents, h.Index.AppliedSeq, h.Index.SizeBytes = k.index.Count(), k.index.AppliedSeq(), k.index.SizeOnDisk()
	return h
}
