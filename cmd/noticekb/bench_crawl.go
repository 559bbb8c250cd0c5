package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"time"

	"github.com/noticekb/noticekb/internal/bench"
	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/kb"
	"github.com/noticekb/noticekb/internal/notice"
)

func init() {
	registerBenchmark(benchmark{
		name:    "crawl",
		usage:   "crawl [--notices N] [--concurrency N] [flags]",
		summary: "crawl throughput, score and re-crawl on a generated site served on loopback",
		run:     benchCrawl,
	})
}

// benchCrawl measures crawl throughput on a generated site served on
// loopback: `noticekb bench crawl --notices 2000`.
func benchCrawl(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("bench crawl", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var opts bench.CrawlOptions
	var concurrency int
	var keep string
	fs.IntVar(&opts.Notices, "notices", 2000, "notices on the generated site")
	fs.IntVar(&opts.Seed, "seed", 42, "generator seed")
	fs.StringVar(&opts.Site, "site", "", "use this generated site `folder` instead of generating one")
	fs.BoolVar(&opts.Faults, "faults", false, "keep the /slow/ and /flaky/ faults (off for a speed run)")
	fs.IntVar(&concurrency, "concurrency", 8, "requests in flight to the site")
	fs.StringVar(&keep, "keep", "", "keep the data folder and site here (default: a temporary folder, removed)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	work := keep
	if work == "" {
		tmp, err := os.MkdirTemp("", "noticekb-bench-crawl-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	opts.Work = work
	cfg := config.Default()
	cfg.DataDir = work + "/data"
	cfg.LogLevel = "warn"
	if err := cfg.Validate(); err != nil {
		return err
	}
	k, err := kb.Open(ctx, cfg, newLogger(e.stderr, cfg))
	if err != nil {
		return err
	}
	defer k.Close()
	return bench.Crawl(ctx, benchTarget{k: k, concurrency: concurrency}, opts, e.stdout)
}

type benchTarget struct {
	k           *kb.KB
	concurrency int
}

func (t benchTarget) Crawl(ctx context.Context, start string) (notice.RunSummary, int64, error) {
	c := crawl.New(crawl.Config{Delay: 0, Concurrency: t.concurrency, Log: t.k.Log(), MaxPages: 1 << 20, Timeout: 30 * time.Second})
	sum, err := t.k.Crawl(ctx, c, []string{start})
	return sum, c.Stats().Fetched, err
}

func (t benchTarget) Export(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return t.k.Store().EachNotice(func(n notice.Notice) error {
		if n.Withdrawn() {
			return nil
		}
		return enc.Encode(exportLine{noticeFields: fieldsOf(n)})
	})
}

func (t benchTarget) Seq() uint64 { return t.k.Store().LastSeq() }
