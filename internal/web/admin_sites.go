package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
)

// The admin area's sites: the registry with each site's last and next
// run, a form to register sites, a page per site (settings, actions, its
// runs with their failures), and an Atom feed of what the runs changed.

// sitePageRoutes are the admin pages of the registry.
func (s *Server) sitePageRoutes(app *fiber.App) {
	get := func(path string, h fiber.Handler) { app.Get(path, s.signedIn, h) }
	post := func(path string, h fiber.Handler) { app.Post(path, s.signedIn, s.checkForm, h) }
	get("/admin/sites", s.handleSitesPage)
	post("/admin/sites", s.handleRegisterForm)
	get("/admin/sites/:id", s.handleSitePage)
	post("/admin/sites/:id", s.handleUpdateSiteForm)
	post("/admin/sites/:id/run", s.handleSiteAction("run"))
	post("/admin/sites/:id/enable", s.handleSiteAction("enable"))
	post("/admin/sites/:id/disable", s.handleSiteAction("disable"))
	post("/admin/sites/:id/remove", s.handleSiteAction("remove"))
	app.Get("/admin/changes.atom", s.feedReader, s.handleChangesFeed)
}

// SiteRow is one registered site as the admin pages show it.
type SiteRow struct {
	ID, URL    string
	Starts     []string
	State      string
	StateLabel string
	Reason     string
	Every      string
	Next       string
	Notices    int
	Feed       string
	FeedError  string
	Running    *RunView
	Last       *RunView
}

// RunView is one run of a site.
type RunView struct {
	Seq                   uint64
	Anchor                string
	Kind, Trigger         string
	State                 string
	StateLabel            string
	Started               time.Time
	Took                  time.Duration
	Summary               notice.RunSummary
	Requests, NotModified int64
	FeedItems             int
	Error                 string
	Progress              *notice.JobProgress
}

var siteStateLabels = map[string]string{
	string(notice.SiteActive): "Active", string(notice.SitePaused): "Paused", string(notice.SiteDisabled): "Disabled",
	string(notice.RunRunning): "Running", string(notice.RunSucceeded): "Succeeded", string(notice.RunFailed): "Failed",
	string(notice.RunCancelled): "Cancelled", string(notice.RunInterrupted): "Interrupted", string(notice.RunBlocked): "Blocked by robots.txt",
}

func runView(r notice.SiteRun, now time.Time) RunView {
	end := r.Finished
	if end.IsZero() {
		end = now
	}
	return RunView{Seq: r.Seq, Anchor: fmt.Sprintf("run-%d", r.Seq), Kind: r.Kind, Trigger: r.Trigger, State: string(r.State),
		StateLabel: siteStateLabels[string(r.State)], Started: r.Started, Took: end.Sub(r.Started), Summary: r.Summary,
		Requests: r.Requests, NotModified: r.NotModified, FeedItems: r.FeedItems, Error: r.Error, Progress: r.Progress}
}

func sitePath(id string) string { return "/admin/sites/" + url.PathEscape(id) }

func siteRow(st notice.SiteStatus, now time.Time) SiteRow {
	sc := st.Schedule
	row := SiteRow{ID: st.ID, URL: sitePath(st.ID), Starts: st.Starts, State: string(sc.State), StateLabel: siteStateLabels[string(sc.State)],
		Reason: sc.Reason, Notices: sc.Notices, Feed: sc.Feed.URL, FeedError: sc.Feed.Error}
	switch {
	case st.Every > 0:
		row.Every = st.Every.String()
	case sc.Interval > 0:
		row.Every = "adapted: " + sc.Interval.D().Round(time.Minute).String()
	default:
		row.Every = "adapts to the site"
	}
	switch {
	case st.Running != nil:
		row.Next = "running now"
		rv := runView(*st.Running, now)
		row.Running = &rv
	case sc.State == notice.SiteDisabled:
		row.Next = "not scheduled"
	case !sc.NextRun.After(now):
		row.Next = "due now"
	default:
		row.Next = "in " + sc.NextRun.Sub(now).Round(time.Second).String() + " (" + formatWhen(sc.NextRun) + ")"
	}
	if st.LastRun != nil {
		rv := runView(*st.LastRun, now)
		row.Last = &rv
	}
	return row
}

// siteForm is the registration form as sent, shown again with what was
// wrong.
type siteForm struct {
	URLs, Include, Exclude, Feed, Rule, Every string
	Error                                     string
}

