// Package testbed runs the shared "News & Notices" test bed
// (../shared/bench/site: gen_site.py, serve_site.py, mutate_site.py,
// score_import.py) from Go, for end-to-end tests and benchmarks: it
// generates a site, serves it on loopback, mutates it and scores an import.
package testbed

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// EnvDir names the test bed's folder when it is not found by itself.
const EnvDir = "NOTICEKB_BENCH_SITE"

// ErrMissing is returned when python3 or the test bed cannot be found;
// tests skip on it.
var ErrMissing = errors.New("testbed: python3 or ../shared/bench/site not found")

// Bed is the folder of the test bed's scripts.
type Bed struct {
	Dir    string
	Python string
}

// Find locates the test bed: $NOTICEKB_BENCH_SITE, else shared/bench/site
// beside the module root (a worktree's ../shared) or above the working
// folder.
func Find() (Bed, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return Bed{}, ErrMissing
	}
	var tries []string
	if d := os.Getenv(EnvDir); d != "" {
		tries = append(tries, d)
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			tries = append(tries, filepath.Join(d, "shared", "bench", "site"), filepath.Join(d, "..", "shared", "bench", "site"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range tries {
		if _, err := os.Stat(filepath.Join(d, "gen_site.py")); err == nil {
			abs, _ := filepath.Abs(d)
			return Bed{Dir: abs, Python: py}, nil
		}
	}
	return Bed{}, ErrMissing
}

func (b Bed) script(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, b.Python, append([]string{filepath.Join(b.Dir, name)}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	return cmd
}

func (b Bed) runScript(ctx context.Context, name string, args ...string) (string, error) {
	out, err := b.script(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("testbed: %s: %w\n%s", name, err, out)
	}
	return string(out), nil
}

// Generate writes a site of n notices into dir (replacing one there).
func (b Bed) Generate(ctx context.Context, dir string, notices, seed int) error {
	_, err := b.runScript(ctx, "gen_site.py", "--out", dir, "--notices", strconv.Itoa(notices), "--seed", strconv.Itoa(seed), "--force")
	return err
}

// Flat lays the notice pages of the site in dir out as flat files
// (out/000/000000.html ...) for import runs.
func (b Bed) Flat(ctx context.Context, dir, out string) error {
	_, err := b.runScript(ctx, "flat_notices.py", "--site", dir, "--out", out)
	return err
}

// Changes is what mutate_site.py did (its changes.json).
type Changes struct {
	Edited  []Change `json:"edited"`
	Added   []Change `json:"added"`
	Deleted []Change `json:"deleted"`
}

// Change is one notice a mutation touched.
type Change struct {
	ID    int    `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
}

// Mutate edits, adds and deletes notices of the site in dir (5, 3 and 2).
func (b Bed) Mutate(ctx context.Context, dir string, seed int) (Changes, error) {
	return b.MutateBy(ctx, dir, seed, 5, 3, 2)
}

// MutateBy edits, adds and deletes the given numbers of notices.
func (b Bed) MutateBy(ctx context.Context, dir string, seed, edit, add, del int) (Changes, error) {
	var ch Changes
	_, err := b.runScript(ctx, "mutate_site.py", "--root", dir, "--seed", strconv.Itoa(seed),
		"--edit", strconv.Itoa(edit), "--add", strconv.Itoa(add), "--delete", strconv.Itoa(del))
	if err != nil {
		return ch, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "changes.json"))
	if err != nil {
		return ch, fmt.Errorf("testbed: %w", err)
	}
	return ch, json.Unmarshal(data, &ch)
}

// Score is score_import.py's last line.
type Score map[string]float64

// Score scores predictions (JSON lines as `noticekb export` writes them)
// against the site's truth.
func (b Bed) Score(ctx context.Context, dir, predFile string) (Score, string, error) {
	out, err := b.runScript(ctx, "score_import.py", "--truth", filepath.Join(dir, "truth.jsonl"), "--pred", predFile, "--errors", "5")
	if err != nil {
		return nil, out, err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	s := Score{}
	for _, kv := range strings.Fields(lines[len(lines)-1]) {
		k, v, _ := strings.Cut(kv, "=")
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, out, fmt.Errorf("testbed: score line %q", lines[len(lines)-1])
		}
		s[k] = f
	}
	return s, out, nil
}

// Server is a running serve_site.py.
type Server struct {
	URL  string // http://127.0.0.1:PORT/
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder // what it printed after the first line
	log  lockedBuffer    // its stderr: the access log with --log
	done chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// Log returns what the server wrote to stderr: with --log, one line per
// request ("GET /path HTTP/1.1" status).
func (s *Server) Log() string {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.b.String()
}

// Serve starts serve_site.py on a free loopback port with extra
// arguments (--no-faults, --slow-seconds X, --log ...).
func (b Bed) Serve(dir string, args ...string) (*Server, error) {
	return b.serve(b.script(context.Background(), "serve_site.py", append([]string{"--root", dir, "--port", "0"}, args...)...))
}

// ServeAt is Serve on another loopback address (127.0.0.2, 127.0.0.3,
// ...), so that several sites are several hosts. serve_site.py binds
// 127.0.0.1 only: it is run with its address set to host.
//
// host may name a port too ("127.0.0.2:8080"); without one a free port is
// taken.
func (b Bed) ServeAt(host, dir string, args ...string) (*Server, error) {
	port := "0"
	if h, p, err := net.SplitHostPort(host); err == nil {
		host, port = h, p
	}
	prog := "import sys; sys.path.insert(0, sys.argv[1]); import serve_site as s; s.HOST = sys.argv[2]; s.main(sys.argv[3:])"
	cmd := exec.Command(b.Python, append([]string{"-c", prog, b.Dir, host, "--root", dir, "--port", port}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	return b.serve(cmd)
}

func (b Bed) serve(cmd *exec.Cmd) (*Server, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &Server{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &s.log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testbed: serve_site.py: %w", err)
	}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		for sc.Scan() {
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
		}
		cmd.Wait()
		close(s.done)
	}()
	select {
	case line, ok := <-first:
		i := strings.Index(line, "http://")
		if !ok || i < 0 {
			s.Stop()
			return nil, fmt.Errorf("testbed: serve_site.py did not start: %q", line)
		}
		s.URL = strings.TrimSpace(line[i:])
		return s, nil
	case <-time.After(30 * time.Second):
		s.Stop()
		return nil, errors.New("testbed: serve_site.py did not start in 30s")
	}
}

// Stop ends the server (SIGTERM, then SIGKILL) and returns its closing
// line of request counts by status.
func (s *Server) Stop() string {
	if s.cmd.Process == nil {
		return ""
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.TrimSpace(s.out.String())
}

// WriteFeed writes an RSS feed of the newest notices of the site in dir
// (by the truth's dates) at /feed/, where its WordPress pages advertise
// one. Links in extra come first, as items of their own (another site's
// page, a private address), for tests of what a feed must not lead to.
func WriteFeed(dir string, newest int, extra ...string) error {
	data, err := os.ReadFile(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		return fmt.Errorf("testbed: %w", err)
	}
	type line struct{ URL, Title, Date string }
	var all []line
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var t line
		if err := json.Unmarshal([]byte(l), &t); err != nil {
			return fmt.Errorf("testbed: truth: %w", err)
		}
		all = append(all, t)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Date > all[j].Date })
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title><link>__ORIGIN__/</link>`)
	for _, u := range extra {
		fmt.Fprintf(&b, "<item><title>Elsewhere</title><link>%s</link><pubDate>Sat, 01 Jan 2050 00:00:00 GMT</pubDate></item>", esc(u))
	}
	for _, l := range all[:min(newest, len(all))] {
		fmt.Fprintf(&b, "<item><title>%s</title><link>__ORIGIN__%s</link></item>", esc(l.Title), esc(l.URL))
	}
	b.WriteString(`</channel></rss>`)
	if err := os.MkdirAll(filepath.Join(dir, "www", "feed"), 0o755); err != nil {
		return fmt.Errorf("testbed: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "www", "feed", "index.html"), []byte(b.String()), 0o644)
}

// Truth reads the notices of the site in dir (truth.jsonl): each one's
// path (and query) with its title.
func Truth(dir string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("testbed: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20) // the large notice's body is on one line
	for sc.Scan() {
		var l struct{ URL, Title string }
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("testbed: truth: %w", err)
		}
		out[l.URL] = l.Title
	}
	return out, sc.Err()
}
