package jobs

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
)

type quickWork struct{ err error }

func (quickWork) Check(context.Context, string, string) error { return nil }

func (q quickWork) Reimport(context.Context, notice.Job, func(notice.JobProgress)) (notice.RunSummary, error) {
	return notice.RunSummary{Pages: 2, Failed: 2}, q.err
}

// A job the history shows running when noticekb starts was cut short by
// the process ending: it is marked failed. Finished jobs are kept.
func TestHistorySurvivesRestart(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	interrupted := notice.Job{ID: "cut", Kind: notice.JobSite, URL: "https://a.example/", State: notice.JobRunning, Started: time.Now().Add(-time.Hour)}
	if err := st.PutJob(interrupted.ID, interrupted); err != nil {
		t.Fatal(err)
	}
	m, err := New(context.Background(), quickWork{err: context.DeadlineExceeded}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	j, err := m.Job("cut")
	if err != nil || j.State != notice.JobFailed || j.Error == "" {
		t.Fatalf("interrupted job after restart: %+v %v", j, err)
	}
	started, err := m.Start(t.Context(), notice.JobPage, "https://a.example/n/1")
	if err != nil {
		t.Fatal(err)
	}
	done, _ := m.Wait(t.Context(), started.ID)
	if done.State != notice.JobFailed || done.Summary == nil || done.Summary.Failed != 2 {
		t.Errorf("failing job: %+v", done)
	}
	again, err := New(context.Background(), quickWork{}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if jobs := again.Jobs(); len(jobs) != 2 || jobs[0].ID != started.ID || jobs[0].State != notice.JobFailed {
		t.Errorf("history after a second restart: %+v", jobs)
	}
	if _, err := m.Start(t.Context(), "everything", "https://a.example/"); err == nil {
		t.Error("an unknown job kind was accepted")
	}
}

// A re-extraction job takes no URL; page and site jobs need one.
func TestJobKindsAndURLs(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := New(context.Background(), quickWork{}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind, url string
		ok        bool
	}{
		{notice.JobReextract, "", true},
		{notice.JobReextract, "https://a.example/", false},
		{notice.JobSite, "", false},
		{notice.JobPage, "", false},
		{notice.JobPage, "https://a.example/n/1", true},
	} {
		j, err := m.Start(t.Context(), c.kind, c.url)
		if (err == nil) != c.ok {
			t.Errorf("%s job with %q: %v", c.kind, c.url, err)
		}
		if err == nil {
			m.Wait(t.Context(), j.ID)
		}
	}
}
