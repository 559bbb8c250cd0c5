package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/control"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/kb"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// sitesCommands are the subcommands of `noticekb sites`.
var sitesCommands []command

func init() {
	sitesCommands = []command{
		{"add", "sites add [--data DIR] [--every DURATION] [--include REGEXP]... [--exclude REGEXP]... [--feed URL] [--rule NAME] URL...",
			"register sites (one per host) for serve to keep current; a site already registered gets the URLs as more start pages", sitesAdd},
		{"list", "sites list [--data DIR] [--json]", "list the registered sites with their last and next runs", sitesList},
		{"show", "sites show [--data DIR] [--runs N] [--json] SITE", "show a site's settings and its latest runs, with their failures", sitesShow},
		{"remove", "sites remove [--data DIR] SITE...", "stop keeping sites current (their notices stay)", sitesRemove},
		{"enable", "sites enable [--data DIR] SITE...", "enable sites again (their failures are forgotten; they run at once)", sitesEnable},
		{"disable", "sites disable [--data DIR] SITE...", "disable sites (serve stops running them)", sitesDisable},
		{"run", "sites run [--data DIR] [--due | --full] [--allow-private] [--crawl-delay DURATION] [SITE...]",
			"run sites now (all of them, or those named), or only the due ones with --due (for cron)", sitesRun},
	}
}

func cmdSites(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		out := e.stderr
		if len(args) > 0 {
			out = e.stdout
		}
		printSitesUsage(out)
		if len(args) == 0 {
			return usageError{errors.New("sites: name a subcommand")}
		}
		return nil
	}
	for _, c := range sitesCommands {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	printSitesUsage(e.stderr)
	return usageError{fmt.Errorf("sites: unknown subcommand %q", args[0])}
}

func printSitesUsage(w io.Writer) {
	fmt.Fprint(w, `usage: noticekb sites <subcommand> [arguments]

Register sites once; serve keeps them current by itself: it re-reads each
site's list pages (or its feed) when due, and the whole site weekly.
While serve runs, these commands ask it over its control socket.
SITE is a site's name as listed (host[:port]) or any address on it.

The subcommands are:

`)
	for _, c := range sitesCommands {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nUse \"noticekb sites <subcommand> -h\" for more about a subcommand.\n")
}

// sitesAPI is the registry: this process's own, or serve's over the
// data folder's control socket while serve holds the store.
type sitesAPI struct {
	control.Sites
	k      *kb.KB
	local  *kb.Sites
	remote bool
}

func (a sitesAPI) close() {
	if a.k != nil {
		a.k.Close()
	}
}

// sitesFlags parses a subcommand's flags around the data folder, before
// or after its arguments, and returns the arguments.
func sitesFlags(e env, name string, args []string, more func(*config.Config, *flag.FlagSet)) (config.Config, []string, error) {
	cfg := config.Load(e.getenv)
	var c command
	for _, sc := range sitesCommands {
		if sc.name == name {
			c = sc
		}
	}
	fs := newFlagSet(command{name: "sites " + name, usage: c.usage, summary: c.summary}, e)
	cfg.DataFlags(fs)
	if more != nil {
		more(&cfg, fs)
	}
	rest, err := parseWithArgs(fs, args)
	if err != nil {
		return cfg, nil, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, nil, usageError{err}
	}
	return cfg, rest, nil
}

// openSites opens the data folder's registry; while serve holds the
// store, the registry is serve's, reached over its control socket.
func openSites(ctx context.Context, e env, cfg config.Config, opts kb.SitesOptions) (sitesAPI, error) {
	k, err := kb.Open(ctx, cfg, newLogger(e.stderr, cfg))
	if errors.Is(err, notice.ErrBusy) {
		return sitesAPI{Sites: control.NewSitesClient(kb.ControlSocket(cfg)), remote: true}, nil
	}
	if err != nil {
		return sitesAPI{}, err
	}
	s, err := k.OpenSites(opts)
	if err != nil {
		k.Close()
		return sitesAPI{}, err
	}
	return sitesAPI{Sites: s, k: k, local: s}, nil
}

