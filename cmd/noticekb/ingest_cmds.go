package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/kb"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// openFromFlags parses a command's flags around the data folder (more
// adds the command's own), runs the checks of what was given, and opens
// the knowledge base there, which must exist: a mistyped --data is an
// error, not a new empty knowledge base.
func openFromFlags(ctx context.Context, e env, name string, args []string, more func(*flag.FlagSet), checks ...func(args []string) error) (*kb.KB, *flag.FlagSet, error) {
	return openWith(kb.OpenExisting, ctx, e, name, args, more, checks)
}

// createFromFlags is openFromFlags for the commands that add to a
// knowledge base, which create it when there is none (crawl, import).
// Nothing is created before the command line has been checked.
func createFromFlags(ctx context.Context, e env, name string, args []string, more func(*flag.FlagSet), checks ...func(args []string) error) (*kb.KB, *flag.FlagSet, error) {
	return openWith(kb.Open, ctx, e, name, args, more, checks)
}

type opener func(context.Context, config.Config, *slog.Logger) (*kb.KB, error)

func openWith(open opener, ctx context.Context, e env, name string, args []string, more func(*flag.FlagSet), checks []func([]string) error) (*kb.KB, *flag.FlagSet, error) {
	cfg := config.Load(e.getenv)
	fs := newFlagSet(commandNamed(name), e)
	cfg.DataFlags(fs)
	if more != nil {
		more(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, fs, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, fs, usageError{err}
	}
	for _, check := range checks {
		if err := check(fs.Args()); err != nil {
			return nil, fs, err
		}
	}
	k, err := open(ctx, cfg, newLogger(e.stderr, cfg))
	return k, fs, err
}

func cmdImport(ctx context.Context, e env, args []string) error {
	var baseURL string
	k, fs, err := createFromFlags(ctx, e, "import", args, func(fs *flag.FlagSet) {
		fs.StringVar(&baseURL, "base-url", "", "`URL` the files were published under (their paths are resolved against it); without it notices have no public address")
	}, func(paths []string) error {
		if u, err := url.Parse(baseURL); baseURL != "" && (err != nil || notice.PublicURL(u.String()) == "") {
			return usageError{fmt.Errorf("import: --base-url %q is not an absolute http(s) URL", baseURL)}
		}
		for _, p := range paths {
			if _, err := os.Stat(p); err != nil {
				return fmt.Errorf("import: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer k.Close()
	start := time.Now()
	defer tuneGCForImport(e.getenv)()
	summary, err := k.Import(ctx, fs.Args(), ingest.ImportOptions{BaseURL: baseURL})
	printSummary(e.stderr, "import", summary, time.Since(start))
	return err
}

func cmdCrawl(ctx context.Context, e env, args []string) error {
	cc := crawl.Config{Delay: time.Second, Concurrency: 2}
	var include, exclude []*regexp.Regexp
	k, fs, err := createFromFlags(ctx, e, "crawl", args, func(fs *flag.FlagSet) {
		fs.DurationVar(&cc.Delay, "delay", cc.Delay, "pause of `DURATION` between requests to one host (robots.txt Crawl-delay wins when larger)")
		fs.IntVar(&cc.Concurrency, "concurrency", cc.Concurrency, "`N` requests in flight to one host at most")
		fs.IntVar(&cc.MaxPages, "max-pages", 5000, "fetch `N` pages at most")
		fs.Func("include", "only follow URLs matching this `REGEXP` (repeatable)", regexpList(&include))
		fs.Func("exclude", "never follow URLs matching this `REGEXP` (repeatable)", regexpList(&exclude))
	}, func(starts []string) error {
		if cc.Concurrency < 1 || cc.Delay < 0 || cc.MaxPages < 1 {
			return usageError{errors.New("crawl: --concurrency and --max-pages must be at least 1, --delay not negative")}
		}
		for _, u := range starts {
			if _, err := urlnorm.Normalize(u); err != nil {
				return usageError{fmt.Errorf("crawl: start URL %q: %w", u, err)}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer k.Close()
	p := newProgress(e.stderr, k.Log())
	cc.Include, cc.Exclude, cc.Log, cc.OnPage = include, exclude, k.Log(), p.onPage
	start := time.Now()
	crawler := crawl.New(cc)
	p.start(crawler.Stats)
	summary, err := k.Crawl(ctx, crawler, fs.Args())
	p.finish()
	printSummary(e.stderr, "crawl", summary, time.Since(start))
	return err
}

func regexpList(dst *[]*regexp.Regexp) func(string) error {
	return func(s string) error {
		re, err := regexp.Compile(s)
		if err != nil {
			return err
		}
		*dst = append(*dst, re)
		return nil
	}
}

func cmdReextract(ctx context.Context, e env, args []string) error {
	k, _, err := openFromFlags(ctx, e, "reextract", args, nil)
	if err != nil {
		return err
	}
	defer k.Close()
	start := time.Now()
	summary, err := k.Reextract(ctx)
	printSummary(e.stderr, "reextract", summary, time.Since(start))
	return err
}

func cmdReindex(ctx context.Context, e env, args []string) error {
	k, _, err := openFromFlags(ctx, e, "reindex", args, nil)
	if err != nil {
		return err
	}
	defer k.Close()
	start := time.Now()
	if err := k.Reindex(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "reindex: %s indexed in %s\n", count(int(k.Index().Count()), "notice"), time.Since(start).Round(time.Millisecond))
	return nil
}

// printSummary writes a run's summary: counts on one line, then failures.
func printSummary(w io.Writer, what string, s notice.RunSummary, took time.Duration) {
	rate := 0.0
	if took > 0 {
		rate = float64(s.Pages) / took.Seconds()
	}
	weak := ""
	if s.WeakDates > 0 {
		// Weak dates are the admin's to review (/admin/notices?date=updated).
		weak = fmt.Sprintf("; %d with only an update date", s.WeakDates)
	}
	fmt.Fprintf(w, "%s: %s in %s (%.0f pages/s): added %d, updated %d, unchanged %d, withdrawn %d, duplicates %d, skipped %d, failed %d%s\n",
		what, count(s.Pages, "page"), took.Round(time.Millisecond), rate, s.Added, s.Updated, s.Unchanged, s.Withdrawn, s.Duplicates, s.Skipped, s.Failed, weak)
	for _, f := range s.Failures {
		fmt.Fprintf(w, "  failed: %s: %s\n", f.URL, f.Reason)
	}
	if s.Failed > len(s.Failures) {
		fmt.Fprintf(w, "  … and %s\n", count(s.Failed-len(s.Failures), "more failure"))
	}
}
