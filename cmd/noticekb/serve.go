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
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/jobs"
	"github.com/noticekb/noticekb/internal/kb"
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

	k, err := kb.OpenToServe(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer k.Close()
	site, err := demo.Load()
	if err != nil {
		return err
	}
	sites, err := k.OpenSites(kb.SitesOptions{Run: !cfg.NoSchedule, Concurrency: cfg.ScheduleConcurrency, Demo: site})
	if err != nil {
		return err
	}
	// The control socket lets `noticekb backup` have a snapshot of the
	// store this process holds, `noticekb sites` its registry, and tells
	// other commands where it serves.
	url := "http://" + ln.Addr().String() + "/"
	if ctl, err := control.Listen(kb.ControlSocket(cfg), k.Store(), control.Status{URL: url}, log); err != nil {
		log.Warn("no control socket: backups and noticekb sites need the server stopped", "err", err)
	} else {
		ctl.ServeSites(sites)
		defer ctl.Close()
	}
	// A new data folder gets the demo, unless sites are registered there
	// (through the admin area of an older serve): their notices are on
	// their way.
	if registered, err := k.Store().RegisteredSites(); err == nil && len(registered) == 0 && k.Fresh() {
		if err := k.ImportDemo(ctx, site); err != nil {
			return err
		}
	}

	var admin web.Admin
	var curator web.Curator
	var reimporter *kb.Reimporter
	var jobList kb.JobLister
	if cfg.AdminToken != "" {
		curator = kb.NewCurator(k)
		reimporter = kb.NewReimporter(k, site)
		reimporter.Through(sites)
		manager, err := jobs.New(context.WithoutCancel(ctx), reimporter, k.Store(), log)
		if err != nil {
			return err
		}
		defer manager.Close()
		admin, jobList = manager, manager
	}
	metrics := k.Metrics(jobList, reimporter)
	sites.RegisterMetrics(metrics)
	srv, err := web.New(web.Options{
		Searcher:   k.Index(),
		Notices:    k.Store(),
		Partners:   k.Partners,
		Counts:     k.Index().Count,
		DemoHost:   demo.Host,
		DemoSite:   site,
		Log:        log,
		Admin:      admin,
		AdminToken: cfg.AdminToken,
		Curator:    curator,
		Sites:      sites,
		BaseURL:    cfg.PublicURL,

		ReadTimeout:    cfg.ReadTimeout,
		WriteTimeout:   cfg.WriteTimeout,
		IdleTimeout:    cfg.IdleTimeout,
		TrustedProxies: cfg.TrustedPrefixes(),
		RateLimit:      cfg.RateLimit,
		MaxConnsPerIP:  cfg.MaxConnsPerIP,
		MaxInFlight:    cfg.MaxInFlight,
		QueueWait:      cfg.QueueWait,
		Metrics:        metrics,
		Health:         k.Health,
	})
	if err != nil {
		return err
	}
	// Registered sites run until shutdown, which interrupts their runs
	// (they run again at the next start) before the store closes.
	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		if err := sites.Run(schedCtx); err != nil {
			log.Error("the scheduler stopped", "err", err)
		}
	}()
	defer func() { stopSched(); <-schedDone }()
	log.Info("noticekb is serving; open this URL", "url", url, "notices", k.Index().Count(), "admin", cfg.AdminToken != "",
		"scheduled_sites", sites.Scheduling())
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
