package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// benchmarks are the `noticekb bench <name>` programs, each registered by
// its own bench_*.go file.
var benchmarks = map[string]func(ctx context.Context, e env, args []string) error{}

func cmdBench(ctx context.Context, e env, args []string) error {
	names := make([]string, 0, len(benchmarks))
	for n := range benchmarks {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stderr, "usage: noticekb bench NAME [flags]\n\nRun a benchmark: %s.\n", strings.Join(names, ", "))
		if len(args) == 0 {
			return usageError{fmt.Errorf("bench: name a benchmark")}
		}
		return nil
	}
	run, ok := benchmarks[args[0]]
	if !ok {
		return usageError{fmt.Errorf("bench: unknown benchmark %q (have %s)", args[0], strings.Join(names, ", "))}
	}
	return run(ctx, e, args[1:])
}
