package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A backup taken while serve runs (serve holds the store, so the backup
// goes through its control socket), restored into a new data folder,
// answers searches exactly as the server did.
func TestBackupWhileServingRestoresTheSameAnswers(t *testing.T) {
	data := t.TempDir()
	base := startServe(t, data) // imports the demo
	queries := []string{"q=", "q=smart+city", "partner=KLID", "q=digital&topic=E-government", "from=2020&sort=oldest"}
	served := map[string]apiResult{}
	for _, q := range queries {
		var r apiResult
		getJSON(t, base+"api/v1/search?size=100&"+q, &r)
		served[q] = r
	}
	if served["q="].Total < 40 {
		t.Fatalf("the server holds %d notices", served["q="].Total)
	}

	file := filepath.Join(t.TempDir(), "kb.backup")
	_, stderr, err := runCmd(t, "backup", "--data", data, file)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "from the running server") || !strings.Contains(stderr, "verified") {
		t.Errorf("backup said: %s", stderr)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v %v (want owner-only)", info, err)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	_, stderr, err = runCmd(t, "restore", file, "--data", restored)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "notices indexed") {
		t.Errorf("restore said: %s", stderr)
	}
	for _, q := range queries {
		args := []string{"search", "--data", restored, "--json", "--size", "100"}
		for _, kv := range strings.Split(q, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if k == "q" {
				continue
			}
			args = append(args, "--"+k, v)
		}
		_, text, _ := strings.Cut(q, "q=")
		text, _, _ = strings.Cut(text, "&")
		if strings.HasPrefix(q, "q=") {
			args = append(args, strings.ReplaceAll(text, "+", " "))
		}
		out, stderr, err := runCmd(t, args...)
		if err != nil {
			t.Fatalf("search %v: %v\n%s", args, err, stderr)
		}
		var r apiResult
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		want := served[q]
		if r.Total != want.Total || !slices.Equal(hitIDs(r), hitIDs(want)) {
			t.Errorf("%s: restored answers %d %v, the server answered %d %v", q, r.Total, hitIDs(r), want.Total, hitIDs(want))
		}
	}
}

func hitIDs(r apiResult) []string {
	var ids []string
	for _, h := range r.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// Without a server the backup reads the store itself; a restore never
// overwrites a store, and a file that is not a whole store is refused.
func TestBackupAndRestoreRefusals(t *testing.T) {
	data := t.TempDir()
	if _, stderr, err := runCmd(t, "import", "--data", data, "../../internal/extract/testdata/unpog-board.html"); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	file := filepath.Join(t.TempDir(), "kb.backup")
	_, stderr, err := runCmd(t, "backup", file, "--data", data)
	if err != nil || !strings.Contains(stderr, "from the data folder") {
		t.Fatalf("backup without a server: %v\n%s", err, stderr)
	}
	if _, _, err := runCmd(t, "restore", file, "--data", data); err == nil || !strings.Contains(err.Error(), "already holds a store") {
		t.Errorf("restore over a store: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk")
	os.WriteFile(junk, []byte(strings.Repeat("not a store ", 1000)), 0o600)
	if _, _, err := runCmd(t, "restore", junk, "--data", filepath.Join(t.TempDir(), "x")); err == nil {
		t.Error("a junk file was restored")
	}
	cut := filepath.Join(t.TempDir(), "cut")
	whole, _ := os.ReadFile(file)
	os.WriteFile(cut, whole[:len(whole)/2], 0o600)
	if _, _, err := runCmd(t, "restore", cut, "--data", filepath.Join(t.TempDir(), "y")); err == nil {
		t.Error("half a backup was restored")
	}
	if _, _, err := runCmd(t, "backup", "--data", filepath.Join(t.TempDir(), "none"), file); err == nil {
		t.Error("a backup of a folder without a store succeeded")
	}
}
