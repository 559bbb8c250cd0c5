package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/noticekb/noticekb/internal/testbed"
)

//go:embed load.lua
var loadScript []byte

// LoadOptions say what to load and how hard.
type LoadOptions struct {
	Binary      string        // the noticekb binary to serve with
	Data        string        // an imported data folder
	Duration    time.Duration // of the read-only run
	Connections int
	Threads     int
	MaxRequests int // per wrk thread: the run ends at Duration or here
	Paths       int // distinct request paths in the mix
	Seed        int
	// ReimportSite is a generated site folder (gen_site.py) to serve on
	// loopback and re-import through the admin API while the same load
	// runs; empty skips that run.
	ReimportSite string
	// MaxJob bounds the re-import run.
	MaxJob time.Duration
	Work   string // a folder for the path list and logs
}

// Load serves opts.Data with `noticekb serve` (rate limit off: one client
// on loopback is the whole load), sends it a mix of searches, facet
// filters, pages and notices with wrk, samples the server's resident
// memory, and reports latency percentiles and every response that was
// not a success. Then, if asked, it does the same while an admin
// re-import of a site runs and commits.
func Load(ctx context.Context, opts LoadOptions, out io.Writer) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("bench load: wrk not found (apt-get install wrk)")
	}
	script := filepath.Join(opts.Work, "load.lua")
	if err := os.WriteFile(script, loadScript, 0o644); err != nil {
		return err
	}
	var site *testbed.Server
	var extra []string
	if opts.ReimportSite != "" {
		bed, err := testbed.Find()
		if err != nil {
			return err
		}
		if site, err = bed.Serve(opts.ReimportSite, "--no-faults"); err != nil {
			return err
		}
		defer site.Stop()
		host := strings.TrimSuffix(strings.TrimPrefix(site.URL, "http://"), "/")
		extra = append(extra, "--allow", host, "--allow-private", "--crawl-delay", "0")
	}
	token := randomToken()
	srv, err := startServer(ctx, opts, token, extra)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(out, "server: pid %d, ready in %s with %d notices; RSS %.0f MB (anonymous %.0f MB)\n", srv.cmd.Process.Pid, srv.ready.Round(time.Millisecond), srv.notices, rssMB(srv.cmd.Process.Pid, "VmRSS"), rssMB(srv.cmd.Process.Pid, "RssAnon"))

	paths, err := buildPaths(srv.base, opts.Paths, opts.Seed)
	if err != nil {
		return err
	}
	pathsFile := filepath.Join(opts.Work, "paths.txt")
	if err := os.WriteFile(pathsFile, []byte(strings.Join(paths, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "mix: %d paths (%s)\n", len(paths), describeMix(paths))

	res, rss, err := loadRun(ctx, opts, srv, script, pathsFile, opts.Duration, nil)
	if err != nil {
		return err
	}
	report(out, "read-only load", res, rss)
	if err := profileKinds(ctx, srv.base, paths, 15, out); err != nil {
		return err
	}
	if site == nil {
		return checkClean(res)
	}
	during, rss2, job, err := loadDuringReimport(ctx, opts, srv, script, pathsFile, site.URL, token)
	if err != nil {
		return err
	}
	report(out, "load during re-import", during, rss2)
	fmt.Fprintf(out, "re-import job: state %s in %s; pages %d, added %d, updated %d, unchanged %d, failed %d; index %d -> %d notices\n",
		job.State, job.took.Round(time.Millisecond), job.Summary.Pages, job.Summary.Added, job.Summary.Updated, job.Summary.Unchanged, job.Summary.Failed, job.before, job.after)
	if job.State != "succeeded" {
		return fmt.Errorf("bench load: the re-import ended %s: %s", job.State, job.Error)
	}
	return errors.Join(checkClean(res), checkClean(during))
}

func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// server is a running `noticekb serve`.
type server struct {
	cmd     *exec.Cmd
	base    string
	ready   time.Duration
	notices int
	log     *os.File
}

var servingURL = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/)`)

func startServer(ctx context.Context, opts LoadOptions, token string, extra []string) (*server, error) {
	logPath := filepath.Join(opts.Work, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--data", opts.Data, "--addr", "127.0.0.1:0", "--rate-limit", "0", "--max-conns-per-ip", "0"}, extra...)
	cmd := exec.CommandContext(ctx, opts.Binary, args...)
	cmd.Env = append(os.Environ(), "NOTICEKB_ADMIN_TOKEN="+token, "NOTICEKB_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench load: serve: %w", err)
	}
	s := &server{cmd: cmd, log: logFile}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logFile, line)
			if m := servingURL.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case s.base = <-found:
	case <-time.After(10 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("bench load: serve did not start; see %s", logPath)
	}
	s.base = strings.TrimSuffix(s.base, "/")
	s.ready = time.Since(start)
	var h struct {
		Notices int `json:"notices"`
	}
	if err := getJSON(s.base+"/healthz", &h); err != nil {
		s.stop()
		return nil, err
	}
	s.notices = h.Notices
	return s, nil
}

func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
	s.log.Close()
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return fmt.Errorf("bench load: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench load: GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// wrkResult is the LOADRESULT line of load.lua.
type wrkResult map[string]float64

var resultLine = regexp.MustCompile(`LOADRESULT (.*)`)

// loadRun runs wrk for d (or until stop is closed) while sampling the
// server's memory.
func loadRun(ctx context.Context, opts LoadOptions, srv *server, script, pathsFile string, d time.Duration, stop <-chan struct{}) (wrkResult, rssStats, error) {
	args := []string{"-t", strconv.Itoa(opts.Threads), "-c", strconv.Itoa(opts.Connections), "-d", fmt.Sprintf("%ds", int(d.Seconds())),
		"--timeout", "10s", "-s", script, srv.base, "--", pathsFile, strconv.Itoa(opts.MaxRequests), strconv.Itoa(opts.Seed)}
	cmd := exec.CommandContext(ctx, "wrk", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	sampling := make(chan struct{})
	rssDone := make(chan rssStats, 1)
	go func() { rssDone <- sampleRSS(srv.cmd.Process.Pid, sampling) }()
	if err := cmd.Start(); err != nil {
		return nil, rssStats{}, err
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-stop:
		cmd.Process.Signal(syscall.SIGINT) // wrk prints its results on SIGINT
		err = <-waited
	}
	close(sampling)
	rss := <-rssDone
	if err != nil {
		return nil, rss, fmt.Errorf("bench load: wrk: %w\n%s", err, stderr.String())
	}
	m := resultLine.FindStringSubmatch(stdout.String())
	if m == nil {
		return nil, rss, fmt.Errorf("bench load: no result from wrk:\n%s%s", stdout.String(), stderr.String())
	}
	res := wrkResult{}
	for _, kv := range strings.Fields(m[1]) {
		k, v, _ := strings.Cut(kv, "=")
		res[k], _ = strconv.ParseFloat(v, 64)
	}
	return res, rss, nil
}

// errorsOf counts every request that did not succeed.
func (r wrkResult) errorsOf() float64 {
	return r["status_4xx"] + r["status_429"] + r["status_5xx"] + r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"]
}

func checkClean(r wrkResult) error {
	if n := r.errorsOf(); n > 0 {
		return fmt.Errorf("bench load: %.0f requests failed", n)
	}
	return nil
}

func report(out io.Writer, label string, r wrkResult, rss rssStats) {
	fmt.Fprintf(out, "%s: %.0f requests in %.1f s = %.0f req/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms\n",
		label, r["requests"], r["seconds"], r["requests"]/r["seconds"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["p999_ms"], r["max_ms"])
	fmt.Fprintf(out, "%s: errors %.0f (2xx %.0f, 3xx %.0f, 4xx %.0f, 429 %.0f, 5xx %.0f, socket %.0f, timeouts %.0f)\n",
		label, r.errorsOf(), r["status_2xx"], r["status_3xx"], r["status_4xx"], r["status_429"], r["status_5xx"],
		r["err_connect"]+r["err_read"]+r["err_write"], r["err_timeout"])
	fmt.Fprintf(out, "%s: server memory (%d samples) RSS %.0f MB at start, %.0f max, %.0f at end; of it anonymous (heap, stacks) %.0f, %.0f max, %.0f at end; the rest is the store and index files mapped in\n",
		label, rss.samples, rss.first, rss.max, rss.last, rss.anonFirst, rss.anonMax, rss.anonLast)
}

// rssStats are resident-memory samples of the server, in MB: all of it
// (VmRSS), and its anonymous part (RssAnon: the heap and stacks, without
// the pages of the store and index files mapped into memory, which the
// kernel can drop and read again).
type rssStats struct {
	first, max, last             float64
	anonFirst, anonMax, anonLast float64
	samples                      int
}

func sampleRSS(pid int, stop <-chan struct{}) rssStats {
	var s rssStats
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		v, anon := rssMB(pid, "VmRSS"), rssMB(pid, "RssAnon")
		if s.samples == 0 {
			s.first, s.anonFirst = v, anon
		}
		s.last, s.max, s.samples = v, max(s.max, v), s.samples+1
		s.anonLast, s.anonMax = anon, max(s.anonMax, anon)
		select {
		case <-stop:
			return s
		case <-t.C:
		}
	}
}

// rssMB reads a memory line of /proc/PID/status (kB) in MB.
func rssMB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// jobResult is the admin job as the API reports it, with timing.
type jobResult struct {
	State   string `json:"state"`
	Error   string `json:"error"`
	Summary struct {
		Pages, Added, Updated, Unchanged, Failed int
	} `json:"summary"`
	took          time.Duration
	before, after int
}

// loadDuringReimport starts the load, then an admin re-import of the
// site, and stops the load a moment after the job has ended (committed
// and indexed).
func loadDuringReimport(ctx context.Context, opts LoadOptions, srv *server, script, pathsFile, siteURL, token string) (wrkResult, rssStats, jobResult, error) {
	var job jobResult
	var h struct {
		Notices int `json:"notices"`
	}
	getJSON(srv.base+"/healthz", &h)
	job.before = h.Notices
	stop := make(chan struct{})
	var res wrkResult
	var rss rssStats
	var loadErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		res, rss, loadErr = loadRun(ctx, opts, srv, script, pathsFile, opts.MaxJob+30*time.Second, stop)
	}()
	time.Sleep(2 * time.Second)
	start := time.Now()
	err := runJob(ctx, srv.base, siteURL, token, opts.MaxJob, &job)
	job.took = time.Since(start)
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	if err != nil {
		return nil, rss, job, err
	}
	getJSON(srv.base+"/healthz", &h)
	job.after = h.Notices
	return res, rss, job, loadErr
}

func runJob(ctx context.Context, base, siteURL, token string, limit time.Duration, job *jobResult) error {
	body := fmt.Sprintf(`{"site": %q}`, siteURL)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/admin/reimport", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("bench load: reimport: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("bench load: reimport: %s", resp.Status)
	}
	loc := resp.Header.Get("Location")
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+loc, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("bench load: job: %w", err)
		}
		err = json.NewDecoder(resp.Body).Decode(job)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("bench load: job: %w", err)
		}
		if job.State != "running" {
			return nil
		}
	}
	return fmt.Errorf("bench load: the re-import did not end within %s", limit)
}

// CopyDir copies a data folder (regular files and folders; the control
// socket is left behind), so a run that writes leaves the original as it was.
func CopyDir(from, to string) error {
	return filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(dst)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// profileKinds times requests of each kind one at a time, after the load
// (the server is warm, the result cache holds what the load asked
// recently; these paths are picked from those not asked yet where possible).
func profileKinds(ctx context.Context, base string, paths []string, per int, out io.Writer) error {
	byKind := map[string][]string{}
	var kinds []string
	for i := len(paths) - 1; i >= 0; i-- { // the end of the list: least likely drawn by the load
		k := kindOf(paths[i])
		if _, ok := byKind[k]; !ok {
			kinds = append(kinds, k)
		}
		if len(byKind[k]) < per {
			byKind[k] = append(byKind[k], paths[i])
		}
	}
	sort.Strings(kinds)
	fmt.Fprintf(out, "latency by kind, one request at a time (%d each): median / max\n", per)
	for _, k := range kinds {
		var took []time.Duration
		for _, p := range byKind[k] {
			start := time.Now()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+p, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("bench load: %w", err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("bench load: GET %s: %s", p, resp.Status)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		fmt.Fprintf(out, "  %-30s %7.1f ms / %7.1f ms\n", k, ms(took[len(took)/2]), ms(took[len(took)-1]))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
