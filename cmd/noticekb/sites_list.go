package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/kb"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

func sitesList(ctx context.Context, e env, args []string) error {
	var asJSON bool
	cfg, _, err := sitesFlags(e, "list", args, func(_ *config.Config, fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print each site as a JSON line")
	})
	if err != nil {
		return err
	}
	api, err := openSites(ctx, e, cfg, kb.OpenExisting, kb.SitesOptions{})
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
	api, err := openSites(ctx, e, cfg, kb.OpenExisting, kb.SitesOptions{})
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
