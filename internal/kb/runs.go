package kb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/notice"
)

// Import reads HTML files and folders and stores and indexes every
// notice in them.
func (k *KB) Import(ctx context.Context, paths []string, opts ingest.ImportOptions) (notice.RunSummary, error) {
	sum, err := k.ingest.ImportFiles(ctx, paths, opts)
	return sum, errors.Join(err, k.settle(ctx))
}

// Crawl runs a crawl from start URLs into the knowledge base: every
// batch of pages is committed (and indexed) as it fills, so a crawl that
// is interrupted keeps what it read and a rerun goes on from there.
//
// A start URL whose page could not be read (a site that does not answer,
// a 404, robots.txt forbidding it) makes the crawl fail with why, even if
// other pages were read: what was asked for did not happen. Pages met
// along the way that fail are counted and listed in the summary only.
func (k *KB) Crawl(ctx context.Context, c *crawl.Crawler, starts []string) (notice.RunSummary, error) {
	session := k.ingest.Begin(ctx)
	sink := ingest.NewCrawlSink(session)
	crawlErr := c.Run(ctx, starts, sink)
	var finishErr error
	if ctx.Err() == nil {
		finishErr = sink.Finish()
	}
	sum, err := session.Close()
	err = errors.Join(crawlErr, finishErr, err, k.settle(ctx))
	if ctx.Err() == nil {
		for _, u := range c.Unread(starts) {
			err = errors.Join(err, fmt.Errorf("crawl: start URL %s not read: %s", u.URL, u.Reason))
		}
	}
	return sum, err
}

// Reextract reads every stored page again with the knowledge in use,
// without network, and updates the notices whose extraction changed.
func (k *KB) Reextract(ctx context.Context) (notice.RunSummary, error) {
	sum, err := k.ingest.Reextract(ctx)
	return sum, errors.Join(err, k.settle(ctx))
}

// Reindex rebuilds the search index from the store.
func (k *KB) Reindex(ctx context.Context) error {
	if err := k.index.Rebuild(ctx, k.store); err != nil {
		return err
	}
	return k.settle(ctx)
}

// ReopenIndex opens the index again with opts (benchmarks compare them).
func (k *KB) ReopenIndex(opts index.Options) error {
	if err := k.index.Close(); err != nil {
		return err
	}
	ix, err := index.OpenWith(k.cfg.DataDir, opts)
	if err != nil {
		return err
	}
	k.index = ix
	k.ingest = ingest.New(k.store, ix, k.extract, k.log)
	k.refreshLabels()
	return nil
}

// ImportDemo crawls the bundled demo site, through the same crawler and
// extractor as any site, over an in-process transport.
func (k *KB) ImportDemo(ctx context.Context, site *demo.Site) error {
	k.log.Info("the data folder is empty: importing the bundled demo", "site", demo.StartURL)
	start := time.Now()
	c := crawl.New(crawl.Config{Transport: site.Transport(), Concurrency: 4, Log: k.log})
	summary, err := k.Crawl(ctx, c, []string{demo.StartURL})
	if err != nil {
		return fmt.Errorf("demo import: %w", err)
	}
	k.log.Info("demo imported", "notices", summary.Added, "pages", summary.Pages, "took", time.Since(start).Round(time.Millisecond))
	if summary.Added == 0 {
		return fmt.Errorf("demo import found no notices: %w", notice.ErrNoContent)
	}
	return nil
}
