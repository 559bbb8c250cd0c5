package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkScript sends the paths of a file in turn, each wrk thread starting at
// its own place in the list (so threads do not send the same query at the
// same moment), and prints a summary with the error counts.
const wrkScript = `
local paths = {}
for line in io.lines(os.getenv("NOTICEKB_PATHS")) do paths[#paths + 1] = line end
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local i = 0
function init(args)
  i = (id * 7919) % #paths
end
function request()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("requests %d in %.1f s: %.1f req/s\n", summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency ms: p50 %.2f, p90 %.2f, p99 %.2f, max %.2f\n", latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors: connect %d, read %d, write %d, timeout %d, non-2xx/3xx %d\n", e.connect, e.read, e.write, e.timeout, e.status))
end
`

// HTTPLoad is one wrk run.
type HTTPLoad struct {
	Base     string // http://127.0.0.1:port
	Paths    []string
	Clients  int
	Threads  int
	Duration time.Duration
	Stdout   io.Writer
}

// RunWrk loads a server with wrk (Debian package wrk) and prints its report.
func RunWrk(ctx context.Context, l HTTPLoad) error {
	dir, err := os.MkdirTemp("", "noticekb-bench-http-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	script, paths := filepath.Join(dir, "mix.lua"), filepath.Join(dir, "paths.txt")
	if err := os.WriteFile(script, []byte(wrkScript), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := os.WriteFile(paths, []byte(strings.Join(l.Paths, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	cmd := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(l.Threads), "-c", strconv.Itoa(l.Clients),
		"-d", fmt.Sprintf("%ds", int(l.Duration.Seconds())), "--timeout", "10s", "--latency", "-s", script, l.Base)
	cmd.Env = append(os.Environ(), "NOTICEKB_PATHS="+paths)
	cmd.Stdout, cmd.Stderr = l.Stdout, l.Stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bench: wrk: %w (is wrk installed?)", err)
	}
	return nil
}
