// Package kbtest is test set-up shared by the packages built on the store
// and index: a real store and index in a test's temporary folder, and a
// buffer a server writes its log to while the test reads it.
package kbtest

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
)

// Open opens a store and an index in a temporary folder, closed when the
// test ends. The given notices are stored and indexed.
func Open(t testing.TB, notices ...notice.Notice) (*store.Store, *index.Index) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if len(notices) == 0 {
		return st, ix
	}
	err = st.Write(func(w *store.Writer) error {
		for _, n := range notices {
			if _, _, err := w.PutNotice(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Rebuild(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	return st, ix
}

// SyncBuffer is a buffer a server goroutine or process writes its log to
// while the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