func sitesAdd(ctx context.Context, e env, args []string) error {
	var spec notice.SiteSpec
	var every time.Duration
	cfg, rest, err := sitesFlags(e, "add", args, func(_ *config.Config, fs *flag.FlagSet) {
		fs.DurationVar(&every, "every", 0, "run the site every `DURATION` (10s or more); without it, the interval adapts to how often the site publishes (1h to 7 days)")
		fs.Func("include", "only follow URLs matching this `REGEXP` (repeatable)", appendTo(&spec.Include))
		fs.Func("exclude", "never follow URLs matching this `REGEXP` (repeatable)", appendTo(&spec.Exclude))
		fs.StringVar(&spec.Feed, "feed", "", "the site's RSS or Atom feed `URL`, when its pages do not advertise one")
		fs.StringVar(&spec.Rule, "rule", "", "the `NAME` of the rules file entry written for the site's pages")
	})
	if err != nil {
		return err
	}
	spec.URLs, spec.Every = rest, notice.Duration(every)
	if len(spec.URLs) == 0 {
		return usageError{errors.New("sites add: name at least one start URL")}
	}
	if every != 0 && every < kb.MinEvery {
		return usageError{fmt.Errorf("sites add: --every %s is shorter than %s", every, kb.MinEvery)}
	}
	api, err := openSites(ctx, e, cfg, kb.SitesOptions{})
	if err != nil {
		return err
	}
	defer api.close()
	sites, created, err := api.Register(ctx, spec, false)
	if err != nil {
		if errors.Is(err, notice.ErrInvalidQuery) {
			return usageError{fmt.Errorf("sites add: %w", err)}
		}
		return err
	}
	for i, site := range sites {
		verb := "updated"
		if created[i] {
			verb = "added"
		}
		fmt.Fprintf(e.stdout, "%s %s: start %s; every %s\n", verb, site.ID, strings.Join(site.Starts, ", "), everyText(site.Every))
		if note := privateNote(site.Starts[0]); note != "" {
			fmt.Fprintln(e.stderr, "note:", note)
		}
	}
	if api.remote {
		fmt.Fprintln(e.stderr, "serve is running: it runs new sites at once")
	} else {
		fmt.Fprintln(e.stderr, "`noticekb serve` keeps them current (or run them now with `noticekb sites run`)")
	}
	return nil
}

func appendTo(dst *[]string) func(string) error {
	return func(s string) error {
		*dst = append(*dst, s)
		return nil
	}
}

func everyText(d notice.Duration) string {
	if d == 0 {
		return "adapts to the site (1h to 7 days)"
	}
	return d.String()
}

// privateNote warns of a site on a loopback or private address, which
// scheduled runs reach only with --allow-private.
func privateNote(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	host := u.Hostname()
	ip, err := netip.ParseAddr(host)
	if host != "localhost" && (err != nil || !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast())) {
		return ""
	}
	return fmt.Sprintf("%s is a loopback or private address: serve and sites run reach it only with --allow-private", host)
}

func sitesList(ctx context.Context, e env, args []string) error {
	var asJSON bool
	cfg, _, err := sitesFlags(e, "list", args, func(_ *config.Config, fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print each site as a JSON line")
	})
	if err != nil {
		return err
	}
	api, err := openSites(ctx, e, cfg, kb.SitesOptions{})
	if err != nil {
		return err
	}
	defer api.close()
	list, err := api.List()
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, st := range list {
			if err := enc.Encode(st); err != nil {
				return err
			}
		}
		return nil
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stderr, "no site is registered: add one with `noticekb sites add URL`")
		return nil
	}
	now := time.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SITE\tSTATE\tEVERY\tLAST RUN\tRESULT\tNEXT RUN\tNOTICES")
	for _, st := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", st.ID, stateText(st), intervalText(st.Site),
			lastRunText(st.LastRun, now), resultText(st.LastRun), nextRunText(st, now), st.Schedule.Notices)
	}
	tw.Flush()
	for _, st := range list {
		if st.Schedule.Reason != "" {
			fmt.Fprintf(e.stdout, "%s: %s\n", st.ID, st.Schedule.Reason)
		}
	}
	return nil
}

func stateText(st notice.SiteStatus) string {
	if st.Running != nil {
		return "running"
	}
	return string(st.Schedule.State)
}

func intervalText(site notice.Site) string {
	if site.Every > 0 {
		return site.Every.String()
	}
	if site.Schedule.Interval > 0 {
		return "auto " + shortDuration(site.Schedule.Interval.D())
	}
	return "auto"
}

func lastRunText(run *notice.SiteRun, now time.Time) string {
	if run == nil {
		return "never"
	}
	return shortDuration(now.Sub(run.Started)) + " ago (" + run.Kind + ")"
}

func resultText(run *notice.SiteRun) string {
	if run == nil {
		return "–"
	}
	s := run.Summary
	if run.State != notice.RunSucceeded {
		return string(run.State)
	}
	return fmt.Sprintf("+%d ~%d -%d, %d failed", s.Added, s.Updated, s.Withdrawn, s.Failed)
}

