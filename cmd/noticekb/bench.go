package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// benchmark is one `noticekb bench <name>` subject. Each lives in its own
// bench_<name>.go file, which registers it from an init function, so adding
// a benchmark touches no other file.
type benchmark struct {
	name, usage, summary string
	run                  func(ctx context.Context, e env, args []string) error
}

// benchmarks is filled by the bench_*.go files at init and only read after.
var benchmarks = map[string]benchmark{}

func registerBenchmark(b benchmark) {
	if _, dup := benchmarks[b.name]; dup {
		panic("noticekb: benchmark " + b.name + " registered twice")
	}
	benchmarks[b.name] = b
}

// cmdBench dispatches to a benchmark; with no name it lists them.
func cmdBench(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		out := e.stderr
		if len(args) > 0 {
			out = e.stdout
		}
		printBenchUsage(out)
		return nil
	}
	b, ok := benchmarks[args[0]]
	if !ok {
		printBenchUsage(e.stderr)
		return usageError{fmt.Errorf("bench: unknown benchmark %q", args[0])}
	}
	return b.run(ctx, e, args[1:])
}

func printBenchUsage(w io.Writer) {
	fmt.Fprint(w, "usage: noticekb bench <name> [flags]\n\nRun a benchmark against the shared test beds and print its scores.\nTime measurements should run alone: wrap the command in\n`flock /tmp/noticekb-bench.lock ...` on a shared machine.\n\nThe benchmarks are:\n\n")
	for _, name := range sortedKeys(benchmarks) {
		fmt.Fprintf(w, "\t%-12s %s\n", name, benchmarks[name].summary)
	}
	fmt.Fprint(w, "\nUse \"noticekb bench <name> -h\" for its flags.\n")
}

// benchFlagSet is newFlagSet for a benchmark.
func benchFlagSet(b benchmark, e env) *flag.FlagSet {
	return newFlagSet(command{name: "bench " + b.name, usage: "bench " + b.usage, summary: b.summary}, e)
}
