package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/noticekb/noticekb/internal/bench"
	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/kb"
)

func init() {
	registerBenchmark(benchmark{
		name:    "import",
		usage:   "import --flat DIR [--data DIR] [--omindex] [--workers N] [--cpuprofile FILE]",
		summary: "time importing a folder of pages (flat_notices.py output) into a fresh data folder, beside Xapian omindex",
		run:     benchImport,
	})
}

func benchImport(ctx context.Context, e env, args []string) error {
	fs := benchFlagSet(benchmarks["import"], e)
	flat := fs.String("flat", "", "`folder` of pages to import (flat_notices.py --out)")
	data := fs.String("data", "", "fresh data `folder` to import into (default: a temporary folder, removed after)")
	omindex := fs.Bool("omindex", false, "also index the same folder with Xapian omindex, right after")
	workers := fs.Int("workers", 0, "extraction workers (0: one per CPU)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of noticekb's import to `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *flat == "" {
		return usageError{errors.New("bench import: --flat is required")}
	}
	dir := *data
	if dir == "" {
		tmp, err := os.MkdirTemp("", "noticekb-bench-import-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "data")
	} else if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return usageError{fmt.Errorf("bench import: %s is not empty; the import must start from nothing", dir)}
	}
	fmt.Fprintf(e.stdout, "machine: %s\n", bench.MachineLoad())
	run, err := timeImport(ctx, e, dir, *flat, *workers, *profile)
	if err != nil {
		return err
	}
	runs := []bench.ImportRun{run}
	if *omindex {
		fmt.Fprintf(e.stdout, "machine: %s\n", bench.MachineLoad())
		db, err := os.MkdirTemp("", "noticekb-bench-omindex-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(db)
		om, err := bench.Omindex(ctx, *flat, filepath.Join(db, "db"))
		if err != nil {
			return err
		}
		runs = append(runs, om)
	}
	bench.PrintImports(e.stdout, runs)
	return nil
}

// timeImport imports a folder into a fresh data folder through the same
// path as `noticekb import`, closing included (the index is flushed then).
func timeImport(ctx context.Context, e env, dir, flat string, workers int, profile string) (bench.ImportRun, error) {
	run := bench.ImportRun{System: "noticekb import"}
	cfg := config.Load(e.getenv)
	cfg.DataDir = dir
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return run, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return run, err
		}
		defer pprof.StopCPUProfile()
	}
	defer tuneGCForImport(e.getenv)()
	mem := bench.SampleMemory(250 * time.Millisecond)
	cpu0, _ := bench.SelfUsage()
	start := time.Now()
	k, err := kb.Open(ctx, cfg, newLogger(e.stderr, quiet(cfg)))
	if err != nil {
		return run, err
	}
	summary, err := k.Import(ctx, []string{flat}, ingest.ImportOptions{Workers: workers})
	k.Close()
	if err != nil {
		return run, err
	}
	run.Took = time.Since(start)
	run.PeakAnon, run.PeakFile = mem.Stop()
	cpu1, peak := bench.SelfUsage()
	run.CPU, run.PeakRSS = cpu1-cpu0, peak
	run.Pages = summary.Pages
	run.DiskBytes = bench.DirSize(dir)
	run.Note = fmt.Sprintf("added %d, failed %d, skipped %d, duplicates %d", summary.Added, summary.Failed, summary.Skipped, summary.Duplicates)
	return run, nil
}
