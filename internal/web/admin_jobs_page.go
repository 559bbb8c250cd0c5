package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
)

// JobView is one job as the admin pages show it.
type JobView struct {
	ID, URL string
	// Kind says what the job does; Target what it works on, linked by
	// TargetURL when that is a web address.
	Kind, Target, TargetURL string
	State                   notice.JobState
	StateLabel              string
	Running                 bool
	Started, Finished       time.Time
	Took                    time.Duration
	Progress                notice.JobProgress
	// Done of Total draws a progress bar while the total is known.
	Done, Total int64
	Summary     *notice.RunSummary
	Error       string
}

var jobKinds = map[string]string{notice.JobPage: "One page", notice.JobSite: "Whole site", notice.JobReextract: "Re-extraction"}

var stateLabels = map[notice.JobState]string{
	notice.JobRunning: "Running", notice.JobSucceeded: "Succeeded", notice.JobFailed: "Failed", notice.JobCancelled: "Cancelled",
}

func jobView(j notice.Job, now time.Time) JobView {
	v := JobView{
		ID: j.ID, URL: "/admin/jobs/" + j.ID, Kind: jobKinds[j.Kind], Target: j.URL,
		State: j.State, StateLabel: stateLabels[j.State], Running: !j.Done(),
		Started: j.Started, Finished: j.Finished, Progress: j.Progress, Summary: j.Summary, Error: j.Error,
	}
	if v.Kind == "" {
		v.Kind = j.Kind
	}
	if j.Kind == notice.JobReextract {
		v.Target = "every stored page"
	} else if u, err := url.Parse(j.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		v.TargetURL = u.String()
	}
	end := j.Finished
	if end.IsZero() {
		end = now
	}
	v.Took = end.Sub(j.Started)
	if p := j.Progress; v.Running && p.Queued > 0 {
		v.Done, v.Total = p.Fetched, p.Fetched+p.Queued
	}
	return v
}

// homeForm is the re-import form as sent, shown again with what was wrong.
type homeForm struct {
	URL, Kind string
	Error     string
}

// HomeView is the admin area's first page.
type HomeView struct {
	AdminPage
	Form    homeForm
	Current *JobView
	Recent  []JobView
	// More is how many older jobs the history page lists besides Recent.
	More  int
	Files []KnowledgeFile
}

const recentJobs = 5

// JobsTable is a table of jobs, for the jobs-table template.
type JobsTable struct {
	Caption string
	Jobs    []JobView
}

func (v HomeView) RecentTable() JobsTable { return JobsTable{Caption: "Recent jobs", Jobs: v.Recent} }
func (v JobsView) Table() JobsTable {
	return JobsTable{Caption: "Every job, newest first", Jobs: v.Jobs}
}

func (s *Server) renderHome(c *fiber.Ctx, sess *session, status int, form homeForm) error {
	v := HomeView{AdminPage: s.adminPage(sess, "Admin", "home"), Form: form}
	v.Title = "Admin"
	if v.Form.Kind == "" {
		v.Form.Kind = notice.JobSite
	}
	now := time.Now()
	jobs := s.opts.Admin.Jobs()
	for i, j := range jobs {
		jv := jobView(j, now)
		if jv.Running && v.Current == nil {
			v.Current = &jv
		}
		if i < recentJobs {
			v.Recent = append(v.Recent, jv)
		}
	}
	v.More = max(len(jobs)-recentJobs, 0)
	if s.opts.Curator != nil {
		v.Files = s.opts.Curator.KnowledgeFiles()
	}
	return s.renderAdmin(c, status, "admin-home", v)
}

// adminMessage is what an admin reads about a refused action: the whole
// message for their own mistakes (admins may see which check refused
// them), never internals for server faults.
func adminMessage(err error) (int, string) {
	status := statusOf(err)
	if status >= 500 {
		return status, publicMessage(err, status)
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return status, fe.Message
	}
	return status, err.Error()
}

func (s *Server) handleStartJob(c *fiber.Ctx) error {
	sess := sessionOf(c)
	form := homeForm{Kind: utils.CopyString(c.FormValue("kind")), URL: strings.TrimSpace(utils.CopyString(c.FormValue("url")))}
	if form.Kind == notice.JobPage || form.Kind == notice.JobSite {
		if u, err := url.Parse(form.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			form.Error = "Give the address of a page or site, starting with http:// or https://."
			return s.renderHome(c, sess, http.StatusBadRequest, form)
		}
	}
	job, err := s.opts.Admin.Start(c.UserContext(), form.Kind, form.URL)
	if err != nil {
		if statusOf(err) >= 500 {
			s.log.Error("admin job not started", "kind", form.Kind, "url", form.URL, "err", err)
		}
		var status int
		status, form.Error = adminMessage(err)
		return s.renderHome(c, sess, status, form)
	}
	return seeOther(c, "/admin/jobs/"+job.ID)
}

// JobsView is the job history.
type JobsView struct {
	AdminPage
	Jobs []JobView
}

func (s *Server) handleJobsPage(c *fiber.Ctx) error {
	v := JobsView{AdminPage: s.adminPage(sessionOf(c), "Jobs", "jobs")}
	now := time.Now()
	for _, j := range s.opts.Admin.Jobs() {
		v.Jobs = append(v.Jobs, jobView(j, now))
	}
	return s.renderAdmin(c, http.StatusOK, "admin-jobs", v)
}

// JobPageView is one job's page.
type JobPageView struct {
	AdminPage
	Job JobView
	// Refresh is the seconds between reloads of the page while the job
	// runs, for browsers without JavaScript; with it, the page's script
	// fetches PartURL and swaps the job's part in instead.
	Refresh int
	PartURL string
}

// jobRefresh is how often a running job's page updates itself.
const jobRefresh = 1

// handleJobPage shows a job; with part=live, only the part that changes
// as it runs.
func (s *Server) handleJobPage(c *fiber.Ctx) error {
	job, err := s.opts.Admin.Job(utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	jv := jobView(job, time.Now())
	v := JobPageView{Job: jv, PartURL: jv.URL + "?part=live"}
	if jv.Running {
		v.Refresh = jobRefresh
	}
	sess := sessionOf(c)
	if c.Query("part") == "live" {
		// The part carries the cancel form, but leaves messages waiting
		// for the next whole page.
		v.CSRF, v.Curator = s.admin.csrf.token(purposeSession, sess.id), s.opts.Curator != nil
		noStore(c)
		return s.renderBlock(c, http.StatusOK, "admin-job", "job-live", v)
	}
	v.AdminPage = s.adminPage(sess, jv.Kind+": "+jv.StateLabel, "jobs")
	return s.renderAdmin(c, http.StatusOK, "admin-job", v)
}

func (s *Server) handleCancelJobForm(c *fiber.Ctx) error {
	id := utils.CopyString(c.Params("id"))
	sess := sessionOf(c)
	if _, err := s.opts.Admin.Cancel(id); err != nil {
		if errors.Is(err, notice.ErrNotFound) {
			return err
		}
		_, msg := adminMessage(err)
		s.admin.sessions.flash(sess, Flash{Error: true, Text: msg})
	} else {
		s.admin.sessions.flash(sess, Flash{Text: "The job is cancelled; nothing it read was kept."})
		s.log.Info("admin job cancelled", "id", id)
	}
	return seeOther(c, "/admin/jobs/"+url.PathEscape(id))
}
