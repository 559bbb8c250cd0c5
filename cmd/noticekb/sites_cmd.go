package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/control"
	"github.com/noticekb/noticekb/internal/kb"
	"github.com/noticekb/noticekb/internal/notice"
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
	if err := parseFlags(fs, args); err != nil {
		return cfg, nil, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, nil, usageError{err}
	}
	return cfg, fs.Args(), nil
}

// openSites opens the data folder's registry; while serve holds the
// store, the registry is serve's, reached over its control socket. Only
// `sites add` creates a knowledge base (open is kb.Open); the others need
// one (kb.OpenExisting), so a mistyped --data is "no knowledge base at …".
func openSites(ctx context.Context, e env, cfg config.Config, open opener, opts kb.SitesOptions) (sitesAPI, error) {
	k, err := open(ctx, cfg, newLogger(e.stderr, cfg))
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
	if every != 0 && every < kb.MinEvery {
		return usageError{fmt.Errorf("sites add: --every %s is shorter than %s", every, kb.MinEvery)}
	}
	api, err := openSites(ctx, e, cfg, kb.Open, kb.SitesOptions{})
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
