package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// slowSearcher answers when released, or when the request's context ends.
type slowSearcher struct {
	Searcher
	release chan struct{}
	running chan struct{}
}

func (s slowSearcher) Search(ctx context.Context, q notice.Query) (*notice.Result, error) {
	s.running <- struct{}{}
	select {
	case <-s.release:
		return s.Searcher.Search(ctx, q)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Past MaxInFlight, requests wait their turn for QueueWait, then get a
// quick 503 with Retry-After; those admitted are answered; health checks
// pass by the queue.
func TestOverloadIsShedQuickly(t *testing.T) {
	slow := slowSearcher{release: make(chan struct{}), running: make(chan struct{}, 10)}
	_, base := serveOpts(t, func(o *Options) {
		slow.Searcher = o.Searcher
		o.Searcher = slow
		o.MaxInFlight, o.QueueWait = 1, 300*time.Millisecond
	})
	var wg sync.WaitGroup
	var first int
	wg.Add(1)
	go func() {
		defer wg.Done()
		first, _, _ = getWith(t, base+"/api/v1/search?q=smart", nil)
	}()
	<-slow.running // the one slot is taken
	start := time.Now()
	status, hdr, body := getWith(t, base+"/api/v1/search?q=city", nil)
	if status != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" || !strings.Contains(body, "busy") {
		t.Errorf("a request over the limit: %d %q %s", status, hdr.Get("Retry-After"), body)
	}
	if took := time.Since(start); took < 250*time.Millisecond || took > 2*time.Second {
		t.Errorf("it was shed after %s, want about the 300 ms queue wait", took)
	}
	if status, _, _ := getWith(t, base+"/healthz", nil); status != 200 {
		t.Errorf("health check while busy: %d", status)
	}
	close(slow.release)
	wg.Wait()
	if first != 200 {
		t.Errorf("the admitted request: %d", first)
	}
	if status, _, _ := getWith(t, base+"/api/v1/search?q=city", nil); status != 200 {
		t.Errorf("after the load: %d", status)
	}
	_, _, metrics := getWith(t, base+"/metrics", nil)
	if !strings.Contains(metrics, "noticekb_http_requests_shed_total 1\n") {
		t.Error("the shed request is not counted")
	}
}

// A request that runs past the request timeout (the write timeout) is
// stopped through its context and answered 503, not left to run.
func TestRequestTimeoutStopsTheSearch(t *testing.T) {
	slow := slowSearcher{release: make(chan struct{}), running: make(chan struct{}, 10)}
	_, base := serveOpts(t, func(o *Options) {
		slow.Searcher = o.Searcher
		o.Searcher = slow
		o.WriteTimeout = 300 * time.Millisecond
	})
	start := time.Now()
	status, _, body := getWith(t, base+"/api/v1/search?q=smart", nil)
	if status != http.StatusServiceUnavailable || time.Since(start) > 3*time.Second {
		t.Errorf("a search past the timeout: %d after %s: %s", status, time.Since(start), body)
	}
	if strings.Contains(body, "deadline") || strings.Contains(body, "context") {
		t.Errorf("the answer shows internals: %s", body)
	}
}
