package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/control"
	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/jobs"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/web"
)

func cmdServe(ctx context.Context, e env, args []string) error {
	cfg := config.Load(e.getenv)
	fs := newFlagSet(commandNamed("serve"), e)
	cfg.ServeFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	log := newLogger(e.stderr, cfg)
	// Listen first: a port in use is the commonest mistake, and should not
	// cost a demo import before it is reported.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s: the address is already in use (pick another with --addr)", cfg.Addr)
		}
		return fmt.Errorf("cannot listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()

	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	// The control socket lets `noticekb backup` have a snapshot of the
	// store this process holds.
	if ctl, err := control.Listen(controlSocket(cfg), a.store, log); err != nil {
		log.Warn("no control socket: backups need the server stopped", "err", err)
	} else {
		defer ctl.Close()
	}
	site, err := demo.Load()
	if err != nil {
		return err
	}
	if !a.store.HasNotices() {
		if err := importDemo(ctx, a, site); err != nil {
			return err
		}
	}

	var admin web.Admin
	var curator web.Curator
	crawls := &crawlCounters{}
	if cfg.AdminToken != "" {
		curator = newCurator(a)
		r := newReimporter(a, cfg, site)
		r.counters = crawls
		manager, err := jobs.New(context.WithoutCancel(ctx), r, a.store, log)
		if err != nil {
			return err
		}
		defer manager.Close()
		admin = manager
	}
	srv, err := web.New(web.Options{
		Searcher:   a.index,
		Notices:    a.store,
		Partners:   a.extract.Partners().Partners,
		Counts:     a.index.Count,
		DemoHost:   demo.Host,
		DemoSite:   site,
		Log:        log,
		Admin:      admin,
		AdminToken: cfg.AdminToken,
		Curator:    curator,
		BaseURL:    cfg.PublicURL,

		ReadTimeout:    cfg.ReadTimeout,
		WriteTimeout:   cfg.WriteTimeout,
		IdleTimeout:    cfg.IdleTimeout,
		TrustedProxies: cfg.TrustedPrefixes(),
		RateLimit:      cfg.RateLimit,
		MaxConnsPerIP:  cfg.MaxConnsPerIP,
		MaxInFlight:    cfg.MaxInFlight,
		QueueWait:      cfg.QueueWait,
		Metrics:        newMetrics(a, admin, crawls),
		Health:         appHealth(a),
	})
	if err != nil {
		return err
	}
	log.Info("noticekb is serving; open this URL", "url", "http://"+ln.Addr().String()+"/", "notices", a.index.Count(), "admin", cfg.AdminToken != "")
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// importDemo crawls the bundled demo site, through the same crawler and
// extractor as any site, over an in-process transport.
func importDemo(ctx context.Context, a *app, site *demo.Site) error {
	a.log.Info("the data folder is empty: importing the bundled demo", "site", demo.StartURL)
	start := time.Now()
	session := a.ingest.Begin(ctx)
	crawlErr := crawl.New(crawl.Config{Transport: site.Transport(), Concurrency: 4, Log: a.log}).Run(ctx, []string{demo.StartURL}, ingest.NewCrawlSink(session))
	summary, err := session.Close()
	if err := errors.Join(crawlErr, err); err != nil {
		return fmt.Errorf("demo import: %w", err)
	}
	a.refreshLabels()
	a.log.Info("demo imported", "notices", summary.Added, "pages", summary.Pages, "took", time.Since(start).Round(time.Millisecond))
	if summary.Added == 0 {
		return fmt.Errorf("demo import found no notices: %w", notice.ErrNoContent)
	}
	return nil
}
