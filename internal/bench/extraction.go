// Package bench runs noticekb's benchmarks against the shared test beds
// and prints the scorers' verdicts. Each benchmark lives in its own file and
// is started by a `noticekb bench <name>` subcommand.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/noticekb/noticekb/internal/parallel"
)

// Prediction is one extracted page in the scorers' JSONL format. ID names
// a page of the extraction sets, URL a notice of a generated site.
type Prediction struct {
	ID       string   `json:"id,omitempty"`
	URL      string   `json:"url,omitempty"`
	Title    string   `json:"title"`
	Date     string   `json:"date"`
	Body     string   `json:"body"`
	Partners []string `json:"partners"`
	Topics   []string `json:"topics"`
	Error    string   `json:"error,omitempty"`
}

// ExtractFunc extracts one page: the file's bytes and the URL it was
// published at ("" when the page is judged from its HTML alone).
type ExtractFunc func(path string, body []byte, url string) Prediction

// System is one extractor under test.
type System struct {
	Name    string
	Extract ExtractFunc
	// Partial systems have no partners or topics (go-trafilatura alone);
	// their partner and topic scores are not reported.
	Partial bool
}

// Extraction configures the extraction benchmark.
type Extraction struct {
	// Beds is the shared test-bed folder holding extraction/ and site/.
	Beds string
	// Site is a generated site (gen_site.py output); empty skips the site set.
	Site string
	// Origin is the address the site's pages are taken to come from.
	Origin string
	// Out receives the prediction files.
	Out     string
	Python  string
	Systems []System
	// Sets names the sets to run: articles, dates, dates-extra, site.
	Sets    []string
	Workers int
	// ReadFile reads one page file (inflating .gz).
	ReadFile func(path string) ([]byte, error)
	Stdout   io.Writer
}

// task is one page to extract: an extraction-set file or a site notice.
type task struct {
	path, id, url string
	replaceOrigin bool
}

// RunExtraction extracts every page of each set with each system, writes
// the predictions, runs the set's scorer on them and prints its last line,
// then a summary table.
func RunExtraction(ctx context.Context, cfg Extraction) error {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	results := map[string]map[string]string{} // system -> metric -> value
	for _, set := range cfg.Sets {
		tasks, scorer, err := cfg.setup(set)
		if err != nil {
			return err
		}
		for _, sys := range cfg.Systems {
			pred := filepath.Join(cfg.Out, fmt.Sprintf("%s-%s.jsonl", sys.Name, set))
			start := time.Now()
			if err := cfg.extractAll(ctx, sys, tasks, pred); err != nil {
				return err
			}
			elapsed := time.Since(start)
			last, err := cfg.score(ctx, scorer, pred)
			if err != nil {
				return err
			}
			fmt.Fprintf(cfg.Stdout, "%-14s %-8s %5d pages %6.1f pages/s (%d workers)  %s\n",
				sys.Name, set, len(tasks), float64(len(tasks))/elapsed.Seconds(), cfg.Workers, last)
			if results[sys.Name] == nil {
				results[sys.Name] = map[string]string{}
			}
			for k, v := range parseMetrics(last) {
				results[sys.Name][set+"."+k] = v
			}
			if sys.Partial {
				results[sys.Name]["site.partner_f1"] = "n/a"
				results[sys.Name]["site.topic_f1"] = "n/a"
			}
		}
	}
	cfg.printTable(results)
	return ctx.Err()
}

// setup lists a set's pages and the scorer command for it.
func (cfg Extraction) setup(set string) ([]task, []string, error) {
	ex := filepath.Join(cfg.Beds, "extraction")
	switch set {
	case "articles", "dates", "dates-extra":
		files, err := filepath.Glob(filepath.Join(ex, set, "html", "*.html.gz"))
		if err != nil || len(files) == 0 {
			return nil, nil, fmt.Errorf("bench: no pages in %s: %v", filepath.Join(ex, set, "html"), err)
		}
		tasks := make([]task, len(files))
		for i, f := range files {
			tasks[i] = task{path: f, id: strings.TrimSuffix(filepath.Base(f), ".html.gz")}
		}
		script := map[string]string{"articles": "score_articles.py", "dates": "score_dates.py", "dates-extra": "score_dates.py"}[set]
		scorer := []string{filepath.Join(ex, script), "--truth", filepath.Join(ex, set, "ground-truth.json")}
		if set == "articles" {
			scorer = append(scorer, "--bootstrap", "0")
		}
		return tasks, scorer, nil
	case "site":
		if cfg.Site == "" {
			return nil, nil, errors.New("bench: the site set needs a generated site")
		}
		tasks, err := siteTasks(cfg.Site, cfg.Origin)
		if err != nil {
			return nil, nil, err
		}
		scorer := []string{filepath.Join(cfg.Beds, "site", "score_import.py"),
			"--truth", filepath.Join(cfg.Site, "truth.jsonl"), "--site", filepath.Join(cfg.Site, "site.json")}
		return tasks, scorer, nil
	}
	return nil, nil, fmt.Errorf("bench: unknown set %q (articles, dates, dates-extra, site)", set)
}

