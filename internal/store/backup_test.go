package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

// A snapshot taken while a writer adds notices is one committed state:
// it verifies, and its notices agree with its change counter.
func TestSnapshotWhileWriting(t *testing.T) {
	s := MustOpen(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 300 {
			put(t, s, sample(fmt.Sprintf("https://example.org/n/%d", i), fmt.Sprintf("Notice %d", i), fmt.Sprintf("Body of notice %d.", i)))
		}
	}()
	dir := t.TempDir()
	for i := range 5 {
		path := filepath.Join(dir, fmt.Sprintf("snap%d", i))
		var announced int64
		err := WriteFileAtomically(path, func(w io.Writer) error {
			_, err := s.WriteSnapshot(w, func(size int64) { announced = size })
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		st, err := Verify(path)
		if err != nil {
			t.Fatalf("snapshot %d: %v", i, err)
		}
		if st.Size != announced || uint64(st.Notices) != st.Seq {
			t.Errorf("snapshot %d: %+v, announced %d bytes; every notice is one change", i, st, announced)
		}
	}
	wg.Wait()
}

func TestSnapshotFileOfAHeldStoreIsBusy(t *testing.T) {
	s := MustOpen(t)
	put(t, s, sample("https://example.org/a", "A notice", "Its body."))
	if _, err := SnapshotFile(s.Path(), io.Discard); !errors.Is(err, notice.ErrBusy) {
		t.Fatalf("snapshot of a held store: %v, want ErrBusy", err)
	}
	path := s.Path()
	s.Close()
	var b bytes.Buffer
	if _, err := SnapshotFile(path, &b); err != nil || b.Len() == 0 {
		t.Fatalf("snapshot of a free store: %d bytes, %v", b.Len(), err)
	}
}

// A file cut short, or not a store at all, is refused with an error (a
// cut file once ended the process with a bus error).
func TestVerifyRefusesDamage(t *testing.T) {
	s := MustOpen(t)
	for i := range 50 {
		put(t, s, sample(fmt.Sprintf("https://example.org/%d", i), fmt.Sprintf("Title %d", i), "Body"))
	}
	var whole bytes.Buffer
	if _, err := s.WriteSnapshot(&whole, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"cut":   whole.Bytes()[:whole.Len()/2],
		"junk":  bytes.Repeat([]byte("junk"), 10_000),
		"empty": nil,
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, data, 0o600)
		if _, err := Verify(path); err == nil {
			t.Errorf("%s file verified", name)
		}
	}
}

func TestWriteFileAtomicallyLeavesNothingOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	os.WriteFile(path, []byte("old"), 0o600)
	err := WriteFileAtomically(path, func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("cut")
	})
	if err == nil {
		t.Fatal("no error")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("the old file became %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left, want only the old one", len(entries))
	}
}
