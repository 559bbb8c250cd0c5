package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/noticekb/noticekb/internal/testbed"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryDir  string
)

// buildBinary builds the real noticekb binary once per test run, for tests
// that run it as its own process (browser tests, SIGKILL tests).
func buildBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "noticekb-bin-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "noticekb")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		if out, err := exec.Command(goTool, "build", "-o", binaryPath, ".").CombinedOutput(); err != nil {
			binaryErr = err
			t.Logf("go build: %s", out)
		}
	})
	if binaryErr != nil {
		t.Fatalf("go build: %v", binaryErr)
	}
	return binaryPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// generatedSite writes a generated notice site of the given size and seed
// into a temporary folder; the test is skipped without the test bed.
func generatedSite(t *testing.T, notices, seed int) (testbed.Bed, string) {
	t.Helper()
	bed, err := testbed.Find()
	if err != nil {
		t.Skip(err)
	}
	site := filepath.Join(t.TempDir(), "site")
	if err := bed.Generate(t.Context(), site, notices, seed); err != nil {
		t.Fatal(err)
	}
	return bed, site
}
