package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/kbtest"
	"github.com/noticekb/noticekb/internal/metrics"
	"github.com/noticekb/noticekb/internal/notice"
)

// failingSearcher fails every search the way a broken disk or a bug would.
type failingSearcher struct{ panics bool }

func (f failingSearcher) Search(context.Context, notice.Query) (*notice.Result, error) {
	if f.panics {
		panic("index: segment /srv/noticekb/data/index-x/000.zap: corrupt")
	}
	return nil, fmt.Errorf("index: open /srv/noticekb/data/index-x/store: %w", errors.New("input/output error"))
}

// An internal error, or a panic, reaches the log in full and the visitor
// as a plain sentence: no path, no Go error text, no stack. The server
// goes on serving.
func TestInternalErrorsNeverLeak(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("panic=%v", panics), func(t *testing.T) {
			var logs kbtest.SyncBuffer
			_, base := serveOpts(t, func(o *Options) {
				o.Searcher = failingSearcher{panics: panics}
				o.Log = slog.New(slog.NewTextHandler(&logs, nil))
			})
			for _, path := range []string{"/api/v1/search?q=x", "/?q=x", "/feed.atom", "/partners", "/map"} {
				status, _, body := getWith(t, base+path, nil)
				if status != http.StatusInternalServerError {
					t.Errorf("%s: status %d, want 500", path, status)
				}
				for _, secret := range []string{"/srv/", "zap", "input/output", "index:", "panic", "goroutine", ".go:"} {
					if strings.Contains(body, secret) {
						t.Errorf("%s: the response shows %q:\n%.300s", path, secret, body)
					}
				}
				if !strings.Contains(body, "Something went wrong") {
					t.Errorf("%s: no plain message in %.200q", path, body)
				}
			}
			if !strings.Contains(logs.String(), "/srv/noticekb/data/index-x") {
				t.Error("the log lacks the internal error")
			}
			if status, _, _ := getWith(t, base+"/api/v1/notices/a", nil); status != 200 {
				t.Errorf("after the failures a notice page answers %d", status)
			}
		})
	}
}

func TestMetricsEndpoint(t *testing.T) {
	reg := metrics.NewRegistry()
	reg.GaugeFunc("noticekb_index_documents", "Notices in the search index.", func() float64 { return 3 })
	_, base := serveOpts(t, func(o *Options) { o.Metrics = reg })
	getWith(t, base+"/api/v1/search?q=smart", nil)
	getWith(t, base+"/api/v1/search?q=city", nil)
	getWith(t, base+"/notices/a", nil)
	getWith(t, base+"/no/such/page", nil)
	getWith(t, base+"/api/v1/search?size=1000", nil)
	status, hdr, body := getWith(t, base+"/metrics", nil)
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("status %d, type %q", status, hdr.Get("Content-Type"))
	}
	sample := regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+$`)
	for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
		if !strings.HasPrefix(l, "# ") && !sample.MatchString(l) {
			t.Errorf("malformed line %q", l)
		}
	}
	for _, want := range []string{
		`noticekb_http_requests_total{method="GET",route="/api/v1/search",status="200"} 2`,
		`noticekb_http_requests_total{method="GET",route="/api/v1/search",status="400"} 1`,
		`noticekb_http_requests_total{method="GET",route="/notices/:id",status="200"} 1`,
		`noticekb_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`noticekb_http_request_duration_seconds_count{route="/api/v1/search"} 3`,
		`noticekb_http_request_duration_seconds_bucket{route="/api/v1/search",le="+Inf"} 3`,
		"noticekb_http_requests_in_flight 1",
		"noticekb_index_documents 3",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %q\n%s", want, body)
		}
	}
	if strings.Contains(body, "/no/such/page") || strings.Contains(body, "smart") {
		t.Error("metrics carry request paths or queries")
	}
}

// Every request is one debug log line, with the route and status.
func TestAccessLog(t *testing.T) {
	var logs kbtest.SyncBuffer
	_, base := serveOpts(t, func(o *Options) {
		o.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	getWith(t, base+"/notices/a", nil)
	var line map[string]any
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"msg":"request"`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if line["route"] != "/notices/:id" || line["status"] != float64(200) || line["path"] != "/notices/a" || line["client"] != "127.0.0.1" {
		t.Errorf("access log line %v", line)
	}
}

func TestHealthz(t *testing.T) {
	var mu sync.Mutex
	h := Health{Index: IndexHealth{Documents: 3, AppliedSeq: 7}, Store: StoreHealth{Notices: 3, Seq: 7}}
	_, base := serveOpts(t, func(o *Options) {
		o.Health = func() Health { mu.Lock(); defer mu.Unlock(); return h }
	})
	status, _, body := getWith(t, base+"/healthz", nil)
	var r struct {
		Status   string   `json:"status"`
		Notices  int      `json:"notices"`
		Problems []string `json:"problems"`
		Index    IndexHealth
		Store    StoreHealth
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if status != 200 || r.Status != "ok" || r.Notices != 3 || r.Index.AppliedSeq != 7 || r.Store.Seq != 7 {
		t.Errorf("healthy: %d %s", status, body)
	}
}

// The index falling behind the store for minutes, or a part that cannot
// be read, makes /healthz answer 503 with the reason.
func TestHealthzUnhealthy(t *testing.T) {
	now := time.Unix(1000, 0)
	h := Health{Index: IndexHealth{AppliedSeq: 7}, Store: StoreHealth{Seq: 7}}
	s, base := serveOpts(t, func(o *Options) { o.Health = func() Health { return h } })
	s.health = newHealthCache(func() Health { return h }, func() time.Time { return now })
	tests := []struct {
		name    string
		advance time.Duration
		set     func()
		want    string
	}{
		{"caught up", 0, func() {}, ""},
		{"briefly behind", 10 * time.Second, func() { h.Store.Seq = 9 }, ""},
		{"behind for minutes", 3 * time.Minute, func() {}, "behind the store"},
		{"caught up again", 10 * time.Second, func() { h.Index.AppliedSeq = 9 }, ""},
		{"store unreadable", 10 * time.Second, func() { h.Store.Error = "unreadable" }, "store: unreadable"},
	}
	for _, tt := range tests {
		now = now.Add(tt.advance)
		tt.set()
		status, _, body := getWith(t, base+"/healthz", nil)
		if tt.want == "" && status != 200 {
			t.Errorf("%s: %d %s", tt.name, status, body)
		}
		if tt.want != "" && (status != 503 || !strings.Contains(body, tt.want)) {
			t.Errorf("%s: %d %s, want 503 with %q", tt.name, status, body, tt.want)
		}
	}
}
