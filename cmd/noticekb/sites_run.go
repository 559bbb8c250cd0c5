package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/kb"
	"github.com/noticekb/noticekb/internal/notice"
)

func sitesRemove(ctx context.Context, e env, args []string) error {
	return eachSite(ctx, e, "remove", args, func(api sitesAPI, id string) error {
		if err := api.Remove(id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed %s (its notices stay)\n", id)
		return nil
	})
}

func sitesEnable(ctx context.Context, e env, args []string) error {
	return eachSite(ctx, e, "enable", args, func(api sitesAPI, id string) error {
		if _, err := api.SetEnabled(id, true); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "enabled %s: it runs at once\n", id)
		return nil
	})
}

func sitesDisable(ctx context.Context, e env, args []string) error {
	return eachSite(ctx, e, "disable", args, func(api sitesAPI, id string) error {
		if _, err := api.SetEnabled(id, false); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "disabled %s\n", id)
		return nil
	})
}

// eachSite does what a subcommand does to each site it names.
func eachSite(ctx context.Context, e env, name string, args []string, do func(sitesAPI, string) error) error {
	cfg, names, err := sitesFlags(e, name, args, nil)
	if err != nil {
		return err
	}
	api, err := openSites(ctx, e, cfg, kb.OpenExisting, kb.SitesOptions{})
	if err != nil {
		return err
	}
	defer api.close()
	var errs []error
	for _, n := range names {
		if err := do(api, siteName(n)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func sitesRun(ctx context.Context, e env, args []string) error {
	var due, full bool
	cfg, names, err := sitesFlags(e, "run", args, func(cfg *config.Config, fs *flag.FlagSet) {
		fs.BoolVar(&due, "due", false, "run only the sites that are due (and those that fall due meanwhile), as serve would")
		fs.BoolVar(&full, "full", false, "re-crawl each site in full (every stored page, sitemaps, every link)")
		fs.BoolVar(&cfg.AllowPrivate, "allow-private", cfg.AllowPrivate, "let runs reach loopback and private addresses (local test sites)")
		fs.DurationVar(&cfg.CrawlDelay, "crawl-delay", cfg.CrawlDelay, "pause of `DURATION` between requests to one host")
	})
	if err != nil {
		return err
	}
	if due && (full || len(names) > 0) {
		return usageError{errors.New("sites run: --due runs the due sites; it takes neither --full nor site names")}
	}
	site, err := demo.Load()
	if err != nil {
		return err
	}
	api, err := openSites(ctx, e, cfg, kb.OpenExisting, kb.SitesOptions{Run: true, OnlyAsked: !due, Concurrency: cfg.ScheduleConcurrency, Demo: site})
	if err != nil {
		return err
	}
	defer api.close()
	if due {
		if api.remote {
			fmt.Fprintln(e.stderr, "sites run: serve is running and runs the due sites itself")
			return nil
		}
		return runDueSites(ctx, e, api)
	}
	ids, err := runTargets(api, names)
	if err != nil {
		return err
	}
	return runSites(ctx, e, api, ids, full)
}

// runTargets are the sites named, or every site not disabled.
func runTargets(api sitesAPI, names []string) ([]string, error) {
	if len(names) > 0 {
		ids := make([]string, len(names))
		for i, n := range names {
			ids[i] = siteName(n)
		}
		return ids, nil
	}
	list, err := api.List()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, st := range list {
		if st.Schedule.State != notice.SiteDisabled {
			ids = append(ids, st.ID)
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("sites run: no site to run (add one with `noticekb sites add URL`)")
	}
	return ids, nil
}

// runSites runs sites now (the scheduler bounds how many at once) and
// prints each run as it ends.
func runSites(ctx context.Context, e env, api sitesAPI, ids []string, full bool) error {
	if api.local != nil {
		loopCtx, stop := context.WithCancel(ctx)
		wait := api.local.Start(loopCtx)
		defer func() { stop(); wait() }()
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	failed := 0
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := api.RunNow(ctx, id, full, notice.TriggerCLI, nil)
			mu.Lock()
			defer mu.Unlock()
			if run.Seq == 0 {
				fmt.Fprintf(e.stderr, "sites run: %s: %v\n", id, err)
				failed++
				return
			}
			printRun(e.stderr, run)
			if run.State != notice.RunSucceeded && run.State != notice.RunBlocked {
				failed++
			}
		}()
	}
	wg.Wait()
	if failed > 0 {
		return fmt.Errorf("sites run: %d of %d runs failed: %w", failed, len(ids), errReported)
	}
	return nil
}

// runDueSites runs the due sites as serve would, then prints their runs.
func runDueSites(ctx context.Context, e env, api sitesAPI) error {
	start := time.Now()
	if err := api.local.RunDue(ctx); err != nil {
		return err
	}
	list, err := api.List()
	if err != nil {
		return err
	}
	ran, failed := 0, 0
	for _, st := range list {
		if run := st.LastRun; run != nil && !run.Started.Before(start) {
			printRun(e.stderr, *run)
			ran++
			if run.State != notice.RunSucceeded && run.State != notice.RunBlocked {
				failed++
			}
		}
	}
	fmt.Fprintf(e.stderr, "sites run: %d due sites run in %s\n", ran, time.Since(start).Round(time.Millisecond))
	if failed > 0 {
		return fmt.Errorf("sites run: %d of %d runs failed: %w", failed, ran, errReported)
	}
	return nil
}
