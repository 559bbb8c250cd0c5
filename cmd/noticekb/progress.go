package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/crawl"
)

// isTerminal reports whether w is a terminal (a character device), where a
// live progress line makes sense; logs and pipes get one line per page.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// progress reports a crawl as it goes: a line rewritten in place on a
// terminal (fetched, queued, rate, errors), otherwise one structured log
// line per page.
type progress struct {
	w     io.Writer
	log   *slog.Logger
	live  bool
	stats func() crawl.Stats
	stop  chan struct{}
	done  sync.WaitGroup
}

func newProgress(w io.Writer, log *slog.Logger) *progress {
	return &progress{w: w, log: log, live: isTerminal(w), stop: make(chan struct{})}
}

// onPage is the crawler's per-page callback.
func (p *progress) onPage(ev crawl.Event) {
	if p.live {
		return
	}
	attrs := []any{"url", ev.URL, "status", ev.Status, "result", ev.Result, "ms", ev.Took.Milliseconds()}
	if ev.Attempt > 0 {
		attrs = append(attrs, "attempt", ev.Attempt+1)
	}
	p.log.Info("page", attrs...)
}

// start begins the live line, reading the crawler's counts.
func (p *progress) start(stats func() crawl.Stats) {
	if !p.live {
		return
	}
	p.stats = stats
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				fmt.Fprint(p.w, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprint(p.w, "\r\033[K"+progressLine(p.stats()))
			}
		}
	}()
}

func (p *progress) finish() {
	close(p.stop)
	p.done.Wait()
}

func progressLine(s crawl.Stats) string {
	rate := 0.0
	if took := time.Since(s.Started).Seconds(); took > 0 {
		rate = float64(s.Fetched) / took
	}
	return fmt.Sprintf("crawl: %d fetched (%d not modified), %d queued, %.1f pages/s, %d errors, %d retries",
		s.Fetched, s.NotModified, s.Queued, rate, s.Errors, s.Retries)
}
