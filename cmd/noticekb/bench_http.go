package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/noticekb/noticekb/internal/bench"
	"github.com/noticekb/noticekb/internal/web"
)

func init() {
	registerBenchmark(benchmark{
		name:    "http",
		usage:   "http --data DIR [--clients N] [--duration D] [--queries N] [--filtered F] [--as-typed F] [--seed S]",
		summary: "serve an imported data folder on loopback and load the search API with wrk, the search benchmark's query mix",
		run:     benchHTTP,
	})
}

func benchHTTP(ctx context.Context, e env, args []string) error {
	fs := benchFlagSet(benchmarks["http"], e)
	data := fs.String("data", "", "data `folder` holding imported notices")
	clients := fs.Int("clients", 16, "concurrent connections")
	threads := fs.Int("threads", 2, "wrk threads")
	duration := fs.Duration("duration", 30*time.Second, "how long to load the server")
	n := fs.Int("queries", 2000, "distinct queries in the mix (sent in turn)")
	filtered := fs.Float64("filtered", 0, "share (0..1) of queries that also select partners, topics or a date range")
	asTyped := fs.Float64("as-typed", 0, "share (0..1) of two-word queries with a typo in the second word or the second word unfinished")
	seed := fs.Uint64("seed", 1, "seed of the query mix")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return usageError{errors.New("bench http: --data is required")}
	}
	k, mixer, err := openBenchData(ctx, e, *data, *seed)
	if err != nil {
		return err
	}
	defer k.Close()
	var paths []string
	queries := mixer.Queries(*n, *filtered)
	mixer.AsTyped(queries, *asTyped)
	for _, q := range queries {
		paths = append(paths, web.SearchURL("/api/v1/search", q))
	}
	srv, err := web.New(web.Options{Searcher: k.Index(), Notices: k.Store(), Partners: k.Partners, Counts: k.Index().Count, Log: k.Log()})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	fmt.Fprintf(e.stdout, "notices: %d, distinct queries: %d (%.0f%% filtered), %d clients for %s\nmachine: %s\n",
		k.Index().Count(), len(paths), 100**filtered, *clients, *duration, bench.MachineLoad())
	err = bench.RunWrk(ctx, bench.HTTPLoad{Base: "http://" + ln.Addr().String(), Paths: paths, Clients: *clients, Threads: *threads, Duration: *duration, Stdout: e.stdout})
	fmt.Fprintf(e.stdout, "machine: %s\nmemory of this process (server, wrk excluded): %s\n", bench.MachineLoad(), bench.Memory())
	return err
}
