package control

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeStore sends data, or announces it and stops half-way (a server
// killed mid-backup).
type fakeStore struct {
	data []byte
	cut  bool
}

func (f fakeStore) WriteSnapshot(w io.Writer, begin func(int64)) (int64, error) {
	begin(int64(len(f.data)))
	if f.cut {
		n, _ := w.Write(f.data[:len(f.data)/2])
		return int64(n), errors.New("disk gone")
	}
	n, err := w.Write(f.data)
	return int64(n), err
}

// socketPath is short: t.TempDir paths can exceed a socket address.
func socketPath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "nkbctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, SocketName)
}

func TestBackupOverTheSocket(t *testing.T) {
	path := socketPath(t)
	os.WriteFile(path, []byte("stale"), 0o644) // left by a killed process
	data := bytes.Repeat([]byte("notice "), 100_000)
	s, err := Listen(path, fakeStore{data: data}, Status{URL: "http://127.0.0.1:8080/"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 || info.Mode().Type() != os.ModeSocket {
		t.Fatalf("socket %v: %v", info.Mode(), err)
	}
	var got bytes.Buffer
	n, err := Backup(t.Context(), path, &got)
	if err != nil || n != int64(len(data)) || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("backup: %d bytes, %v", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left after close: %v", err)
	}
	if _, err := Backup(t.Context(), path, io.Discard); !errors.Is(err, ErrNoServer) {
		t.Errorf("backup with no server: %v, want ErrNoServer", err)
	}
}

func TestBackupCutShortIsAnError(t *testing.T) {
	path := socketPath(t)
	s, err := Listen(path, fakeStore{data: bytes.Repeat([]byte("x"), 1<<20), cut: true}, Status{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Backup(t.Context(), path, io.Discard); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("a half-sent backup: %v, want an error", err)
	}
}

func TestSocketPathTooLong(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 120), SocketName)
	if _, err := Listen(long, fakeStore{}, Status{}, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a socket path over the limit was accepted")
	}
}

// Serving says where the server serves; with no server, or only the
// socket file a killed one left, it says so at once.
func TestServing(t *testing.T) {
	path := socketPath(t)
	if _, err := Serving(t.Context(), path); !errors.Is(err, ErrNoServer) {
		t.Errorf("no socket: %v, want ErrNoServer", err)
	}
	os.WriteFile(path, []byte("stale"), 0o644)
	start := time.Now()
	if _, err := Serving(t.Context(), path); !errors.Is(err, ErrNoServer) || time.Since(start) > time.Second {
		t.Errorf("stale socket file: %v after %s, want ErrNoServer at once", err, time.Since(start))
	}
	s, err := Listen(path, fakeStore{}, Status{URL: "http://127.0.0.1:8080/"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := Serving(t.Context(), path)
	if err != nil || st.URL != "http://127.0.0.1:8080/" {
		t.Errorf("serving: %+v, %v", st, err)
	}
}