// siteTasks maps each notice of a generated site's truth to its file:
// www/ + path, index.html for a trailing slash, ?query appended.
func siteTasks(site, origin string) ([]task, error) {
	f, err := os.Open(filepath.Join(site, "truth.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	var tasks []task
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var t struct {
			URL string `json:"url"`
		}
		if err := json.Unmarshal(sc.Bytes(), &t); err != nil {
			return nil, fmt.Errorf("bench: truth.jsonl: %w", err)
		}
		tasks = append(tasks, task{path: SiteFile(site, t.URL), url: origin + t.URL, replaceOrigin: true})
	}
	return tasks, sc.Err()
}

// SiteFile is the file of a generated site that serves a root-relative URL.
func SiteFile(site, rawURL string) string {
	path, query, hasQuery := strings.Cut(rawURL, "?")
	if strings.HasSuffix(path, "/") {
		path += "index.html"
	}
	name := filepath.Join(site, "www", filepath.FromSlash(path))
	if hasQuery {
		name += "?" + query
	}
	return name
}

// extractAll extracts the tasks with one system on cfg.Workers goroutines
// and writes the predictions in task order.
func (cfg Extraction) extractAll(ctx context.Context, sys System, tasks []task, out string) error {
	preds := make([]Prediction, len(tasks))
	parallel.For(ctx, len(tasks), cfg.Workers, func(i int) {
		preds[i] = cfg.extractOne(sys, tasks[i])
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, p := range preds {
		if err := enc.Encode(p); err != nil {
			return err
		}
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

func (cfg Extraction) extractOne(sys System, t task) (p Prediction) {
	defer func() {
		if r := recover(); r != nil {
			p = Prediction{Error: fmt.Sprintf("panic: %v", r)}
		}
		p.ID, p.URL = t.id, t.url
		if p.Partners == nil {
			p.Partners = []string{}
		}
		if p.Topics == nil {
			p.Topics = []string{}
		}
	}()
	body, err := cfg.ReadFile(t.path)
	if err != nil {
		return Prediction{Error: err.Error()}
	}
	if t.replaceOrigin {
		body = withOrigin(body, cfg.Origin)
	}
	return sys.Extract(t.path, body, t.url)
}

// score runs a scorer on a prediction file and returns its last line.
func (cfg Extraction) score(ctx context.Context, scorer []string, pred string) (string, error) {
	args := append(append([]string{}, scorer...), "--pred", pred)
	cmd := exec.CommandContext(ctx, cfg.Python, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("bench: %s: %w: %s", filepath.Base(scorer[0]), err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}

// parseMetrics reads "a=1 b=2" into a map.
func parseMetrics(line string) map[string]string {
	m := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			m[k] = v
		}
	}
	return m
}

// tableColumns are the figures the issue asks for, with their targets.
var tableColumns = []struct{ key, head, target string }{
	{"articles.body_f1", "articles body F1", "≥0.97"},
	{"dates.date_accuracy", "dates accuracy", "≥0.93"},
	{"dates-extra.date_accuracy", "dates-extra acc.", "≥0.93"},
	{"site.title_acc", "site title", "≥0.99"},
	{"site.date_acc", "site date", "≥0.99"},
	{"site.body_f1", "site body F1", "≥0.97"},
	{"site.partner_f1", "site partner F1", "≥0.95"},
	{"site.topic_f1", "site topic F1", "≥0.90"},
}

func (cfg Extraction) printTable(results map[string]map[string]string) {
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	sort.SliceStable(names, func(i, j int) bool { return systemRank(cfg.Systems, names[i]) < systemRank(cfg.Systems, names[j]) })
	width := 8
	for _, n := range names {
		width = max(width, len(n))
	}
	w := cfg.Stdout
	fmt.Fprintf(w, "\n| %-18s | %-6s |", "metric", "target")
	for _, n := range names {
		fmt.Fprintf(w, " %-*s |", width, n)
	}
	fmt.Fprintln(w)
	for _, c := range tableColumns {
		row := fmt.Sprintf("| %-18s | %-6s |", c.head, c.target)
		shown := false
		for _, n := range names {
			v, ok := results[n][c.key]
			shown = shown || ok
			if !ok {
				v = "-"
			}
			row += fmt.Sprintf(" %-*s |", width, v)
		}
		if shown {
			fmt.Fprintln(w, row)
		}
	}
}

func systemRank(systems []System, name string) int {
	for i, s := range systems {
		if s.Name == name {
			return i
		}
	}
	return len(systems)
}

// RunMemory extracts n notice pages of the site one after another, cycling
// through the site, and prints the live heap after a collection every n/10
// pages: a flat column shows that extraction keeps nothing per page.
func RunMemory(ctx context.Context, cfg Extraction, n int, extract func(body []byte, url string)) error {
	tasks, err := siteTasks(cfg.Site, cfg.Origin)
	if err != nil {
		return err
	}
	if len(tasks) == 0 {
		return errors.New("bench: the site has no notices")
	}
	step := max(1, n/10)
	var ms runtime.MemStats
	start := time.Now()
	fmt.Fprintf(cfg.Stdout, "%8s %12s %12s %12s %10s\n", "pages", "heap_alloc", "heap_inuse", "sys", "pages/s")
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := tasks[(i-1)%len(tasks)]
		body, err := cfg.ReadFile(t.path)
		if err != nil {
			return err
		}
		extract(withOrigin(body, cfg.Origin), t.url)
		if i%step == 0 || i == n {
			rate := float64(i) / time.Since(start).Seconds()
			runtime.GC()
			runtime.ReadMemStats(&ms)
			fmt.Fprintf(cfg.Stdout, "%8d %10.1fMB %10.1fMB %10.1fMB %10.1f\n", i,
				mb(ms.HeapAlloc), mb(ms.HeapInuse), mb(ms.Sys), rate)
		}
	}
	return nil
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// withOrigin fills in a generated site's address tokens, as its server does.
func withOrigin(body []byte, origin string) []byte {
	body = bytes.ReplaceAll(body, []byte("__ALT_ORIGIN__"), []byte(origin))
	return bytes.ReplaceAll(body, []byte("__ORIGIN__"), []byte(origin))
}
