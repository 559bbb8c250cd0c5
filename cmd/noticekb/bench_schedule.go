package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/noticekb/noticekb/internal/bench"
)

func init() {
	registerBenchmark(benchmark{
		name:    "schedule",
		usage:   "schedule [--sites N] [--notices N] [--concurrency N] [--crawl-delay DURATION] [--keep DIR]",
		summary: "serve keeping many generated sites current: cycle time, requests, memory, search latency",
		run:     benchSchedule,
	})
}

// benchSchedule measures serve's scheduler on generated sites, each on a
// loopback address of its own: `noticekb bench schedule --sites 50`.
func benchSchedule(ctx context.Context, e env, args []string) error {
	b := benchmarks["schedule"]
	fs := benchFlagSet(b, e)
	o := bench.ScheduleOptions{Out: e.stdout}
	var keep string
	var reuse bool
	fs.IntVar(&o.Sites, "sites", 50, "`N` generated sites, each on its own loopback address")
	fs.IntVar(&o.Notices, "notices", 500, "`N` notices on each site")
	fs.IntVar(&o.Concurrency, "concurrency", 2, "serve --schedule-concurrency: `N` sites run at once")
	fs.DurationVar(&o.CrawlDelay, "crawl-delay", 0, "serve --crawl-delay: pause of `DURATION` between requests to one host")
	fs.StringVar(&keep, "keep", "", "keep the sites and data folder in `DIR` (sites already there are reused)")
	fs.BoolVar(&reuse, "reuse", false, "with --keep, reuse its data folder too (kept by an earlier run), skipping the first cycle")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if o.Sites < 1 || o.Sites > 250 || o.Notices < 30 || o.Concurrency < 1 {
		return usageError{errors.New("bench schedule: --sites from 1 to 250, --notices 30 or more, --concurrency 1 or more")}
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	o.Binary, o.Work = bin, keep
	if keep == "" {
		tmp, err := os.MkdirTemp("", "noticekb-bench-schedule-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		o.Work = tmp
	} else if !reuse {
		os.RemoveAll(keep + "/data") // the sites are reused, the knowledge base is not
	}
	start := time.Now()
	defer func() {
		e.stdout.Write([]byte("bench schedule took " + time.Since(start).Round(time.Second).String() + "\n"))
	}()
	return bench.Schedule(ctx, o)
}
