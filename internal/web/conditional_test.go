package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/notice"
)

// Searches and feeds carry validators tied to the index generation:
// a reader asking again with them gets 304 until the notices change.
func TestSearchAndFeedAnswerConditionalRequests(t *testing.T) {
	clock := newClock()
	var ix *index.Index
	_, base := serveOptsRoutes(t, func(o *Options) { ix = o.Searcher.(*index.Index) }, func(s *Server) {
		s.validators = newValidators(clock.now)
	})
	paths := []string{"/feed.atom?q=smart", "/api/v1/search?q=smart", "/?q=smart", "/?q=smart&partial=1", "/api/v1/notices/a/related"}
	first := map[string]http.Header{}
	for _, p := range paths {
		status, h, body := getWith(t, base+p, nil)
		etag := h.Get("ETag")
		if status != 200 || !strings.HasPrefix(etag, `W/"`) || !strings.Contains(h.Get("Cache-Control"), "no-cache") || body == "" {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q", p, status, etag, h.Get("Cache-Control"))
		}
		if h.Get("Last-Modified") != "" {
			t.Errorf("%s: Last-Modified %q within the second the index changed", p, h.Get("Last-Modified"))
		}
		status, h304, body := getWith(t, base+p, map[string]string{"If-None-Match": `"other", ` + etag})
		if status != http.StatusNotModified || body != "" || h304.Get("ETag") != etag || !strings.Contains(h304.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s with If-None-Match: %d, ETag %q, Vary %q, %d bytes", p, status, h304.Get("ETag"), h304.Get("Vary"), len(body))
		}
		first[p] = h
	}

	clock.advance(2 * time.Second)
	status, h, _ := getWith(t, base+paths[0], nil)
	lastMod := h.Get("Last-Modified")
	if status != 200 || lastMod != clock.t.Add(-2*time.Second).Format(http.TimeFormat) {
		t.Fatalf("a second later: %d, Last-Modified %q", status, lastMod)
	}
	if status, _, _ := getWith(t, base+paths[0], map[string]string{"If-Modified-Since": lastMod}); status != http.StatusNotModified {
		t.Errorf("If-Modified-Since the last change: %d, want 304", status)
	}
	if status, _, _ := getWith(t, base+paths[0], map[string]string{"If-Modified-Since": lastMod, "If-None-Match": `W/"stale"`}); status != 200 {
		t.Errorf("a stale ETag with a fresh date: %d, want 200 (If-None-Match wins)", status)
	}

	// A new notice is a new generation: the old validators no longer hold.
	n := notice.Notice{ID: "c", URL: "https://example.org/c", Title: "Smart city again", Body: "smart city", Date: date("2021-05-05")}
	if err := ix.Apply([]notice.Notice{n}, 0); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Second)
	for _, p := range paths {
		status, h, _ := getWith(t, base+p, map[string]string{"If-None-Match": first[p].Get("ETag")})
		if status != 200 || h.Get("ETag") == first[p].Get("ETag") {
			t.Errorf("%s after a change, with the old ETag: %d, ETag %q", p, status, h.Get("ETag"))
		}
	}
	clock.advance(time.Second)
	if status, _, _ := getWith(t, base+paths[0], map[string]string{"If-Modified-Since": lastMod}); status != 200 {
		t.Errorf("If-Modified-Since before a change: %d, want 200", status)
	}
	// Errors carry no validators.
	if status, h, _ := getWith(t, base+"/api/v1/search?from=2017-13", nil); status != 400 || h.Get("ETag") != "" {
		t.Errorf("a 400: ETag %q", h.Get("ETag"))
	}
}
