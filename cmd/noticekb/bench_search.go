package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/bench"
	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/kb"
	"github.com/noticekb/noticekb/internal/notice"
)

func init() {
	registerBenchmark(benchmark{
		name:    "search",
		usage:   "search --data DIR [--queries N] [--filtered F] [--seed S] [--floor=false] [--cpuprofile FILE] [--as-typed F] [--robust N] [--write-questions DIR]",
		summary: "time a query mix on an imported data folder, beside plain Bleve on the same notices (the floor); --robust: queries as typed (typos, unfinished words, case, accents)",
		run:     benchSearch,
	})
}

// searchBenchWarmup queries run untimed before each system's timed run, so
// both start with the operating system's file cache warm.
const searchBenchWarmup = 200

func benchSearch(ctx context.Context, e env, args []string) error {
	fs := benchFlagSet(benchmarks["search"], e)
	data := fs.String("data", "", "data `folder` holding imported notices (noticekb import or bench import --data)")
	n := fs.Int("queries", 2000, "timed queries per system")
	filtered := fs.Float64("filtered", 0, "share (0..1) of queries that also select partners, topics or a date range")
	asTyped := fs.Float64("as-typed", 0, "share (0..1) of two-word queries with a typo in the second word or the second word unfinished")
	seed := fs.Uint64("seed", 1, "seed of the query mix")
	withFloor := fs.Bool("floor", true, "also build and time plain Bleve on the same notices")
	profile := fs.String("cpuprofile", "", "write a CPU profile of noticekb's timed runs to `FILE`")
	questions := fs.String("write-questions", "", "instead of timing, write a relevance collection of the data folder's notices to `DIR` (pages, queries.tsv, qrels.tsv: questions about titles, pasted sentences, a partner's work on a topic in a year) for ../shared/bench/relevance/run.sh --collection")
	robust := fs.Int("robust", 0, "instead of timing, draw `N` notices and check that their two rarest words find them as typed: with a typo, unfinished, in capitals, without accents")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return usageError{errors.New("bench search: --data is required")}
	}
	if *robust > 0 {
		return benchRobust(ctx, e, *data, *seed, *robust)
	}
	if *questions != "" {
		return writeQuestions(ctx, e, *data, *seed, *questions)
	}
	k, mixer, err := openBenchData(ctx, e, *data, *seed)
	if err != nil {
		return err
	}
	defer k.Close()
	all := mixer.Queries(*n+searchBenchWarmup, *filtered)
	mixer.AsTyped(all, *asTyped)
	warmup, queries := all[*n:], all[:*n]
	fmt.Fprintf(e.stdout, "notices: %d, queries: %d (%.0f%% filtered, %.0f%% as typed, seed %d), index on disk: %.0f MB\n",
		k.Index().Count(), len(queries), 100**filtered, 100**asTyped, *seed, float64(k.Index().SizeOnDisk())/(1<<20))

	var runs []bench.Latencies
	if *withFloor {
		run, err := timeFloor(ctx, e, k, mixer, warmup, queries)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, variant := range []struct {
		name string
		opts index.Options
	}{{"noticekb", index.Options{}}, {"noticekb, cache off", index.Options{CacheEntries: -1}}} {
		if err := k.ReopenIndex(variant.opts); err != nil {
			return err
		}
		search := func(ctx context.Context, q notice.Query) (uint64, error) {
			res, err := k.Index().Search(ctx, q)
			if err != nil {
				return 0, err
			}
			return res.Total, nil
		}
		if _, err := bench.TimeQueries(ctx, variant.name, warmup, search); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "machine: %s\n", bench.MachineLoad())
		run, err := bench.TimeQueries(ctx, variant.name, queries, search)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	bench.PrintLatencies(e.stdout, runs, "bleve alone (floor)")
	return nil
}

// timeFloor builds plain Bleve over the store's notices in a temporary
// folder and times the same queries on it.
func timeFloor(ctx context.Context, e env, k *kb.KB, mixer *bench.Mixer, warmup, queries []notice.Query) (bench.Latencies, error) {
	tmp, err := os.MkdirTemp("", "noticekb-bench-floor-")
	if err != nil {
		return bench.Latencies{}, err
	}
	defer os.RemoveAll(tmp)
	first, last := mixer.Years()
	fmt.Fprintf(e.stdout, "machine: %s\n", bench.MachineLoad())
	floor, build, err := bench.BuildFloor(filepath.Join(tmp, "floor"), k.Store().EachNotice, 1000, [2]int{first, last})
	if err != nil {
		return bench.Latencies{}, err
	}
	defer floor.Close()
	fmt.Fprintf(e.stdout, "floor: indexed %d notices in %s (%.0f docs/s, batches of 1000), %.0f MB on disk\n",
		build.Docs, build.Took.Round(time.Millisecond), build.DocsPerSecond(), float64(bench.DirSize(tmp))/(1<<20))
	if _, err := bench.TimeQueries(ctx, "floor", warmup, floor.Search); err != nil {
		return bench.Latencies{}, err
	}
	fmt.Fprintf(e.stdout, "machine: %s\n", bench.MachineLoad())
	return bench.TimeQueries(ctx, "bleve alone (floor)", queries, floor.Search)
}

// openBenchData opens an imported data folder, logging only warnings, and
// draws a query mix's words, partners and topics from its notices.
func openBenchData(ctx context.Context, e env, data string, seed uint64) (*kb.KB, *bench.Mixer, error) {
	cfg := config.Load(e.getenv)
	cfg.DataDir = data
	k, err := kb.OpenExisting(ctx, cfg, newLogger(e.stderr, quiet(cfg)))
	if err != nil {
		return nil, nil, err
	}
	mixer := bench.NewMixer(seed)
	err = k.Store().EachNotice(func(nt notice.Notice) error {
		if !nt.Withdrawn() {
			mixer.Observe(&nt)
		}
		return nil
	})
	if err != nil {
		k.Close()
		return nil, nil, err
	}
	return k, mixer, nil
}

// benchRobust draws notices and searches them as visitors type.
func benchRobust(ctx context.Context, e env, data string, seed uint64, n int) error {
	k, _, err := openBenchData(ctx, e, data, seed)
	if err != nil {
		return err
	}
	defer k.Close()
	b := bench.NewRobustBuilder(seed, n)
	err = k.Store().EachNotice(func(nt notice.Notice) error {
		if !nt.Withdrawn() {
			b.Observe(&nt)
		}
		return nil
	})
	if err != nil {
		return err
	}
	res, err := bench.RunRobust(ctx, b.Queries(), k.Index().Search)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "notices: %d, drawn: %d (seed %d)\n", k.Index().Count(), n, seed)
	bench.PrintRobust(e.stdout, res)
	return nil
}

// writeQuestions writes a relevance collection of the data folder's
// notices: 60 questions of each kind.
func writeQuestions(ctx context.Context, e env, data string, seed uint64, dir string) error {
	k, _, err := openBenchData(ctx, e, data, seed)
	if err != nil {
		return err
	}
	defer k.Close()
	full := map[string]string{}
	for _, p := range k.Partners() {
		full[p.Name] = p.FullName
	}
	qs := bench.NewQuestionSet(seed, full)
	err = k.Store().EachNotice(func(nt notice.Notice) error {
		if !nt.Withdrawn() {
			qs.Add(nt)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := qs.Write(dir, 60); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: run ../shared/bench/relevance/run.sh BIN --xapian --collection %s\n", dir, dir)
	return nil
}
