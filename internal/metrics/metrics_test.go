package metrics

import (
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// line is one line of the text exposition format: a comment (HELP, TYPE)
// or a sample with optional labels and a float value.
var (
	helpLine   = regexp.MustCompile(`^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$`)
	typeLine   = regexp.MustCompile(`^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$`)
	sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? (\+Inf|-Inf|NaN|-?[0-9.e+-]+)$`)
)

// checkExposition fails on any line that is not valid exposition format.
func checkExposition(t *testing.T, text string) {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Error("exposition does not end with a newline")
	}
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if !helpLine.MatchString(l) && !typeLine.MatchString(l) && !sampleLine.MatchString(l) {
			t.Errorf("malformed line %q", l)
		}
	}
}

func TestExposition(t *testing.T) {
	r := NewRegistry()
	req := r.Counter("http_requests_total", "Requests by route and status.", "route", "status")
	req.With("/api/v1/search", "200").Add(3)
	req.With(`/weird"route\`+"\n", "500").Inc()
	lat := r.Histogram("http_request_duration_seconds", "Latency.", []float64{0.1, 0.01, 1}, "route")
	for _, v := range []float64{0.005, 0.01, 0.05, 0.5, 3} {
		lat.With("/").Observe(v)
	}
	r.GaugeFunc("index_documents", "Documents in the index.", func() float64 { return 42 })
	r.GaugesFunc("jobs", "Jobs by state.", []string{"state"}, func() []Sample {
		return []Sample{{Labels: []string{"running"}, Value: 1}, {Labels: []string{"too", "many"}, Value: 2}, {Labels: []string{"x"}, Value: math.NaN()}}
	})
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	checkExposition(t, text)
	for _, want := range []string{
		"# TYPE http_requests_total counter\n",
		`http_requests_total{route="/api/v1/search",status="200"} 3` + "\n",
		`http_requests_total{route="/weird\"route\\\n",status="500"} 1` + "\n",
		"# TYPE http_request_duration_seconds histogram\n",
		`http_request_duration_seconds_bucket{route="/",le="0.01"} 2` + "\n",
		`http_request_duration_seconds_bucket{route="/",le="0.1"} 3` + "\n",
		`http_request_duration_seconds_bucket{route="/",le="1"} 4` + "\n",
		`http_request_duration_seconds_bucket{route="/",le="+Inf"} 5` + "\n",
		`http_request_duration_seconds_sum{route="/"} 3.565` + "\n",
		`http_request_duration_seconds_count{route="/"} 5` + "\n",
		"index_documents 42\n",
		`jobs{state="running"} 1` + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "many") || strings.Contains(text, "NaN") {
		t.Errorf("a malformed sample was written:\n%s", text)
	}
}

func TestConcurrentUpdates(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c_total", "c", "k")
	h := r.Histogram("h_seconds", "h", DefaultBuckets)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				c.With([]string{"a", "b"}[i%2]).Inc()
				h.With().Observe(0.003)
			}
		}()
	}
	wg.Wait()
	var b strings.Builder
	r.WriteText(&b)
	for _, want := range []string{`c_total{k="a"} 4000`, `c_total{k="b"} 4000`, `h_seconds_bucket{le="0.005"} 8000`, "h_seconds_count 8000"} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("after concurrent updates, no %q in\n%s", want, b.String())
		}
	}
}

func TestRegistrationMistakesPanic(t *testing.T) {
	for name, fn := range map[string]func(r *Registry){
		"bad name":  func(r *Registry) { r.Counter("1abc", "x") },
		"twice":     func(r *Registry) { r.Counter("a", "x"); r.Counter("a", "y") },
		"le label":  func(r *Registry) { r.Histogram("h", "x", nil, "le") },
		"neg count": func(r *Registry) { r.Counter("n", "x").With().Add(-1) },
		"labels":    func(r *Registry) { r.Counter("l", "x", "a").With("1", "2") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			fn(NewRegistry())
		})
	}
}

// BenchmarkRequest is what the web server records per request: a
// labelled counter and a labelled histogram.
func BenchmarkRequest(b *testing.B) {
	r := NewRegistry()
	c := r.Counter("req_total", "r", "route", "method", "status")
	h := r.Histogram("req_seconds", "r", DefaultBuckets, "route")
	b.ReportAllocs()
	for b.Loop() {
		c.With("/api/v1/search", "GET", "200").Inc()
		h.With("/api/v1/search").Observe(0.004)
	}
}
