package kb

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/noticekb/noticekb/internal/config"
)

// Which opening creates a data folder, and which leaves it fresh for the
// demo: OpenExisting creates nothing; Open creates and records the folder
// as used at once; OpenToServe creates and leaves it fresh.
func TestOpenModes(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "typo")
	if _, err := OpenExisting(t.Context(), cfg, nil); !errors.Is(err, ErrNoKnowledgeBase) {
		t.Errorf("OpenExisting of a missing folder: %v, want ErrNoKnowledgeBase", err)
	}
	if _, err := os.Stat(cfg.DataDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenExisting created the folder: %v", err)
	}

	for _, tt := range []struct {
		name  string
		open  func() (*KB, error)
		fresh bool
	}{
		{"serve", func() (*KB, error) { return OpenToServe(t.Context(), cfg, nil) }, true},
		{"import", func() (*KB, error) { return Open(t.Context(), cfg, nil) }, false},
		// Used once, used for good: serve after a killed import adds no demo.
		{"serve after an import", func() (*KB, error) { return OpenToServe(t.Context(), cfg, nil) }, false},
		{"search", func() (*KB, error) { return OpenExisting(t.Context(), cfg, nil) }, false},
	} {
		k, err := tt.open()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if k.Fresh() != tt.fresh {
			t.Errorf("%s: fresh %v, want %v", tt.name, k.Fresh(), tt.fresh)
		}
		k.Close()
	}
}
