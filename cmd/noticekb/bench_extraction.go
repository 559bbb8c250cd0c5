package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/noticekb/noticekb/internal/bench"
	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/ingest"
)

func init() {
	registerBenchmark(benchmark{
		name:    "extraction",
		usage:   "extraction [--beds DIR] [--site DIR] [--sets articles,dates,dates-extra,site] [--systems noticekb,go-trafilatura] [--memory N]",
		summary: "score extraction on the shared extraction sets and a generated site, noticekb beside go-trafilatura alone",
		run:     benchExtraction,
	})
}

func benchExtraction(ctx context.Context, e env, args []string) error {
	fs := benchFlagSet(benchmarks["extraction"], e)
	beds := fs.String("beds", filepath.Join("..", "shared", "bench"), "shared test-bed `DIR` holding extraction/ and site/")
	site := fs.String("site", "", "generated site `DIR` (default: generate one under --out with --notices and --seed)")
	notices := fs.Int("notices", 2000, "notices of the generated site")
	seed := fs.Int("seed", 1, "seed of the generated site")
	out := fs.String("out", filepath.Join(os.TempDir(), "noticekb-bench-extraction"), "`DIR` for predictions (and the generated site)")
	sets := fs.String("sets", "articles,dates,dates-extra,site", "comma-separated sets to run")
	systems := fs.String("systems", "noticekb,go-trafilatura", "comma-separated systems: noticekb, go-trafilatura")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "pages extracted in parallel")
	python := fs.String("python", "python3", "Python 3 that runs the scorers")
	origin := fs.String("origin", "http://127.0.0.1:8000", "address the site's pages are taken to come from")
	memory := fs.Int("memory", 0, "instead of scoring, extract `N` site pages one after another and print the heap every N/10 pages")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := bench.Extraction{
		Beds: *beds, Site: *site, Origin: strings.TrimRight(*origin, "/"), Out: *out, Python: *python,
		Sets: splitList(*sets), Workers: *workers, ReadFile: ingest.ReadFile, Stdout: e.stdout,
	}
	needSite := *memory > 0 || slices.Contains(cfg.Sets, "site")
	if needSite && cfg.Site == "" {
		cfg.Site = filepath.Join(*out, fmt.Sprintf("site%d-seed%d", *notices, *seed))
		if err := generateSite(ctx, e, *python, *beds, cfg.Site, *notices, *seed); err != nil {
			return err
		}
	}
	x := extract.New(extract.Options{})
	if *memory > 0 {
		return bench.RunMemory(ctx, cfg, *memory, func(body []byte, url string) {
			x.Extract(extract.Page{URL: url, Body: body})
		})
	}
	for _, name := range splitList(*systems) {
		switch name {
		case "noticekb":
			cfg.Systems = append(cfg.Systems, bench.System{Name: name, Extract: func(path string, body []byte, url string) bench.Prediction {
				l := extractBytes(x, path, body, url)
				return bench.Prediction{Title: l.Title, Date: l.Date, Body: l.Body, Partners: l.Partners, Topics: l.Topics, Error: l.Error}
			}})
		case "go-trafilatura":
			cfg.Systems = append(cfg.Systems, bench.System{Name: name, Partial: true, Extract: func(_ string, body []byte, url string) bench.Prediction {
				n, err := extract.Baseline(extract.Page{URL: url, Body: body})
				p := bench.Prediction{Title: n.Title, Date: n.Date.String(), Body: n.Body}
				if err != nil {
					p.Error = err.Error()
				}
				return p
			}})
		default:
			return usageError{fmt.Errorf("bench extraction: unknown system %q", name)}
		}
	}
	return bench.RunExtraction(ctx, cfg)
}

// generateSite runs gen_site.py unless the site is already there.
func generateSite(ctx context.Context, e env, python, beds, dir string, notices, seed int) error {
	if _, err := os.Stat(filepath.Join(dir, "truth.jsonl")); err == nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, python, filepath.Join(beds, "site", "gen_site.py"),
		"--out", dir, "--notices", fmt.Sprint(notices), "--seed", fmt.Sprint(seed), "--force")
	cmd.Stdout, cmd.Stderr = e.stderr, e.stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bench extraction: gen_site.py: %w", err)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
