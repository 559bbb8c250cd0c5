package kb

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
)

// MinEvery is the shortest fixed interval a site may have: short enough
// for tests on loopback, long enough that a mistake cannot hammer a site.
const MinEvery = 10 * time.Second

// maxEvery is the longest fixed interval.
const maxEvery = 365 * 24 * time.Hour

// maxPatterns bounds the include and exclude patterns of a site.
const maxPatterns = 50

// check validates a spec and groups its URLs by site.
func (s *Sites) check(spec notice.SiteSpec) (map[string][]string, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", notice.ErrInvalidQuery, fmt.Sprintf(format, args...))
	}
	if len(spec.URLs) == 0 {
		return nil, bad("give the address of at least one start page")
	}
	groups := map[string][]string{}
	for _, raw := range spec.URLs {
		u, err := startURL(raw)
		if err != nil {
			return nil, bad("%v", err)
		}
		id := siteID(u)
		if !slices.Contains(groups[id], u) {
			groups[id] = append(groups[id], u)
		}
	}
	if spec.Every != 0 && (spec.Every.D() < MinEvery || spec.Every.D() > maxEvery) {
		return nil, bad("every %s: give 0 (adapt to the site) or a duration from %s to %s", spec.Every, MinEvery, maxEvery)
	}
	if len(spec.Include)+len(spec.Exclude) > maxPatterns {
		return nil, bad("more than %d include and exclude patterns", maxPatterns)
	}
	if _, err := compileAll(append(slices.Clone(spec.Include), spec.Exclude...)); err != nil {
		return nil, err
	}
	if spec.Feed != "" {
		if _, err := startURL(spec.Feed); err != nil {
			return nil, bad("feed: %v", err)
		}
		if len(groups) > 1 {
			return nil, bad("a feed belongs to one site, and these addresses are on %d sites", len(groups))
		}
	}
	if spec.Rule != "" && !s.ruleExists(spec.Rule) {
		return nil, bad("no rule named %q in the rules file or the shipped rules", spec.Rule)
	}
	return groups, nil
}

func (s *Sites) ruleExists(name string) bool {
	for _, r := range s.k.extract.Rules().All() {
		if r.Name == name {
			return true
		}
	}
	return false
}

// startURL normalises a start page's address: an absolute http(s) URL.
func startURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute http(s) address", raw)
	}
	return urlnorm.Normalize(raw)
}

// guardHosts refuses, for sites registered over HTTP, hosts on private
// addresses (unless --allow-private) and hosts that resolve to nothing.
func (s *Sites) guardHosts(ctx context.Context, urls ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() == demo.Host {
			continue
		}
		if err := s.guard.CheckHost(ctx, u.Hostname()); err != nil {
			return err
		}
	}
	return nil
}

// Register adds the sites of spec's URLs (one site per host, www. or
// not), each due at once, or adds the URLs as start pages of sites
// already registered and sets what spec says. remote marks a request made
// over HTTP, whose hosts must pass the re-import guard. It returns the
// sites as registered, and which of them are new.
func (s *Sites) Register(ctx context.Context, spec notice.SiteSpec, remote bool) ([]notice.Site, []bool, error) {
	groups, err := s.check(spec)
	if err != nil {
		return nil, nil, err
	}
	if remote {
		if err := s.guardHosts(ctx, append(slices.Clone(spec.URLs), spec.Feed)...); err != nil {
			return nil, nil, err
		}
	}
	ids := make([]string, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []notice.Site
	var created []bool
	now := time.Now().UTC()
	err = s.k.store.Write(func(w *store.Writer) error {
		out, created = nil, nil
		for _, id := range ids {
			site, ok, err := w.Site(id)
			if err != nil {
				return err
			}
			if !ok {
				site = notice.Site{ID: id, Added: now, Schedule: notice.SiteSchedule{State: notice.SiteActive, NextRun: now}}
			}
			for _, u := range groups[id] {
				if !slices.Contains(site.Starts, u) {
					site.Starts = append(site.Starts, u)
				}
			}
			applySpec(&site, spec, ok)
			if err := w.PutSite(site); err != nil {
				return err
			}
			out, created = append(out, site), append(created, !ok)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	s.wake()
	return out, created, nil
}

// applySpec sets the settings a spec gives; re-registering a site keeps
// those it does not give.
func applySpec(site *notice.Site, spec notice.SiteSpec, existing bool) {
	if !existing || spec.Include != nil {
		site.Include = spec.Include
	}
	if !existing || spec.Exclude != nil {
		site.Exclude = spec.Exclude
	}
	if !existing || spec.Feed != "" {
		if feedURL, err := startURL(spec.Feed); err == nil {
			site.Feed = feedURL
		}
	}
	if !existing || spec.Rule != "" {
		site.Rule = spec.Rule
	}
	if !existing || spec.Every != 0 {
		site.Every = spec.Every
	}
}

// Update replaces a site's settings with spec's (its start pages
// included, which must stay on the site); the site runs soon.
func (s *Sites) Update(ctx context.Context, id string, spec notice.SiteSpec, remote bool) (notice.Site, error) {
	groups, err := s.check(spec)
	if err != nil {
		return notice.Site{}, err
	}
	if len(groups) != 1 || len(groups[id]) == 0 {
		return notice.Site{}, fmt.Errorf("%w: every start page of %s must be on %s", notice.ErrInvalidQuery, id, id)
	}
	if remote {
		if err := s.guardHosts(ctx, spec.Feed); err != nil {
			return notice.Site{}, err
		}
	}
	site, err := s.k.store.UpdateSite(id, func(site *notice.Site) error {
		site.Starts = groups[id]
		site.Include, site.Exclude, site.Rule, site.Every = spec.Include, spec.Exclude, spec.Rule, spec.Every
		site.Feed = ""
		if spec.Feed != "" {
			site.Feed, _ = startURL(spec.Feed)
		}
		if site.Schedule.Feed.URL != site.Feed && !site.Schedule.Feed.Discovered {
			site.Schedule.Feed = notice.FeedState{}
		}
		site.Schedule.NextRun, site.Schedule.Interval = time.Now().UTC(), 0 // the interval is found again
		return nil
	})
	if err == nil {
		s.wake()
	}
	return site, err
}
