package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/notice"
)

const adminToken = "an-admin-token-for-the-tests"

// startAdminServe runs `noticekb serve` with the admin token set.
func startAdminServe(t *testing.T, dataDir string, extraArgs ...string) string {
	t.Helper()
	getenv := func(k string) string {
		if k == "NOTICEKB_ADMIN_TOKEN" {
			return adminToken
		}
		return ""
	}
	return startServeEnv(t, getenv, dataDir, extraArgs...)
}

// admin sends an API request with the admin token and decodes the JSON
// answer into out, when given.
func admin(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	code, answer := request(t, method, url, map[string]string{"Authorization": "Bearer " + adminToken}, body)
	if out != nil {
		json.Unmarshal([]byte(answer), out)
	}
	return code
}

func waitJob(t *testing.T, base, id string) notice.Job {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var j notice.Job
		// Polled five times a second, under the API's rate limit (600 a
		// minute); a job that runs long under -race would otherwise be
		// answered 429, whose body is no job.
		code := admin(t, "GET", base+"api/v1/admin/jobs/"+id, "", &j)
		if code == http.StatusOK && j.Done() {
			return j
		}
		if code != http.StatusOK && code != http.StatusTooManyRequests {
			t.Fatalf("job %s: status %d", id, code)
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s did not end: %+v", id, j)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func total(t *testing.T, base string) int {
	t.Helper()
	var r apiResult
	getJSON(t, base+"api/v1/search?q=", &r)
	return r.Total
}

func hostOfURL(u string) string {
	return strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/")
}

// The admin API over a real server: SSRF refusals, a whole-site job, a
// one-page job after the site changed, a cancelled job that leaves the
// knowledge base as it was (search serving the old data meanwhile) and a
// failed one that does too.
func TestAdminReimportEndToEnd(t *testing.T) {
	bed, site := generatedSite(t, 40, 3)
	fast, err := bed.Serve(site, "--no-faults")
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Stop()
	slow, err := bed.Serve(site, "--no-faults", "--latency-ms", "100")
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Stop()

	base := startAdminServe(t, t.TempDir(), "--allow", hostOfURL(fast.URL), "--allow", hostOfURL(slow.URL),
		"--allow", "127.0.0.1:1", "--allow-private", "--crawl-delay", "0")
	demoTotal := total(t, base)

	for _, target := range []string{"http://10.1.2.3/", "http://169.254.169.254/latest/meta-data/", "http://unknown.example/"} {
		var e map[string]string
		if code := admin(t, "POST", base+"api/v1/admin/reimport", `{"site":"`+target+`"}`, &e); code != http.StatusForbidden {
			t.Errorf("re-import of %s: %d %v, want 403", target, code, e)
		}
	}

	var job notice.Job
	if code := admin(t, "POST", base+"api/v1/admin/reimport", `{"site":"`+fast.URL+`"}`, &job); code != http.StatusAccepted {
		t.Fatalf("site job: %d", code)
	}
	job = waitJob(t, base, job.ID)
	if job.State != notice.JobSucceeded || job.Summary.Added != 40 {
		t.Fatalf("site job: %+v", job)
	}
	if got := total(t, base); got != demoTotal+40 {
		t.Errorf("search total %d after the site job, want %d", got, demoTotal+40)
	}

	// The bundled demo site is re-imported in-process: nothing changed.
	admin(t, "POST", base+"api/v1/admin/reimport", `{"site":"`+demo.StartURL+`"}`, &job)
	if job = waitJob(t, base, job.ID); job.State != notice.JobSucceeded || job.Summary.Added != 0 || job.Summary.Unchanged < demoTotal {
		t.Errorf("demo re-import: %+v", job)
	}

	changes, err := bed.Mutate(t.Context(), site, 9)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.TrimSuffix(fast.URL, "/") + changes.Edited[0].URL
	admin(t, "POST", base+"api/v1/admin/reimport", `{"url":"`+edited+`"}`, &job)
	if job = waitJob(t, base, job.ID); job.State != notice.JobSucceeded || job.Summary.Updated != 1 {
		t.Errorf("page job on an edited notice: %+v", job)
	}

	// A slow whole-site job, cancelled half-way: search serves the old data
	// while it runs, and nothing it read is kept.
	admin(t, "POST", base+"api/v1/admin/reimport", `{"site":"`+slow.URL+`"}`, &job)
	time.Sleep(time.Second)
	var running notice.Job
	admin(t, "GET", base+"api/v1/admin/jobs/"+job.ID, "", &running)
	if running.State != notice.JobRunning || running.Progress.Fetched == 0 {
		t.Fatalf("slow job after 1s: %+v", running)
	}
	if got := total(t, base); got != demoTotal+40 {
		t.Errorf("search total %d while a job runs, want the old %d", got, demoTotal+40)
	}
	var cancelled notice.Job
	if code := admin(t, "DELETE", base+"api/v1/admin/jobs/"+job.ID, "", &cancelled); code != http.StatusOK || cancelled.State != notice.JobCancelled {
		t.Fatalf("cancel: %d %+v", code, cancelled)
	}
	if got := total(t, base); got != demoTotal+40 {
		t.Errorf("search total %d after a cancelled job, want %d", got, demoTotal+40)
	}

	// A job that can read nothing fails and changes nothing.
	admin(t, "POST", base+"api/v1/admin/reimport", `{"site":"http://127.0.0.1:1/"}`, &job)
	if job = waitJob(t, base, job.ID); job.State != notice.JobFailed || job.Error == "" {
		t.Errorf("job on a closed port: %+v", job)
	}
	if got := total(t, base); got != demoTotal+40 {
		t.Errorf("search total %d after a failed job, want %d", got, demoTotal+40)
	}
}
