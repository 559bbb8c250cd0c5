package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/noticekb/noticekb/internal/bench"
)

func init() {
	registerBenchmark(benchmark{
		name:    "load",
		usage:   "load --data DIR [--duration D] [--connections N] [--reimport-site DIR] [flags]",
		summary: "wrk HTTP load on a served data folder, then again during an admin re-import",
		run:     benchLoad,
	})
}

// benchLoad serves a data folder and loads it with wrk on loopback:
// `noticekb bench load --data /tmp/data100k --reimport-site /tmp/site2k`.
func benchLoad(ctx context.Context, e env, args []string) error {
	fs := benchFlagSet(benchmarks["load"], e)
	opts := bench.LoadOptions{}
	var keep string
	var inPlace bool
	fs.StringVar(&opts.Data, "data", "", "an imported data `folder` (copied first unless --in-place, since the re-import writes to it)")
	fs.DurationVar(&opts.Duration, "duration", 30*time.Second, "length of the read-only run")
	fs.IntVar(&opts.Connections, "connections", 32, "concurrent keep-alive connections")
	fs.IntVar(&opts.Threads, "threads", 2, "wrk threads")
	fs.IntVar(&opts.MaxRequests, "max-requests", 100_000, "requests per wrk thread at most (the run ends at whichever bound comes first)")
	fs.IntVar(&opts.Paths, "paths", 20_000, "distinct request paths drawn for the mix")
	fs.IntVar(&opts.Seed, "seed", 1, "seed of the request mix")
	fs.StringVar(&opts.ReimportSite, "reimport-site", "", "a generated site `folder` to serve and re-import through the admin API during a second run")
	fs.DurationVar(&opts.MaxJob, "max-job", 10*time.Minute, "longest the re-import may take")
	fs.BoolVar(&inPlace, "in-place", false, "serve --data itself rather than a copy")
	fs.StringVar(&keep, "keep", "", "keep the work folder (logs, path list, data copy) here")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if opts.Data == "" || opts.Duration <= 0 || opts.Connections < 1 || opts.Threads < 1 || opts.MaxRequests < 1 || opts.Paths < 1 {
		return usageError{errors.New("bench load: --data is required; durations and counts must be positive")}
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	opts.Binary = bin
	work := keep
	if work == "" {
		if work, err = os.MkdirTemp("", "noticekb-bench-load-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	opts.Work = work
	if opts.ReimportSite != "" && !inPlace {
		copyTo := filepath.Join(work, "data")
		if err := bench.CopyDir(opts.Data, copyTo); err != nil {
			return err
		}
		opts.Data = copyTo
	}
	return bench.Load(ctx, opts, e.stdout)
}
