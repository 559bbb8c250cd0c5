// Package bench holds noticekb's benchmark programs, one file per
// benchmark, run by `noticekb bench <name>`.
package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/testbed"
)

// CrawlTarget is a knowledge base the crawl benchmark fills: cmd/noticekb
// wires the real one in a temporary data folder.
type CrawlTarget interface {
	// Crawl crawls the site from start with no delay and returns the
	// run's summary and how many requests were made.
	Crawl(ctx context.Context, start string) (notice.RunSummary, int64, error)
	// Export writes the live notices as `noticekb export` does.
	Export(w io.Writer) error
	// Seq is the store's last change number (a re-crawl that changes
	// nothing leaves it).
	Seq() uint64
}

// CrawlOptions say what site to crawl.
type CrawlOptions struct {
	Notices int
	Seed    int
	Site    string // an existing generated site; empty generates one
	Faults  bool   // keep /slow/ and /flaky/ (off for a pure speed run)
	Work    string // folder for the generated site and predictions
}

// Crawl generates (or reuses) a test site, serves it on loopback, crawls
// it twice into target (the second time nothing has changed) and scores
// the import. It writes a report to out.
func Crawl(ctx context.Context, target CrawlTarget, opts CrawlOptions, out io.Writer) error {
	bed, err := testbed.Find()
	if err != nil {
		return err
	}
	site := opts.Site
	if site == "" {
		site = filepath.Join(opts.Work, "site")
		start := time.Now()
		if err := bed.Generate(ctx, site, opts.Notices, opts.Seed); err != nil {
			return err
		}
		fmt.Fprintf(out, "generated %d notices in %s (%s)\n", opts.Notices, time.Since(start).Round(time.Millisecond), site)
	}
	var args []string
	if !opts.Faults {
		args = append(args, "--no-faults")
	}
	srv, err := bed.Serve(site, args...)
	if err != nil {
		return err
	}
	defer func() { fmt.Fprintf(out, "site server: %s\n", srv.Stop()) }()

	for i, label := range []string{"first crawl", "re-crawl, nothing changed"} {
		seq := target.Seq()
		start := time.Now()
		sum, requests, err := target.Crawl(ctx, srv.URL)
		took := time.Since(start)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: %d requests in %s = %.0f requests/s; %d pages = %.0f pages/s; added %d, updated %d, unchanged %d, withdrawn %d, skipped %d, failed %d; store changes %d\n",
			label, requests, took.Round(time.Millisecond), float64(requests)/took.Seconds(), sum.Pages, float64(sum.Pages)/took.Seconds(),
			sum.Added, sum.Updated, sum.Unchanged, sum.Withdrawn, sum.Skipped, sum.Failed, target.Seq()-seq)
		for _, f := range sum.Failures {
			fmt.Fprintf(out, "  failed: %s: %s\n", f.URL, f.Reason)
		}
		if i == 0 {
			if err := score(ctx, bed, site, opts.Work, target, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func score(ctx context.Context, bed testbed.Bed, site, work string, target CrawlTarget, out io.Writer) error {
	pred := filepath.Join(work, "pred.jsonl")
	f, err := os.Create(pred)
	if err != nil {
		return err
	}
	if err := target.Export(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	s, _, err := bed.Score(ctx, site, pred)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "score: import_recall=%.4f spurious=%.0f title_acc=%.4f date_acc=%.4f body_f1=%.4f\n",
		s["import_recall"], s["spurious"], s["title_acc"], s["date_acc"], s["body_f1"])
	return nil
}
