// Package parallel runs independent pieces of work on a few goroutines.
package parallel

import (
	"context"
	"sync"
	"sync/atomic"
)

// For calls fn(i) for every i in [0, n) on workers goroutines (at least
// one), each taking the next index as it finishes the last, so slow items
// do not hold up a fixed share. It stops handing out indexes once ctx
// ends, and returns when every started call has returned.
func For(ctx context.Context, n, workers int, fn func(i int)) {
	workers = max(1, min(workers, n))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
