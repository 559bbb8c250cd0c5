package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// SearchFunc runs one query and reports its total hits.
type SearchFunc func(ctx context.Context, q notice.Query) (uint64, error)

// Latencies are the times of a run of queries, one per query.
type Latencies struct {
	System string
	Times  []time.Duration
	Hits   uint64 // total hits over all queries, a check that systems agree
	// CPU is the process's CPU time during the run, which a busy shared
	// machine disturbs less than the wall-clock times.
	CPU time.Duration
}

// TimeQueries runs the queries one after another and times each.
func TimeQueries(ctx context.Context, system string, queries []notice.Query, search SearchFunc) (Latencies, error) {
	l := Latencies{System: system, Times: make([]time.Duration, 0, len(queries))}
	cpu0, _ := SelfUsage()
	for _, q := range queries {
		start := time.Now()
		total, err := search(ctx, q)
		if err != nil {
			return l, fmt.Errorf("bench: %s: query %q: %w", system, q.Text, err)
		}
		l.Times = append(l.Times, time.Since(start))
		l.Hits += total
	}
	cpu1, _ := SelfUsage()
	l.CPU = cpu1 - cpu0
	return l, nil
}

// Percentile is the p-th percentile (0..100) of the times.
func (l Latencies) Percentile(p float64) time.Duration {
	if len(l.Times) == 0 {
		return 0
	}
	s := slices.Clone(l.Times)
	slices.Sort(s)
	i := int(p / 100 * float64(len(s)-1))
	return s[i]
}

// Mean is the average time.
func (l Latencies) Mean() time.Duration {
	if len(l.Times) == 0 {
		return 0
	}
	var sum time.Duration
	for _, t := range l.Times {
		sum += t
	}
	return sum / time.Duration(len(l.Times))
}

// PrintLatencies writes runs as a table; ratios are against the row named floor.
func PrintLatencies(w io.Writer, runs []Latencies, floor string) {
	var base *Latencies
	for i := range runs {
		if runs[i].System == floor {
			base = &runs[i]
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Fprintf(w, "%-26s %7s %9s %9s %9s %9s %9s %9s %12s\n", "system", "queries", "p50 ms", "p90 ms", "p99 ms", "mean ms", "max ms", "cpu ms/q", "total hits")
	for _, r := range runs {
		cpu := 0.0
		if len(r.Times) > 0 {
			cpu = ms(r.CPU) / float64(len(r.Times))
		}
		fmt.Fprintf(w, "%-26s %7d %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %12d", r.System, len(r.Times), ms(r.Percentile(50)), ms(r.Percentile(90)),
			ms(r.Percentile(99)), ms(r.Mean()), ms(r.Percentile(100)), cpu, r.Hits)
		if base != nil && r.System != floor && base.Percentile(50) > 0 {
			fmt.Fprintf(w, "   p50 %.2fx, p99 %.2fx of the floor", float64(r.Percentile(50))/float64(base.Percentile(50)),
				float64(r.Percentile(99))/float64(base.Percentile(99)))
		}
		fmt.Fprintln(w)
	}
}
