package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/jobs"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
)

const testToken = "s3cret-admin-token-for-tests"

// gatedWork is a re-import that runs until released or cancelled, so the
// API's job lifecycle can be observed at each step.
type gatedWork struct{ release chan struct{} }

func (g *gatedWork) Check(_ context.Context, _, url string) error {
	if strings.Contains(url, "forbidden.example") {
		return fmt.Errorf("test: %w", notice.ErrForbidden)
	}
	if strings.Contains(url, "nowhere.invalid") {
		return fmt.Errorf("test: nowhere.invalid does not resolve to an address: %w", notice.ErrUnknownHost)
	}
	return nil
}

func (g *gatedWork) Reimport(ctx context.Context, job notice.Job, progress func(notice.JobProgress)) (notice.RunSummary, error) {
	progress(notice.JobProgress{Fetched: 1, Queued: 3})
	select {
	case <-g.release:
		return notice.RunSummary{Pages: 4, Updated: 1, Unchanged: 3, WeakDates: 1}, nil
	case <-ctx.Done():
		return notice.RunSummary{Pages: 1}, ctx.Err()
	}
}

func newAdminServer(t *testing.T, token string) (string, *gatedWork, *jobs.Manager) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	work := &gatedWork{release: make(chan struct{})}
	m, err := jobs.New(context.Background(), work, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	s, err := New(Options{Searcher: nil, Notices: st, Admin: m, AdminToken: token})
	if err != nil {
		t.Fatal(err)
	}
	return serveLoopback(t, s), work, m
}

func call(t *testing.T, method, url, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func TestAdminRoutesOffWithoutToken(t *testing.T) {
	base, _, _ := newAdminServer(t, "")
	if code := call(t, "POST", base+"/api/v1/admin/reimport", testToken, `{"site":"https://example.org/"}`, nil); code != http.StatusNotFound {
		t.Errorf("admin API without a token set: %d, want 404", code)
	}
}

func TestAdminAuth(t *testing.T) {
	base, _, _ := newAdminServer(t, testToken)
	for _, token := range []string{"", "wrong", testToken + "x", strings.ToUpper(testToken)} {
		var e map[string]string
		if code := call(t, "GET", base+"/api/v1/admin/jobs", token, "", &e); code != http.StatusUnauthorized || e["error"] == "" {
			t.Errorf("token %q: %d %v, want 401 with an error", token, code, e)
		}
	}
	if code := call(t, "GET", base+"/api/v1/admin/jobs", testToken, "", nil); code != http.StatusOK {
		t.Errorf("right token: %d", code)
	}
}

func TestAdminReimportBadRequests(t *testing.T) {
	base, _, _ := newAdminServer(t, testToken)
	for body, want := range map[string]int{
		`not json`: 400, `{}`: 400, `{"url":"https://a.example/x","site":"https://a.example/"}`: 400,
		`{"site":"ftp://a.example/"}`: 400, `{"site":"/relative"}`: 400, `{"page":"https://a.example/"}`: 400,
		`{"site":"https://forbidden.example/"}`: 403,
	} {
		var e map[string]string
		if code := call(t, "POST", base+"/api/v1/admin/reimport", testToken, body, &e); code != want || e["error"] == "" {
			t.Errorf("%s: %d %v, want %d with an error", body, code, e, want)
		}
	}
	if code := call(t, "GET", base+"/api/v1/admin/jobs/nosuchjob", testToken, "", nil); code != http.StatusNotFound {
		t.Errorf("unknown job: %d, want 404", code)
	}
}

// A job runs in the background, one at a time, shows its progress and
// summary, and can be cancelled; the history keeps both.
func TestAdminJobLifecycle(t *testing.T) {
	base, work, m := newAdminServer(t, testToken)
	var job notice.Job
	if code := call(t, "POST", base+"/api/v1/admin/reimport", testToken, `{"site":"https://a.example/"}`, &job); code != http.StatusAccepted {
		t.Fatalf("start: %d", code)
	}
	if job.ID == "" || job.Kind != notice.JobSite || job.State != notice.JobRunning {
		t.Fatalf("started job: %+v", job)
	}
	var busy map[string]string
	if code := call(t, "POST", base+"/api/v1/admin/reimport", testToken, `{"url":"https://a.example/n/1"}`, &busy); code != http.StatusConflict {
		t.Errorf("second job while one runs: %d %v, want 409", code, busy)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var got notice.Job
		call(t, "GET", base+"/api/v1/admin/jobs/"+job.ID, testToken, "", &got)
		if got.Progress.Fetched == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no progress: %+v", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(work.release)
	done, _ := m.Wait(t.Context(), job.ID)
	if done.State != notice.JobSucceeded || done.Summary == nil || done.Summary.Updated != 1 {
		t.Errorf("finished job: %+v", done)
	}
	if code := call(t, "DELETE", base+"/api/v1/admin/jobs/"+job.ID, testToken, "", nil); code != http.StatusConflict {
		t.Errorf("cancel a finished job: %d, want 409", code)
	}

	// A second job, cancelled.
	work.release = make(chan struct{})
	var second notice.Job
	if code := call(t, "POST", base+"/api/v1/admin/reimport", testToken, `{"url":"https://a.example/n/1"}`, &second); code != http.StatusAccepted {
		t.Fatalf("start second: %d", code)
	}
	var cancelled notice.Job
	if code := call(t, "DELETE", base+"/api/v1/admin/jobs/"+second.ID, testToken, "", &cancelled); code != http.StatusOK || cancelled.State != notice.JobCancelled {
		t.Errorf("cancel: %d %+v", code, cancelled)
	}
	var list struct{ Jobs []notice.Job }
	call(t, "GET", base+"/api/v1/admin/jobs", testToken, "", &list)
	if len(list.Jobs) != 2 || list.Jobs[0].ID != second.ID {
		t.Errorf("history: %+v", list.Jobs)
	}
}
