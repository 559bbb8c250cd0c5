package web

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

// rawRequest writes head (a request line and headers, without the blank
// line) on a new connection and reads the answer.
func rawRequest(t *testing.T, base, head string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, head+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A feed reader or a script never gets an HTML page for an error: a feed
// URL answers problem+json (RFC 9457), an API path JSON, even when the
// request was refused before it could be read (a chunked body over the
// limit, headers too large).
func TestErrorsAreNeverHTMLForMachines(t *testing.T) {
	_, base := serveOpts(t, nil)
	for _, q := range []string{"partner=NOPE", "from=2017-13", "size=1000"} {
		resp, body := get(t, base+"/feed.atom?"+q)
		var p struct {
			Type, Title, Detail string
			Status              int
		}
		err := json.Unmarshal([]byte(body), &p)
		if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/problem+json" || err != nil ||
			p.Status != 400 || p.Title != "Bad Request" || p.Type != "about:blank" || p.Detail == "" {
			t.Errorf("feed.atom?%s: %d %s %s", q, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}

	big := 2 << 20
	for name, head := range map[string]string{
		"chunked body over the limit":  fmt.Sprintf("POST /api/v1/admin/reimport HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n%x", big),
		"declared body over the limit": fmt.Sprintf("POST /api/v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: %d", big),
		"headers over the limit":       "GET /api/v1/search HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("y", 80<<10),
	} {
		resp, body := rawRequest(t, base, head)
		var e map[string]string
		if resp.StatusCode < 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &e) != nil || e["error"] == "" {
			t.Errorf("%s: %d %s %.80s", name, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	// The site's own pages still answer with a page.
	if resp, body := get(t, base+"/notices/nope"); resp.StatusCode != 404 || !strings.Contains(body, "<html") {
		t.Errorf("a missing notice page: %d %.80s", resp.StatusCode, body)
	}
}

// A visitor reads a domain error's own wording, without the packages'
// context around it; the sentinel is found with errors.Is, so words that
// merely look like another error's ("not found" in a detail) change nothing.
func TestPublicMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{notice.ErrNotFound, "not found"},
		{fmt.Errorf("store: notice %s: %w", "ab12", notice.ErrNotFound), "not found"},
		{fmt.Errorf("index: %w", fmt.Errorf("%w: size must be between 1 and 100", notice.ErrInvalidQuery)), "invalid query: size must be between 1 and 100"},
		{fmt.Errorf("%w: no notice has the partner %q", notice.ErrInvalidQuery, "not found"), `invalid query: no notice has the partner "not found"`},
		{fmt.Errorf("jobs: job 7 has already ended (succeeded): %w", notice.ErrBusy), "busy"},
		{errors.New("a parse error in invalid query syntax"), "Bad Request"},
	}
	for _, tt := range tests {
		if got := publicMessage(tt.err, statusOrBadRequest(tt.err)); got != tt.want {
			t.Errorf("publicMessage(%q) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if got := publicMessage(fmt.Errorf("store: /data/store.db: %w", errors.New("disk full")), http.StatusInternalServerError); got == "" || got == "disk full" {
		t.Errorf("a server fault shows %q", got)
	}
}

func statusOrBadRequest(err error) int {
	if s := statusOf(err); s < 500 {
		return s
	}
	return http.StatusBadRequest
}
