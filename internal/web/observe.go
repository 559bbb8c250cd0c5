package web

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/metrics"
)

// httpMetrics are the server's own request metrics.
type httpMetrics struct {
	requests *metrics.CounterVec
	latency  *metrics.HistogramVec
	inFlight atomic.Int64
}

func (s *Server) registerMetrics(r *metrics.Registry) {
	s.metrics = &httpMetrics{
		requests: r.Counter("noticekb_http_requests_total", "HTTP requests answered, by route pattern, method and status.", "route", "method", "status"),
		latency:  r.Histogram("noticekb_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern.", metrics.DefaultBuckets, "route"),
	}
	r.GaugeFunc("noticekb_http_requests_in_flight", "HTTP requests being answered now.", func() float64 {
		return float64(s.metrics.inFlight.Load())
	})
	r.GaugeFunc("noticekb_http_requests_queued", "Requests waiting for their turn to be answered.", func() float64 {
		return float64(s.admission.queued.Load())
	})
	r.CountersFunc("noticekb_http_requests_shed_total", "Requests answered 503 after waiting their turn too long.", nil, func() []metrics.Sample {
		return []metrics.Sample{{Value: float64(s.admission.shed.Load())}}
	})
	if s.limiter != nil {
		r.GaugeFunc("noticekb_ratelimit_clients", "Clients the rate limiter tracks.", func() float64 { return float64(s.limiter.size()) })
	}
}

// observe wraps every request: a panic becomes a 500 (one bad request
// must not end the process), errors are turned into responses here so the
// status is known, and each request is counted, timed and logged.
func (s *Server) observe(c *fiber.Ctx) (err error) {
	start := time.Now()
	s.metrics.inFlight.Add(1)
	defer s.metrics.inFlight.Add(-1)
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("handler panicked", "method", c.Method(), "path", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("web: panic: %v", r)
		}
		if err != nil {
			err = s.handleError(c, err)
		}
		s.record(c, time.Since(start))
	}()
	return c.Next()
}

// record counts and logs a finished request. Routes are the patterns
// ("/notices/:id"), never the paths, so the number of series stays bounded
// whatever visitors ask for.
func (s *Server) record(c *fiber.Ctx, took time.Duration) {
	status := c.Response().StatusCode()
	route := routeOf(c)
	s.metrics.requests.With(route, c.Method(), strconv.Itoa(status)).Inc()
	s.metrics.latency.With(route).Observe(took.Seconds())
	if s.log.Enabled(c.UserContext(), slog.LevelDebug) {
		s.log.Debug("request", "method", c.Method(), "path", c.Path(), "route", route, "status", status,
			"ms", float64(took.Microseconds())/1000, "bytes", len(c.Response().Body()), "client", s.clientIP(c).String())
	}
}

// routeOf names the route that answered; requests that matched no route
// (404s, 405s) share one name.
func routeOf(c *fiber.Ctx) string {
	r := c.Route()
	// With no route matched, the route is the last middleware's, whose
	// pattern "/" matches every path.
	if r == nil || (r.Path == "/" && c.Path() != "/") {
		return "unmatched"
	}
	return r.Path
}

// handleMetrics serves the metrics in the Prometheus text format. They
// hold counts and sizes only: no paths, queries, addresses or secrets.
func (s *Server) handleMetrics(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, metrics.ContentType)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.opts.Metrics.WriteText(c)
}
