// Package control is a serving process's operator socket: a Unix domain
// socket in the data folder over which another noticekb process asks for
// what only the owner of the store can give: a consistent snapshot of it
// (the `backup` command), a change to its registry of sites (the `sites`
// commands), or where it serves (every other command, which then says at
// once that the folder is busy and what to use instead).
//
// Why a socket and not an admin HTTP route: the store's owner holds the
// bbolt file lock, so a second process cannot read the store; something
// must be asked. The socket is found through the data folder (no address
// to know), is reachable only on this machine, and is guarded by file
// permissions (owner only), which is the same authority that can read the
// store file anyway. An HTTP route would need the admin token (off by
// default) and would let anyone holding that token carry the whole store,
// raw pages included, off over the network.
package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

// SocketName is the socket's file name in the data folder.
const SocketName = "control.sock"

// maxSocketPath is the longest path a Unix socket address holds (108
// bytes on Linux, 104 on BSDs and macOS, with the terminating zero).
const maxSocketPath = 103

// ErrNoServer is returned when no serving process answers on the socket.
var ErrNoServer = errors.New("control: no serving process answers on the data folder's control socket")

// Status is what a serving process says about itself.
type Status struct {
	// URL is where it serves the site and the API.
	URL string `json:"url"`
}

// Snapshotter writes a consistent copy of the store (store.Store).
type Snapshotter interface {
	WriteSnapshot(w io.Writer, begin func(size int64)) (int64, error)
}

// Server answers on the socket until closed.
type Server struct {
	http *http.Server
	mux  *http.ServeMux
	ln   net.Listener
	path string
	log  *slog.Logger
}

// Listen serves the socket at path. The caller must own the data folder
// (hold the store), so a socket file left by a process that was killed is
// stale and removed.
func Listen(path string, store Snapshotter, status Status, log *slog.Logger) (*Server, error) {
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("control: socket path %s is longer than %d bytes", path, maxSocketPath)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("control: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(status)
	})
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		n, err := store.WriteSnapshot(w, func(size int64) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		})
		if err != nil {
			// Headers are gone; the short body tells the client.
			log.Error("backup over the control socket failed", "bytes", n, "err", err)
			return
		}
		log.Info("backup sent over the control socket", "bytes", n, "took", time.Since(start).Round(time.Millisecond))
	})
	s := &Server{ln: ln, path: path, mux: mux, log: log, http: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go s.http.Serve(ln)
	return s, nil
}

// Close stops the server; the socket file goes with the listener.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.http.Shutdown(ctx)
}

// Serving asks the process serving the socket at path where it serves;
// the error wraps ErrNoServer when none answers (no socket, or one left by
// a process that was killed), which takes no time.
func Serving(ctx context.Context, path string) (Status, error) {
	var st Status
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	resp, err := get(ctx, path, "/status")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("control: status: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("control: status: %w", err)
	}
	return st, nil
}

// client talks to the process serving the socket at path.
func client(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
}

// noServer tells a failed dial (nobody serves the socket) from other errors.
func noServer(err error) error {
	var ne *net.OpError
	if errors.As(err, &ne) || errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w (%v)", ErrNoServer, err)
	}
	return fmt.Errorf("control: %w", err)
}

// get asks the process serving the socket at path for a route.
func get(ctx context.Context, path, route string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://noticekb"+route, nil)
	if err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	resp, err := client(path).Do(req)
	if err != nil {
		return nil, noServer(err)
	}
	return resp, nil
}

// Backup asks the process serving the socket at path for a snapshot of
// its store and writes it to w. A stream that ends before its announced
// length is an error, so a server killed half-way never passes for a
// whole backup.
func Backup(ctx context.Context, path string, w io.Writer) (int64, error) {
	resp, err := get(ctx, path, "/backup")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("control: backup: %s", resp.Status)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("control: backup cut short after %d bytes: %w", n, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, fmt.Errorf("control: backup cut short: %d of %d bytes", n, resp.ContentLength)
	}
	return n, nil
}
