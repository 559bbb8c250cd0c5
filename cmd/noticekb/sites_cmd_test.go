package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/demo"
)

// sites runs `noticekb sites args...` in this process.
func sites(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr strings.Builder
	err := run(t.Context(), append([]string{"sites"}, args...), noEnv, &stdout, &stderr)
	code := 0
	if err != nil {
		code = exitCode(err)
		stderr.WriteString(err.Error())
	}
	return stdout.String(), stderr.String(), code
}

// The sites subcommands register, list, run, disable, enable, show and
// remove a site (the bundled demo, read in-process), and refuse bad input
// with a usage error that says what is wrong.
func TestSitesCommands(t *testing.T) {
	data := t.TempDir()
	for _, bad := range [][]string{
		{"add", "--data", data, "--every", "5s", demo.StartURL},
		{"add", "--data", data, "ftp://files.example/"},
		{"add", "--data", data, "--exclude", "(", demo.StartURL},
		{"add", "--data", data},
		{"frobnicate"},
		{"run", "--data", data, "--due", "--full"},
	} {
		if _, stderr, code := sites(t, bad...); code != 2 || stderr == "" {
			t.Errorf("sites %v: exit %d, %q; want a usage error", bad, code, stderr)
		}
	}
	out, stderr, code := sites(t, "add", "--data", data, "--every", "1h", demo.StartURL)
	if code != 0 || !strings.Contains(out, "added "+demo.Host) {
		t.Fatalf("add: %d %q %q", code, out, stderr)
	}
	if out, _, _ := sites(t, "add", "--data", data, demo.StartURL+"news/"); !strings.Contains(out, "updated "+demo.Host) {
		t.Errorf("a second start page: %q", out)
	}
	out, _, _ = sites(t, "list", "--data", data)
	if !strings.Contains(out, demo.Host) || !strings.Contains(out, "active") || !strings.Contains(out, "never") {
		t.Errorf("list:\n%s", out)
	}
	_, stderr, code = sites(t, "run", "--data", data, "--crawl-delay", "0")
	if code != 0 || !strings.Contains(stderr, "run 1 of "+demo.Host+" (full, cli)") || !strings.Contains(stderr, "succeeded") || !strings.Contains(stderr, "added 48") {
		t.Errorf("run: %d\n%s", code, stderr)
	}
	if _, stderr, _ := sites(t, "run", "--data", data, "--due"); !strings.Contains(stderr, "0 due sites run") {
		t.Errorf("run --due with nothing due: %q", stderr)
	}
	sites(t, "disable", "--data", data, demo.Host)
	if out, _, _ := sites(t, "list", "--data", data); !strings.Contains(out, "disabled") || !strings.Contains(out, "disabled by an admin") {
		t.Errorf("list after disable:\n%s", out)
	}
	sites(t, "enable", "--data", data, demo.Host)
	out, _, _ = sites(t, "show", "--data", data, "--json", demo.StartURL+"any/page")
	var shown struct {
		Site struct {
			Starts   []string `json:"starts"`
			Schedule struct {
				State   string `json:"state"`
				Notices int    `json:"notices"`
			} `json:"schedule"`
		} `json:"site"`
		Runs []struct {
			State string `json:"state"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || shown.Site.Schedule.State != "active" || shown.Site.Schedule.Notices != 48 ||
		len(shown.Site.Starts) != 2 || len(shown.Runs) != 1 || shown.Runs[0].State != "succeeded" {
		t.Errorf("show --json: %v\n%s", err, out)
	}
	if _, stderr, code := sites(t, "remove", "--data", data, "nowhere.example"); code != 1 || !strings.Contains(stderr, "not registered") {
		t.Errorf("removing an unknown site: %d %q", code, stderr)
	}
	if out, _, code := sites(t, "remove", "--data", data, demo.StartURL); code != 0 || !strings.Contains(out, "removed "+demo.Host) {
		t.Errorf("remove: %d %q", code, out)
	}
	if _, stderr, _ := sites(t, "list", "--data", data); !strings.Contains(stderr, "no site is registered") {
		t.Errorf("list after remove: %q", stderr)
	}
}

// The sites subcommands keep the command-line contract: a wrong number of
// arguments is a usage error (exit 2) found before anything is opened;
// only `sites add` creates a data folder, the others on a missing one say
// there is no knowledge base there (exit 1) and create nothing.
func TestSitesCommandLineContract(t *testing.T) {
	data := filepath.Join(t.TempDir(), "kb")
	for _, args := range [][]string{
		{"list", "--data", data, "extra"},
		{"show", "--data", data},
		{"show", "--data", data, "a.example", "b.example"},
		{"remove", "--data", data},
		{"enable", "--data", data},
		{"disable", "--data", data},
		{"add", "--data", data},
		{"list", "--data", data, "--frobnicate"},
	} {
		_, _, err := runCmd(t, append([]string{"sites"}, args...)...)
		wantExit(t, "sites "+strings.Join(args, " "), err, 2, "")
	}
	for _, args := range [][]string{
		{"list", "--data", data},
		{"show", "--data", data, "a.example"},
		{"remove", "--data", data, "a.example"},
		{"enable", "a.example", "--data", data},
		{"disable", "--data", data, "a.example"},
		{"run", "--data", data},
		{"run", "--data", data, "--due"},
	} {
		_, _, err := runCmd(t, append([]string{"sites"}, args...)...)
		wantExit(t, "sites "+strings.Join(args, " "), err, 1, "no knowledge base at "+data)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a sites command other than add created the data folder: %v", err)
	}
	// Flags after the URL work as before it; add creates the folder.
	if _, stderr, err := runCmd(t, "sites", "add", demo.StartURL, "--every", "1h", "--data", data); err != nil {
		t.Fatalf("sites add: %v\n%s", err, stderr)
	}
	if out, _, err := runCmd(t, "sites", "list", "--data", data); err != nil || !strings.Contains(out, demo.Host) {
		t.Errorf("sites list after add: %v\n%s", err, out)
	}
}