// spec reads the form: one URL or pattern a line, an empty interval
// adapting to the site.
func (f siteForm) spec() (notice.SiteSpec, error) {
	spec := notice.SiteSpec{URLs: lines(f.URLs), Include: lines(f.Include), Exclude: lines(f.Exclude),
		Feed: strings.TrimSpace(f.Feed), Rule: strings.TrimSpace(f.Rule)}
	if e := strings.TrimSpace(f.Every); e != "" {
		d, err := time.ParseDuration(e)
		if err != nil {
			return spec, fmt.Errorf("%w: the interval %q is not a duration such as 30m, 6h or 24h; leave it empty to adapt to the site", notice.ErrInvalidQuery, e)
		}
		spec.Every = notice.Duration(d)
	}
	return spec, nil
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func formOf(c *fiber.Ctx) siteForm {
	v := func(k string) string { return utils.CopyString(c.FormValue(k)) }
	return siteForm{URLs: v("urls"), Include: v("include"), Exclude: v("exclude"), Feed: v("feed"), Rule: v("rule"), Every: v("every")}
}

func formFor(site notice.Site) siteForm {
	f := siteForm{URLs: strings.Join(site.Starts, "\n"), Include: strings.Join(site.Include, "\n"), Exclude: strings.Join(site.Exclude, "\n"),
		Feed: site.Feed, Rule: site.Rule}
	if site.Every > 0 {
		f.Every = site.Every.String()
	}
	return f
}

// SitesView is the registry's page.
type SitesView struct {
	AdminPage
	Sites []SiteRow
	Form  siteForm
	// ChangesURL is the Atom feed of what runs changed, with its key.
	ChangesURL string
}

func (s *Server) handleSitesPage(c *fiber.Ctx) error {
	return s.renderSites(c, http.StatusOK, siteForm{})
}

func (s *Server) renderSites(c *fiber.Ctx, status int, form siteForm) error {
	list, err := s.opts.Sites.List()
	if err != nil {
		return err
	}
	v := SitesView{AdminPage: s.adminPage(sessionOf(c), "Sites", "sites"), Form: form,
		ChangesURL: s.baseURL(c) + "/admin/changes.atom?key=" + s.changesKey()}
	now := time.Now()
	for _, st := range list {
		v.Sites = append(v.Sites, siteRow(st, now))
	}
	return s.renderAdmin(c, status, "admin-sites", v)
}

func (s *Server) handleRegisterForm(c *fiber.Ctx) error {
	form := formOf(c)
	spec, err := form.spec()
	var sites []notice.Site
	if err == nil {
		sites, _, err = s.opts.Sites.Register(c.UserContext(), spec, true)
	}
	if err != nil {
		var status int
		status, form.Error = adminMessage(err)
		return s.renderSites(c, status, form)
	}
	names := make([]string, len(sites))
	for i, site := range sites {
		names[i] = site.ID
	}
	s.log.Info("admin registered sites", "sites", names, "client", s.client(c))
	s.admin.sessions.flash(sessionOf(c), Flash{Text: "Registered " + strings.Join(names, ", ") + ": it runs at once, then as scheduled."})
	if len(sites) == 1 {
		return seeOther(c, sitePath(sites[0].ID))
	}
	return seeOther(c, "/admin/sites")
}

// SiteView is one site's page.
type SiteView struct {
	AdminPage
	Site SiteRow
	Form siteForm
	Runs []RunView
	// Refresh reloads the page while a run goes on.
	Refresh int
}

func (s *Server) handleSitePage(c *fiber.Ctx) error {
	return s.renderSite(c, http.StatusOK, siteParam(c), nil)
}

func (s *Server) renderSite(c *fiber.Ctx, status int, id string, form *siteForm) error {
	st, runs, err := s.opts.Sites.Site(id, siteRuns)
	if err != nil {
		return err
	}
	now := time.Now()
	v := SiteView{Site: siteRow(st, now)}
	v.AdminPage = s.adminPage(sessionOf(c), st.ID, "sites")
	if form != nil {
		v.Form = *form
	} else {
		v.Form = formFor(st.Site)
	}
	for _, r := range runs {
		v.Runs = append(v.Runs, runView(r, now))
	}
	if v.Site.Running != nil {
		v.Refresh = 2
	}
	return s.renderAdmin(c, status, "admin-site", v)
}

func (s *Server) handleUpdateSiteForm(c *fiber.Ctx) error {
	id := siteParam(c)
	form := formOf(c)
	spec, err := form.spec()
	if err == nil {
		_, err = s.opts.Sites.Update(c.UserContext(), id, spec, true)
	}
	if err != nil {
		if errors.Is(err, notice.ErrNotFound) {
			return err
		}
		var status int
		status, form.Error = adminMessage(err)
		return s.renderSite(c, status, id, &form)
	}
	s.admin.sessions.flash(sessionOf(c), Flash{Text: "Saved; the site runs soon with its new settings."})
	return seeOther(c, sitePath(id))
}

// handleSiteAction runs, enables, disables or removes a site.
func (s *Server) handleSiteAction(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := siteParam(c)
		sess := sessionOf(c)
		var err error
		var done string
		switch action {
		case "run":
			err, done = s.opts.Sites.Queue(id), "The site runs now; this page follows the run."
		case "enable":
			_, err = s.opts.Sites.SetEnabled(id, true)
			done = "Enabled: the site runs at once, its failures forgotten."
		case "disable":
			_, err = s.opts.Sites.SetEnabled(id, false)
			done = "Disabled: the site does not run until enabled again."
		case "remove":
			err, done = s.opts.Sites.Remove(id), "Removed "+id+" from the sites kept current; its notices stay in search."
		}
		if errors.Is(err, notice.ErrNotFound) {
			return err
		}
		if err != nil {
			_, msg := adminMessage(err)
			s.admin.sessions.flash(sess, Flash{Error: true, Text: msg})
		} else {
			s.admin.sessions.flash(sess, Flash{Text: done})
			s.log.Info("admin site action", "action", action, "site", id, "client", s.client(c))
		}
		if action == "remove" && err == nil {
			return seeOther(c, "/admin/sites")
		}
		return seeOther(c, sitePath(id))
	}
}