func nextRunText(st notice.SiteStatus, now time.Time) string {
	switch {
	case st.Running != nil:
		return "running now"
	case st.Schedule.State == notice.SiteDisabled:
		return "–"
	case !st.Schedule.NextRun.After(now):
		return "due"
	}
	return "in " + shortDuration(st.Schedule.NextRun.Sub(now))
}

// shortDuration writes a duration to the minute (to the second under one).
func shortDuration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}

func sitesShow(ctx context.Context, e env, args []string) error {
	var asJSON bool
	var runs int
	cfg, names, err := sitesFlags(e, "show", args, func(_ *config.Config, fs *flag.FlagSet) {
		fs.IntVar(&runs, "runs", 10, "show the `N` latest runs")
		fs.BoolVar(&asJSON, "json", false, "print the site and its runs as JSON")
	})
	if err != nil {
		return err
	}
	if len(names) != 1 {
		return usageError{errors.New("sites show: name one site")}
	}
	api, err := openSites(ctx, e, cfg, kb.SitesOptions{})
	if err != nil {
		return err
	}
	defer api.close()
	st, history, err := api.Site(siteName(names[0]), max(runs, 0))
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{"site": st, "runs": history})
	}
	w := e.stdout
	fmt.Fprintf(w, "site      %s (%s)\n", st.ID, stateText(st))
	if st.Schedule.Reason != "" {
		fmt.Fprintf(w, "reason    %s\n", st.Schedule.Reason)
	}
	fmt.Fprintf(w, "starts    %s\n", strings.Join(st.Starts, " "))
	for _, p := range [][2]string{{"include", strings.Join(st.Include, " ")}, {"exclude", strings.Join(st.Exclude, " ")}, {"rule", st.Rule}} {
		if p[1] != "" {
			fmt.Fprintf(w, "%-9s %s\n", p[0], p[1])
		}
	}
	if f := st.Schedule.Feed; f.URL != "" {
		how := "given"
		if f.Discovered {
			how = "found on the site"
		}
		if f.Error != "" {
			how += "; not used: " + f.Error
		}
		fmt.Fprintf(w, "feed      %s (%s)\n", f.URL, how)
	}
	fmt.Fprintf(w, "every     %s\nnext run  %s\nnotices   %d\n", intervalText(st.Site), nextRunText(st, time.Now()), st.Schedule.Notices)
	for _, run := range history {
		fmt.Fprintf(w, "\n")
		printRun(w, run)
	}
	return nil
}

// printRun writes a run's outcome and its failures.
func printRun(w io.Writer, run notice.SiteRun) {
	took := ""
	if !run.Finished.IsZero() {
		took = " in " + run.Finished.Sub(run.Started).Round(time.Millisecond).String()
	}
	s := run.Summary
	fmt.Fprintf(w, "run %d of %s (%s, %s) %s %s%s: added %d, updated %d, unchanged %d, withdrawn %d, failed %d; %d requests (%d not modified)\n",
		run.Seq, run.Site, run.Kind, run.Trigger, run.Started.UTC().Format("2006-01-02 15:04:05 UTC"), run.State, took,
		s.Added, s.Updated, s.Unchanged, s.Withdrawn, s.Failed, run.Requests, run.NotModified)
	if run.Error != "" {
		fmt.Fprintf(w, "  %s\n", run.Error)
	}
	for i, f := range s.Failures {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more failures\n", s.Failed-10)
			break
		}
		fmt.Fprintf(w, "  failed: %s: %s\n", f.URL, f.Reason)
	}
}

// siteName turns a SITE argument (a name or any address on the site)
// into the site's name.
func siteName(arg string) string {
	if strings.Contains(arg, "://") {
		if u, err := urlnorm.Normalize(arg); err == nil {
			if pu, err := url.Parse(u); err == nil {
				return strings.TrimPrefix(strings.ToLower(pu.Host), "www.")
			}
		}
	}
	return strings.TrimPrefix(strings.ToLower(strings.TrimSuffix(arg, "/")), "www.")
}

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
	if len(names) == 0 {
		return usageError{fmt.Errorf("sites %s: name at least one site", name)}
	}
	api, err := openSites(ctx, e, cfg, kb.SitesOptions{})
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
	api, err := openSites(ctx, e, cfg, kb.SitesOptions{Run: true, OnlyAsked: !due, Concurrency: cfg.ScheduleConcurrency, Demo: site})
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
