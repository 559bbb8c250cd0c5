package parallel

import (
	"context"
	"sync/atomic"
	"testing"
)

func TestForCallsEachIndexOnce(t *testing.T) {
	for _, tt := range []struct{ n, workers int }{{0, 4}, {1, 4}, {100, 1}, {1000, 8}, {5, 0}} {
		seen := make([]atomic.Int32, tt.n)
		For(context.Background(), tt.n, tt.workers, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Errorf("n=%d workers=%d: index %d called %d times", tt.n, tt.workers, i, got)
			}
		}
	}
}

func TestForStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	For(ctx, 1000, 1, func(i int) {
		if calls.Add(1) == 10 {
			cancel()
		}
	})
	if got := calls.Load(); got != 10 {
		t.Errorf("%d calls after cancelling at the 10th", got)
	}
}
