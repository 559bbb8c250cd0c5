package main

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests kill the real binary with SIGKILL (no chance to flush or
// close anything) in the middle of an import, a reindex and a re-crawl,
// then start it again. The store must hold every notice it had committed,
// none twice; the index must be the old one or rebuilt from the store;
// search must answer with the store's count; and running the work again
// must end exactly where an uninterrupted run ends. The kill point is
// drawn from a seed (NOTICEKB_KILL_SEED, default 1) and logged.

func killSeed(t *testing.T) *rand.Rand {
	seed := uint64(1)
	if v := os.Getenv("NOTICEKB_KILL_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("NOTICEKB_KILL_SEED=%q", v)
		}
		seed = n
	}
	t.Logf("kill seed %d (set NOTICEKB_KILL_SEED to vary)", seed)
	return rand.New(rand.NewPCG(seed, 7))
}

// exported is `noticekb export`: notice IDs with their titles.
func exported(t *testing.T, bin, data string) map[string]string {
	t.Helper()
	out, err := exec.Command(bin, "export", "--data", data).Output()
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	notices := map[string]string{}
	for sc := bufio.NewScanner(strings.NewReader(string(out))); sc.Scan(); {
		var l exportLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if _, dup := notices[l.ID]; dup {
			t.Errorf("notice %s exported twice", l.ID)
		}
		notices[l.ID] = l.Title
	}
	return notices
}

// searchTotal opens the data folder as a restart does (catch-up, rebuild
// of an unreadable index) and returns the total of an empty search.
func searchTotal(t *testing.T, bin, data string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, "search", "--data", data, "--json", "--size", "1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("search after the kill: %v\n%s", err, stderr.String())
	}
	var r apiResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	return r.Total, stderr.String()
}

func indexFolders(t *testing.T, data string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(data, "index-*"))
	return m
}

// importSite generates a site and lays its notices out as files.
func importSite(t *testing.T, notices int) string {
	t.Helper()
	bed, site := generatedSite(t, notices, 11)
	flat := filepath.Join(t.TempDir(), "flat")
	if err := bed.Flat(t.Context(), site, flat); err != nil {
		t.Fatal(err)
	}
	return flat
}

func runImport(bin, data, flat string) *exec.Cmd {
	return exec.Command(bin, "import", "--data", data, "--base-url", "http://notices.example/", flat)
}

func TestImportKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	rng := killSeed(t)
	flat := importSite(t, 500)
	bin := buildBinary(t)

	ref := t.TempDir()
	start := time.Now()
	if out, err := runImport(bin, ref, flat).CombinedOutput(); err != nil {
		t.Fatalf("reference import: %v\n%s", err, out)
	}
	took := time.Since(start)
	want := exported(t, bin, ref)

	data := t.TempDir()
	wait := time.Duration(float64(took) * (0.25 + 0.5*rng.Float64()))
	imp := runImport(bin, data, flat)
	if err := imp.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(wait)
	imp.Process.Kill()
	if err := imp.Wait(); err == nil {
		t.Fatalf("the import finished within %s of a %s run; not killed", wait, took)
	}

	total, _ := searchTotal(t, bin, data)
	before := exported(t, bin, data)
	if total != len(before) {
		t.Errorf("after the kill search finds %d notices, the store holds %d", total, len(before))
	}
	for id, title := range before {
		if want[id] != title {
			t.Errorf("after the kill the store holds %s %q, which the whole import does not", id, title)
		}
	}
	if out, err := runImport(bin, data, flat).CombinedOutput(); err != nil {
		t.Fatalf("import after the kill: %v\n%s", err, out)
	}
	after := exported(t, bin, data)
	if len(after) != len(want) {
		t.Errorf("the import run again holds %d notices, an uninterrupted one %d", len(after), len(want))
	}
	for id, title := range want {
		if after[id] != title {
			t.Errorf("notice %s %q is missing or changed after the kill and a rerun", id, title)
		}
	}
	if total, _ := searchTotal(t, bin, data); total != len(want) {
		t.Errorf("search finds %d notices, want %d", total, len(want))
	}
	t.Logf("killed %s into a %s import, with %d of %d notices committed", wait.Round(time.Millisecond), took.Round(time.Millisecond), len(before), len(want))
}

func TestReindexKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	rng := killSeed(t)
	flat := importSite(t, 500)
	bin := buildBinary(t)
	data := t.TempDir()
	if out, err := runImport(bin, data, flat).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	want := exported(t, bin, data)
	old := indexFolders(t, data)
	if len(old) != 1 {
		t.Fatalf("index folders %v", old)
	}

	// Kill once the new index folder exists and has grown a little: a
	// random number of polls after it appeared.
	var killedAt time.Duration
	for attempt := 0; ; attempt++ {
		if attempt == 5 {
			t.Fatal("the reindex never ran long enough to be killed")
		}
		extra := rng.IntN(20)
		cmd := exec.Command(bin, "reindex", "--data", data)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		building := -1
		for i := 0; ; i++ {
			if building < 0 && len(indexFolders(t, data)) == 2 {
				building = i
			}
			if building >= 0 && i >= building+extra {
				cmd.Process.Kill()
				break
			}
			time.Sleep(2 * time.Millisecond)
			if cmd.ProcessState != nil || time.Since(start) > time.Minute {
				break
			}
		}
		killedAt = time.Since(start)
		if err := cmd.Wait(); err != nil {
			break // killed mid-way
		}
	}

	total, log := searchTotal(t, bin, data)
	if total != len(want) {
		t.Errorf("after the kill search finds %d notices, want %d\n%s", total, len(want), log)
	}
	folders := indexFolders(t, data)
	pointer, _ := os.ReadFile(filepath.Join(data, "index.current"))
	if len(folders) != 1 || filepath.Base(folders[0]) != strings.TrimSpace(string(pointer)) {
		t.Errorf("after the restart: index folders %v, pointer %q; want the one it names", folders, pointer)
	}
	if got := exported(t, bin, data); len(got) != len(want) {
		t.Errorf("the store holds %d notices, want %d", len(got), len(want))
	}
	kept := "the old index"
	if folders[0] != old[0] {
		kept = "the rebuilt index"
	}
	t.Logf("killed %s into a reindex; %s serves %d notices", killedAt.Round(time.Millisecond), kept, total)

	// An index damaged beyond reading is set aside and rebuilt from the
	// store when the folder is next opened.
	segs, _ := filepath.Glob(filepath.Join(folders[0], "*"))
	for _, f := range segs {
		if info, err := os.Stat(f); err == nil && !info.IsDir() {
			os.WriteFile(f, []byte("garbage"), 0o644)
		}
	}
	total, log = searchTotal(t, bin, data)
	if total != len(want) || !strings.Contains(log, "rebuilding") {
		t.Errorf("a damaged index: search finds %d of %d\n%s", total, len(want), log)
	}
}

func TestRecrawlKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	rng := killSeed(t)
	bed, site := generatedSite(t, 150, 5)
	srv, err := bed.Serve(site, "--no-faults", "--latency-ms", "5")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	bin := buildBinary(t)
	data := t.TempDir()
	crawl := func() *exec.Cmd {
		return exec.Command(bin, "crawl", "--data", data, "--delay", "0", "--concurrency", "2", srv.URL)
	}
	if out, err := crawl().CombinedOutput(); err != nil {
		t.Fatalf("first crawl: %v\n%s", err, out)
	}
	first := exported(t, bin, data)
	changes, err := bed.Mutate(t.Context(), site, 3)
	if err != nil {
		t.Fatal(err)
	}
	deleted := map[string]bool{}
	for _, c := range changes.Deleted {
		deleted[c.URL] = true
	}

	killAfter := 40 + rng.IntN(120)
	killCrawlAfter(t, crawl(), killAfter)

	total, _ := searchTotal(t, bin, data)
	mid := exported(t, bin, data)
	if total != len(mid) {
		t.Errorf("after the kill search finds %d notices, the store holds %d", total, len(mid))
	}
	lost := 0
	for id := range first {
		if _, ok := mid[id]; !ok {
			lost++
		}
	}
	// Only notices whose pages were deleted from the site may have left.
	if lost > len(changes.Deleted) {
		t.Errorf("%d notices gone after the kill; the site deleted %d", lost, len(changes.Deleted))
	}

	out, err := crawl().CombinedOutput()
	if err != nil {
		t.Fatalf("re-crawl after the kill: %v\n%s", err, out)
	}
	urls, pred := exportedURLs(t, bin, data)
	score, report, err := bed.Score(t.Context(), site, pred)
	if err != nil {
		t.Fatal(err)
	}
	if score["import_recall"] < 1 || score["spurious"] != 0 {
		t.Errorf("after the kill and another re-crawl: %s", report)
	}
	for u := range urls {
		for d := range deleted {
			if strings.HasSuffix(u, d) {
				t.Errorf("deleted notice %s is still live", u)
			}
		}
	}
	if total, _ := searchTotal(t, bin, data); total != len(urls) {
		t.Errorf("search finds %d notices, the store holds %d live", total, len(urls))
	}
	t.Logf("killed after %d page requests of the re-crawl (%d live notices then); finished with %d live notices, edited %d, added %d, deleted %d",
		killAfter, len(mid), len(urls), len(changes.Edited), len(changes.Added), len(changes.Deleted))
}

// A server killed while an admin re-import runs keeps the knowledge base
// as it was before the job: the job's writes were staged, and the stage
// is dropped at the next start, where the job shows as failed.
func TestServeKilledDuringAdminReimport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bed, site := generatedSite(t, 60, 4)
	srv, err := bed.Serve(site, "--no-faults", "--latency-ms", "20")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	bin := buildBinary(t)
	data := t.TempDir()
	allow := []string{"--allow", hostOfURL(srv.URL), "--allow-private", "--crawl-delay", "0"}
	killed := startServeProcessWith(t, bin, data, adminToken, allow...)
	defer killed.cmd.Process.Kill() // should the test stop before the kill
	base := killed.url + "/"
	before := total(t, base)
	var job struct {
		ID       string `json:"id"`
		Progress struct {
			Fetched int `json:"fetched"`
		} `json:"progress"`
	}
	if code := admin(t, "POST", base+"api/v1/admin/reimport", `{"site":"`+srv.URL+`"}`, &job); code != http.StatusAccepted {
		t.Fatalf("start: %d", code)
	}
	for deadline := time.Now().Add(30 * time.Second); job.Progress.Fetched < 30; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the job made no progress: %+v", job)
		}
		admin(t, "GET", base+"api/v1/admin/jobs/"+job.ID, "", &job)
	}
	killed.cmd.Process.Kill()
	<-killed.done

	restarted := startServeProcessWith(t, bin, data, adminToken, allow...)
	defer restarted.stop(t)
	base = restarted.url + "/"
	if after := total(t, base); after != before {
		t.Errorf("after the kill search finds %d notices, before the job %d", after, before)
	}
	var j struct {
		State string `json:"state"`
		Error string `json:"error"`
	}
	admin(t, "GET", base+"api/v1/admin/jobs/"+job.ID, "", &j)
	if j.State != "failed" || !strings.Contains(j.Error, "interrupted") {
		t.Errorf("the killed job shows as %+v", j)
	}
	t.Logf("killed with %d pages fetched; %d notices before and after", job.Progress.Fetched, before)
}
