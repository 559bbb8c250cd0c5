package web

import (
	"net/http"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Health is the state of the store and the index, as /healthz reports it.
type Health struct {
	Index IndexHealth `json:"index"`
	Store StoreHealth `json:"store"`
}

// IndexHealth describes the search index.
type IndexHealth struct {
	Documents uint64 `json:"documents"`
	// AppliedSeq is the last store change the index holds.
	AppliedSeq uint64 `json:"applied_seq"`
	SizeBytes  int64  `json:"size_bytes"`
	Error      string `json:"error,omitempty"`
}

// StoreHealth describes the store.
type StoreHealth struct {
	// Notices counts stored notices, withdrawn ones included.
	Notices int `json:"notices"`
	Pages   int `json:"pages"`
	// Seq is the store's last change.
	Seq       uint64 `json:"seq"`
	SizeBytes int64  `json:"size_bytes"`
	Error     string `json:"error,omitempty"`
}

// maxIndexLag is how long the index may stay behind the store before the
// server reports itself unhealthy: a commit is applied to the index within
// seconds, so minutes behind means the index stopped following.
const maxIndexLag = 2 * time.Minute

// healthCache keeps a report for a few seconds (counting the store's
// records reads its whole tree of keys) and remembers when the index last
// held every store change.
type healthCache struct {
	mu       sync.Mutex
	read     func() Health
	at       time.Time
	last     Health
	caughtUp time.Time
	now      func() time.Time
}

func newHealthCache(read func() Health, now func() time.Time) *healthCache {
	return &healthCache{read: read, now: now, caughtUp: now()}
}

func (h *healthCache) get() (Health, time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	if now.Sub(h.at) >= 5*time.Second {
		h.last, h.at = h.read(), now
		if h.last.Index.AppliedSeq >= h.last.Store.Seq {
			h.caughtUp = now
		}
	}
	lag := time.Duration(0)
	if h.last.Index.AppliedSeq < h.last.Store.Seq {
		lag = now.Sub(h.caughtUp)
	}
	return h.last, lag
}

// healthReport is /healthz's body. "notices" (indexed notices) is the
// original field, kept for existing checks.
type healthReport struct {
	Status   string   `json:"status"`
	Notices  uint64   `json:"notices"`
	Problems []string `json:"problems,omitempty"`
	Health
	IndexLagSeconds float64 `json:"index_lag_seconds"`
}

func (s *Server) handleHealth(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.health == nil {
		var n uint64
		if s.opts.Counts != nil {
			n = s.opts.Counts()
		}
		return c.JSON(healthReport{Status: "ok", Notices: n})
	}
	h, lag := s.health.get()
	r := healthReport{Status: "ok", Notices: h.Index.Documents, Health: h, IndexLagSeconds: lag.Seconds()}
	if h.Store.Error != "" {
		r.Problems = append(r.Problems, "store: "+h.Store.Error)
	}
	if h.Index.Error != "" {
		r.Problems = append(r.Problems, "index: "+h.Index.Error)
	}
	if lag > maxIndexLag {
		r.Problems = append(r.Problems, "index: behind the store for "+lag.Round(time.Second).String())
	}
	status := http.StatusOK
	if len(r.Problems) > 0 {
		r.Status, status = "unhealthy", http.StatusServiceUnavailable
	}
	return c.Status(status).JSON(r)
}
