package web

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// admission bounds how many requests are answered at once. A search on a
// large index costs tens of milliseconds of CPU and some megabytes; with
// every connection's request running at once, an overload would make all
// of them slow and memory grow with the number of clients. Past the
// bound, requests wait their turn for a while, then get a quick 503 with
// Retry-After instead of a slow answer nobody waits for.
type admission struct {
	slots   chan struct{}
	wait    time.Duration
	timeout time.Duration
	queued  atomic.Int64
	shed    atomic.Int64
}

func newAdmission(inFlight int, wait, timeout time.Duration) *admission {
	return &admission{slots: make(chan struct{}, inFlight), wait: wait, timeout: timeout}
}

// admit takes a slot for the request, waiting up to the queue wait, and
// gives the handler a context that ends at the request timeout, so a
// search whose client has long gone stops using the CPU.
func (s *Server) admit(c *fiber.Ctx) error {
	a := s.admission
	if a == nil || unlimited(c.Path()) || strings.HasPrefix(c.Path(), "/api/v1/admin") {
		return c.Next()
	}
	select {
	case a.slots <- struct{}{}:
	default:
		a.queued.Add(1)
		t := time.NewTimer(a.wait)
		select {
		case a.slots <- struct{}{}:
			t.Stop()
			a.queued.Add(-1)
		case <-t.C:
			a.queued.Add(-1)
			a.shed.Add(1)
			c.Set(fiber.HeaderRetryAfter, "2")
			return fiber.NewError(fiber.StatusServiceUnavailable, "The server is busy: please try again in a few seconds.")
		}
	}
	defer func() { <-a.slots }()
	ctx, cancel := context.WithTimeout(c.UserContext(), a.timeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}
