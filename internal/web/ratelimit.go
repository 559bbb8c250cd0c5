package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"
)

// limiter is a token bucket per client (golang.org/x/time/rate): each
// client may make burst requests at once and rate per second after that.
// Memory is bounded: at most maxClients buckets are kept; full buckets
// (clients that have been quiet) are forgotten first, since a new bucket
// starts full anyway.
type limiter struct {
	rate       rate.Limit
	burst      int
	maxClients int
	now        func() time.Time

	mu      sync.Mutex
	clients map[string]*rate.Limiter
	swept   time.Time
}

// newLimiter allows perMinute requests a minute per client, with a burst
// of a tenth of that (at least 10): enough for a page with live search as
// the visitor types, far from what a scraper or a flood wants.
func newLimiter(perMinute int, now func() time.Time) *limiter {
	return &limiter{rate: rate.Limit(float64(perMinute) / 60), burst: max(10, perMinute/10), maxClients: 100_000, now: now,
		clients: map[string]*rate.Limiter{}}
}

// allow takes a token from key's bucket. When there is none it says how
// long until there will be one.
func (l *limiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute || len(l.clients) >= l.maxClients {
		l.sweep(now)
	}
	b, ok := l.clients[key]
	if !ok {
		b = rate.NewLimiter(l.rate, l.burst)
		l.clients[key] = b
	}
	if b.AllowN(now, 1) {
		return true, 0
	}
	wait := time.Duration((1 - b.TokensAt(now)) / float64(l.rate) * float64(time.Second))
	return false, wait
}

// sweep forgets full buckets; if there are still too many clients (a
// flood from many addresses), it forgets arbitrary ones, which only
// gives them a fresh bucket: the bound on memory wins over exactness.
func (l *limiter) sweep(now time.Time) {
	l.swept = now
	for k, b := range l.clients {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.clients, k)
		}
	}
	for k := range l.clients {
		if len(l.clients) < l.maxClients*9/10 {
			break
		}
		delete(l.clients, k)
	}
}

// size is the number of clients tracked.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// rateLimit answers 429 with Retry-After to a client over its budget.
// Static files, health checks and metrics are not counted: a page's
// assets must not use up its searches, and monitoring must not be
// throttled.
func (s *Server) rateLimit(c *fiber.Ctx) error {
	if s.limiter == nil || unlimited(c.Path()) {
		return c.Next()
	}
	ok, wait := s.limiter.allow(s.client(c))
	if ok {
		return c.Next()
	}
	secs := int(math.Ceil(wait.Seconds()))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(secs, 1)))
	return fiber.NewError(fiber.StatusTooManyRequests, fmt.Sprintf("Too many requests: try again in %d s.", max(secs, 1)))
}

func unlimited(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/favicon.ico" || path == "/healthz" || path == "/metrics"
}
