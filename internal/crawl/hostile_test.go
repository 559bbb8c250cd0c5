package crawl_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// gzipMember compresses n bytes of one letter into one gzip member.
// Members can be sent one after another: a gzip reader inflates them as
// one stream, so a few megabytes on the wire inflate to gigabytes.
func gzipMember(prefix string, n int) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write([]byte(prefix))
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for written := 0; written < n; written += len(chunk) {
		zw.Write(chunk)
	}
	zw.Close()
	return b.Bytes()
}

// allocated runs fn and returns the bytes it allocated: a crawl that
// inflated or kept what it was sent would allocate gigabytes.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Pages built to exhaust the crawler fail quickly with a reason and cost
// it a bounded amount of memory: a gzip page that inflates to 4 GiB, 100
// MB pages with and without a Content-Length, and a server that sends a
// byte now and then for ever.
func TestHostilePagesAreBounded(t *testing.T) {
	const inflated = 64 << 20
	member := gzipMember("<!DOCTYPE html><html><body><p>", inflated)
	var sentGzip, sentHuge atomic.Int64
	huge := func(declare bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if declare {
				w.Header().Set("Content-Length", fmt.Sprint(100<<20))
			}
			w.Write([]byte("<!DOCTYPE html><html><body><p>"))
			chunk := bytes.Repeat([]byte("word "), 64<<10/5)
			for sent := 0; sent < 100<<20; sent += len(chunk) {
				n, err := w.Write(chunk)
				sentHuge.Add(int64(n))
				if err != nil {
					return
				}
			}
		}
	}
	s := newSite(t, map[string]http.HandlerFunc{
		"/": html(listHTML("/bomb", "/huge", "/huge-declared", "/dribble", "/ok")),
		"/bomb": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			for range 64 { // 64 x 64 MiB = 4 GiB inflated
				n, err := w.Write(member)
				sentGzip.Add(int64(n))
				if err != nil {
					return
				}
			}
		},
		"/huge":          huge(false),
		"/huge-declared": huge(true),
		"/dribble": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for i := 0; i < 600; i++ {
				if _, err := w.Write([]byte("<")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		},
		"/ok": html(noticeHTML("A small notice", "2024-03-02", "")),
	})
	k := newKB(t)
	var ev events
	cfg := fastConfig(&ev)
	// Long enough to read a 16 MiB page on a loaded machine (under -race on
	// two busy cores one second was not), short beside the dribble's 60 s.
	cfg.Timeout = 5 * time.Second
	cfg.Retries = 1
	start := time.Now()
	var sumAdded int
	reasons := map[string]string{}
	alloc := allocated(func() {
		sum := k.crawl(t, cfg, s.URL+"/")
		sumAdded = sum.Added
		for _, f := range sum.Failures {
			reasons[strings.TrimPrefix(f.URL, s.URL)] = f.Reason
		}
	})
	took := time.Since(start)
	if sumAdded != 1 {
		t.Errorf("added %d notices, want the one small one", sumAdded)
	}
	for path, want := range map[string]string{"/bomb": "larger than", "/huge": "larger than", "/huge-declared": "larger than", "/dribble": "timed out"} {
		if !strings.Contains(reasons[path], want) {
			t.Errorf("%s failed with %q, want %q", path, reasons[path], want)
		}
	}
	if took > 30*time.Second {
		t.Errorf("the crawl took %s", took)
	}
	// 16 MiB pages read twice (the declared one is refused unread) plus
	// buffers; inflating the bomb or keeping a 100 MB page would be far more.
	if alloc > 400<<20 {
		t.Errorf("the crawl allocated %d MB", alloc>>20)
	}
	if sentHuge.Load() > 60<<20 {
		t.Errorf("the server got %d MB of the 100 MB pages out before the crawler hung up", sentHuge.Load()>>20)
	}
	t.Logf("crawl of hostile pages: %s, %d MB allocated; the bomb sent %d KB of gzip, the huge pages %d MB", took.Round(time.Millisecond), alloc>>20, sentGzip.Load()>>10, sentHuge.Load()>>20)
}

// Redirects without end (a chain of new URLs, a loop, a page that
// redirects to itself with a new query each time) end the crawl all the
// same, with a bounded number of requests.
func TestEndlessRedirectsEnd(t *testing.T) {
	var chain, loop, self atomic.Int64
	s := newSite(t, map[string]http.HandlerFunc{
		"/": html(listHTML("/chain/1", "/loop/a", "/self?n=1", "/ok")),
		"/loop/a": func(w http.ResponseWriter, r *http.Request) {
			loop.Add(1)
			http.Redirect(w, r, "/loop/b", http.StatusFound)
		},
		"/loop/b": func(w http.ResponseWriter, r *http.Request) {
			loop.Add(1)
			http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
		},
		"/ok": html(noticeHTML("A notice among traps", "2024-03-02", "")),
	})
	// The chain and self-redirects answer any number: newSite's routes
	// are exact, so they go through a catch-all wrapper.
	inner := s.Config.Handler
	s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/chain/%d", &n); err == nil {
			chain.Add(1)
			http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
			return
		}
		if r.URL.Path == "/self" {
			self.Add(1)
			fmt.Sscanf(r.URL.Query().Get("n"), "%d", &n)
			http.Redirect(w, r, fmt.Sprintf("/self?n=%d", n+1), http.StatusFound)
			return
		}
		inner.ServeHTTP(w, r)
	})
	k := newKB(t)
	var ev events
	start := time.Now()
	sum := k.crawl(t, fastConfig(&ev), s.URL+"/")
	if sum.Added != 1 {
		t.Errorf("added %d, want 1", sum.Added)
	}
	if loop.Load() > 2 {
		t.Errorf("the redirect loop was followed %d times", loop.Load())
	}
	for name, n := range map[string]int64{"chain": chain.Load(), "self": self.Load()} {
		if n > 100 {
			t.Errorf("the endless %s redirects were followed %d times", name, n)
		}
	}
	t.Logf("endless redirects: chain %d, loop %d, self %d requests; %s", chain.Load(), loop.Load(), self.Load(), time.Since(start).Round(time.Millisecond))
}
