package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Searches, feeds and related-notice lists change only when the index
// does, so their validators are the index generation: a feed reader or
// a cache asking again with If-None-Match (or If-Modified-Since) gets a
// 304 without a search being run, until the notices change.

// Generationer reports a number that changes whenever what searches
// return may change (the index's generation).
type Generationer interface {
	Generation() uint64
}

// validators turns the index generation into an ETag and a
// Last-Modified time. The generation counts from zero in each process,
// and a new process may render differently (an upgrade, other
// settings), so the ETag also carries a random epoch of the process.
type validators struct {
	epoch string
	now   func() time.Time

	mu       sync.Mutex
	gen      uint64
	modified time.Time // when this process first saw gen
}

func newValidators(now func() time.Time) *validators {
	b := make([]byte, 4)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return &validators{epoch: hex.EncodeToString(b), now: now, modified: now()}
}

// current returns the validators of generation gen, and the time now.
func (v *validators) current(gen uint64) (etag string, modified, now time.Time) {
	now = v.now()
	v.mu.Lock()
	defer v.mu.Unlock()
	if gen != v.gen {
		v.gen, v.modified = gen, now
	}
	// Weak: compressed and plain bodies differ by the byte, not in meaning.
	return `W/"` + v.epoch + "-" + strconv.FormatUint(gen, 10) + `"`, v.modified, now
}

// lastModified is the Last-Modified value of modified, or "" while its
// second is not over: HTTP dates count whole seconds, and a change later
// in the same second would carry the same date.
func lastModified(modified, now time.Time) string {
	if now.Before(modified.Truncate(time.Second).Add(time.Second)) {
		return ""
	}
	return modified.UTC().Format(http.TimeFormat)
}

// conditional sets the validators of a search-backed response and
// answers 304 when the client already has it (RFC 9110 section 13).
func (s *Server) conditional(c *fiber.Ctx) error {
	g, ok := s.opts.Searcher.(Generationer)
	if !ok {
		return c.Next()
	}
	etag, modified, now := s.validators.current(g.Generation())
	c.Set(fiber.HeaderCacheControl, "public, no-cache") // keep it, but ask first
	c.Vary(fiber.HeaderAcceptEncoding)
	lastMod := lastModified(modified, now)
	if notModified(c, etag, lastMod) {
		setValidators(c, etag, lastMod)
		return c.SendStatus(http.StatusNotModified)
	}
	if err := c.Next(); err != nil {
		return err
	}
	if c.Response().StatusCode() == http.StatusOK {
		setValidators(c, etag, lastMod)
	}
	return nil
}

func setValidators(c *fiber.Ctx, etag, lastMod string) {
	c.Set(fiber.HeaderETag, etag)
	if lastMod != "" {
		c.Set(fiber.HeaderLastModified, lastMod)
	}
}

// notModified evaluates If-None-Match, or when there is none
// If-Modified-Since, as a GET or HEAD does.
func notModified(c *fiber.Ctx, etag, lastMod string) bool {
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		return etagListHas(inm, etag)
	}
	ims := c.Get(fiber.HeaderIfModifiedSince)
	if ims == "" || lastMod == "" {
		return false
	}
	since, err := http.ParseTime(ims)
	last, _ := http.ParseTime(lastMod)
	return err == nil && !last.After(since)
}

// etagListHas tells whether an If-None-Match list holds etag, compared
// weakly (W/ prefixes ignored), or is "*".
func etagListHas(list, etag string) bool {
	if strings.TrimSpace(list) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, e := range strings.Split(list, ",") {
		if strings.TrimPrefix(strings.TrimSpace(e), "W/") == want {
			return true
		}
	}
	return false
}
