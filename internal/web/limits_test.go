package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/kbtest"
	"github.com/noticekb/noticekb/internal/notice"
)

// serveOpts serves the test notices with options changed by set, on a
// loopback server, and returns its base URL.
func serveOpts(t *testing.T, set func(*Options)) (*Server, string) {
	t.Helper()
	return serveOptsRoutes(t, set, nil)
}

// serveOptsRoutes is serveOpts with extra routes added before serving
// (Fiber builds its routing tree when it starts listening).
func serveOptsRoutes(t *testing.T, set func(*Options), extra func(*Server)) (*Server, string) {
	t.Helper()
	st, ix := kbtest.Open(t, notices...)
	opts := Options{Searcher: ix, Notices: st, Counts: ix.Count}
	if set != nil {
		set(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		extra(s)
	}
	return s, serveLoopback(t, s)
}

// getWith sends a GET with extra headers and returns status, headers, body.
func getWith(t *testing.T, url string, headers map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestLimiterBucket(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(60, func() time.Time { return now }) // 1/s, burst 10
	for i := range 10 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow("a")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("11th request: allowed %v, wait %v; want refused with a wait up to 1s", ok, wait)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Error("another client was refused")
	}
	now = now.Add(1500 * time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Error("a token did not come back after 1.5 s")
	}
	if ok, _ := l.allow("a"); ok {
		t.Error("two tokens came back after 1.5 s at 1/s")
	}
}

// A flood from many addresses cannot grow the limiter without bound.
func TestLimiterMemoryIsBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(60, func() time.Time { return now })
	l.maxClients = 1000
	for i := range 50_000 {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255))
	}
	if n := l.size(); n > 1000 {
		t.Errorf("%d clients tracked, bound is 1000", n)
	}
	// Quiet clients are forgotten at the next sweep.
	now = now.Add(time.Hour)
	l.allow("x")
	if n := l.size(); n != 1 {
		t.Errorf("%d clients tracked after an hour of quiet, want 1", n)
	}
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	_, base := serveOpts(t, func(o *Options) { o.RateLimit = 60 })
	var last int
	var hdr http.Header
	var body string
	for i := 0; i < 11; i++ {
		last, hdr, body = getWith(t, base+"/api/v1/search?q=smart", nil)
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("11th request in a burst of 10: status %d", last)
	}
	secs, err := strconv.Atoi(hdr.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 2 {
		t.Errorf("Retry-After %q, want 1 or 2 seconds", hdr.Get("Retry-After"))
	}
	var e struct{ Error string }
	if json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "Too many requests") {
		t.Errorf("API 429 body %q", body)
	}
	// The page says the same in HTML; static files and health checks are
	// not counted.
	status, _, page := getWith(t, base+"/?q=smart", nil)
	if status != http.StatusTooManyRequests || !strings.Contains(page, "<html") {
		t.Errorf("page: %d %.80q", status, page)
	}
	for _, path := range []string{"/healthz", "/metrics", "/favicon.ico"} {
		if status, _, _ := getWith(t, base+path, nil); status == http.StatusTooManyRequests {
			t.Errorf("%s is rate limited", path)
		}
	}
}

// Without a trusted proxy, X-Forwarded-For is ignored: a client cannot
// take a fresh bucket by writing another address in it. Behind a trusted
// proxy the client is the nearest untrusted address, so a forged entry
// on the left changes nothing either.
func TestForwardedForCannotDodgeTheLimit(t *testing.T) {
	tests := []struct {
		name    string
		trusted []netip.Prefix
		xff     func(i int) string
		want429 bool
	}{
		{"untrusted peer, forged header", nil, func(i int) string { return fmt.Sprintf("203.0.113.%d", i) }, true},
		{"trusted proxy, distinct clients", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, func(i int) string { return fmt.Sprintf("203.0.113.%d", i) }, false},
		{"trusted proxy, forged leftmost", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, func(i int) string { return fmt.Sprintf("198.51.100.%d, 203.0.113.7", i) }, true},
		{"trusted proxy chain", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}, func(i int) string { return fmt.Sprintf("198.51.100.%d, 203.0.113.7, 10.1.1.1", i) }, true},
		{"trusted proxy, garbage hop", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, func(i int) string { return fmt.Sprintf("203.0.113.%d, not-an-ip", i) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := serveOpts(t, func(o *Options) { o.RateLimit = 60; o.TrustedProxies = tt.trusted })
			limited := false
			for i := range 15 {
				status, _, _ := getWith(t, base+"/api/v1/search", map[string]string{"X-Forwarded-For": tt.xff(i)})
				limited = limited || status == http.StatusTooManyRequests
			}
			if limited != tt.want429 {
				t.Errorf("15 requests: limited %v, want %v", limited, tt.want429)
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	_, base := serveOptsRoutes(t, func(o *Options) { o.TrustedProxies = trusted }, func(s *Server) {
		s.app.Get("/test/ip", func(c *fiber.Ctx) error { return c.SendString(s.clientIP(c).String()) })
	})
	tests := []struct{ xff, want string }{
		{"", "127.0.0.1"},
		{"203.0.113.9", "203.0.113.9"},
		{"198.51.100.1, 203.0.113.9", "203.0.113.9"},
		{"203.0.113.9, 10.0.0.2", "203.0.113.9"},
		{"203.0.113.9:4711", "203.0.113.9"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"10.0.0.3, 10.0.0.2", "10.0.0.3"},
		{"bogus, 10.0.0.2", "10.0.0.2"},
		{"::ffff:203.0.113.9", "203.0.113.9"},
	}
	for _, tt := range tests {
		h := map[string]string{}
		if tt.xff != "" {
			h["X-Forwarded-For"] = tt.xff
		}
		if _, _, got := getWith(t, base+"/test/ip", h); got != tt.want {
			t.Errorf("X-Forwarded-For %q: client %q, want %q", tt.xff, got, tt.want)
		}
	}
	if got := clientKey(netip.MustParseAddr("2001:db8:1:2:3:4:5:6")); got != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 client key %q, want its /64", got)
	}
}

// Requests that are too large are refused before any handler runs.
func TestRequestSizeLimits(t *testing.T) {
	_, base := serveOpts(t, nil)
	// Only the headers are sent: the server answers from Content-Length
	// and closes, and a client still writing the body would see a reset.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 2<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: status %d, want 413", resp.StatusCode)
	}
	status, _, _ := getWith(t, base+"/", map[string]string{"X-Big": strings.Repeat("y", 80<<10)})
	if status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("80 KiB header: status %d, want 431", status)
	}
	status, _, _ = getWith(t, base+"/api/v1/search?partner="+strings.Repeat("z", 80<<10), nil)
	if status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("80 KiB query string: status %d, want 431", status)
	}
	// The longest query in Hangul (a pasted paragraph), 9 bytes a
	// character in a URL, is answered by the site and the API alike.
	words := []rune(strings.Repeat("한국지역정보개발원과 협력 양해각서를 체결했다 ", notice.MaxQueryLength))
	long := url.QueryEscape(string(words[:notice.MaxQueryLength]))
	for _, path := range []string{"/?q=", "/api/v1/search?q="} {
		if status, _, body := getWith(t, base+path+long, nil); status != http.StatusOK {
			t.Errorf("%s with %d Hangul characters: status %d, want 200: %.300s", path, notice.MaxQueryLength, status, body)
		}
	}
}

// What one query may ask for is capped, so no visitor can make the
// index collect unbounded hits or facet values.
func TestQueryCaps(t *testing.T) {
	_, base := serveOpts(t, nil)
	many := strings.Repeat("&partner=p", notice.MaxFilterValues+1)
	tests := []struct {
		query  string
		status int
	}{
		{"size=100", 200},
		{"size=101", 400},
		{"size=0", 400},
		{"size=-1", 400},
		{"facet_size=1000", 200},
		{"facet_size=1001", 400},
		{"page=10000", 200},
		{"page=10001", 400},
		{"page=99999999999999999999", 400},
		{"q=" + strings.Repeat("a", notice.MaxQueryLength), 200},
		{"q=" + strings.Repeat("a", notice.MaxQueryLength+1), 400},
		{strings.TrimPrefix(many, "&"), 400},
	}
	for _, tt := range tests {
		status, _, body := getWith(t, base+"/api/v1/search?"+tt.query, nil)
		if status != tt.status {
			t.Errorf("%.60s: status %d, want %d (%.100s)", tt.query, status, tt.status, body)
		}
	}
}

// Parameters no visitor would send give a 4xx at worst, never a 500.
func TestHostileParametersAreNeverServerErrors(t *testing.T) {
	_, base := serveOpts(t, nil)
	queries := []string{
		"after=x", "after=x&after=y&after=z&after=w", "after=", "sort=newest&after=zzz",
		"after=" + strings.Repeat("9", 300), "q=*", "q=**&sort=oldest", "q=title:", "q=%22", "q=-", "q=+-+-",
		"q=partner:%22", "q=year:abc", "q=%00%01", "q=%ff%fe", "from=0000", "to=9999-12-31", "from=-1",
		"months=1&q=a", "q=a~2", "q=/re.*/", "q=field:value:more", "partner=%00", "topic=" + strings.Repeat("%E2%80%AE", 50),
	}
	for _, path := range []string{"/api/v1/search", "/", "/feed.atom", "/map", "/partners", "/topics"} {
		for _, q := range queries {
			status, _, _ := getWith(t, base+path+"?"+q, nil)
			if status >= 500 {
				t.Errorf("%s?%s: status %d", path, q, status)
			}
		}
	}
}

// A client that sends its request slowly, a byte at a time (slowloris),
// or opens a connection and says nothing, is cut off after the read
// timeout, and others are served meanwhile.
func TestSlowClientsAreCutOff(t *testing.T) {
	_, base := serveOpts(t, func(o *Options) { o.ReadTimeout = time.Second; o.IdleTimeout = time.Second })
	addr := strings.TrimPrefix(base, "http://")
	const slow = 20
	closed := make(chan time.Duration, slow+1)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range slow + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			if i == slow { // silent: connects and sends nothing
				conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				io.Copy(io.Discard, conn)
				closed <- time.Since(start)
				return
			}
			go func() {
				req := "GET /?q=smart HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 1000)
				for j := range len(req) {
					if _, err := conn.Write([]byte{req[j]}); err != nil {
						return
					}
					time.Sleep(100 * time.Millisecond)
				}
			}()
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			io.Copy(io.Discard, conn) // returns when the server closes
			closed <- time.Since(start)
		}()
	}
	time.Sleep(300 * time.Millisecond)
	t0 := time.Now()
	if status, _, _ := getWith(t, base+"/api/v1/search?q=smart", nil); status != 200 {
		t.Errorf("a normal request during the slow ones: status %d", status)
	}
	if took := time.Since(t0); took > 2*time.Second {
		t.Errorf("a normal request took %s while slow clients held connections", took)
	}
	wg.Wait()
	close(closed)
	for d := range closed {
		if d > 4*time.Second {
			t.Errorf("a slow client kept its connection for %s with a 1 s read timeout", d)
		}
	}
}

// One address cannot hold more connections than MaxConnsPerIP.
func TestConnectionsPerAddressAreCapped(t *testing.T) {
	_, base := serveOpts(t, func(o *Options) { o.MaxConnsPerIP = 5 })
	addr := strings.TrimPrefix(base, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 5 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(100 * time.Millisecond) // let the server accept them
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	if !strings.Contains(line, " 429 ") {
		t.Errorf("the 6th connection got %q, want a 429", line)
	}
	// A closed connection gives its place back.
	conns[0].Close()
	conns[0].Close() // twice: the place is given back once
	time.Sleep(100 * time.Millisecond)
	if status, _, _ := getWith(t, base+"/healthz", map[string]string{"Connection": "close"}); status != 200 {
		t.Errorf("a request after a connection closed: status %d", status)
	}
}

// A compressed request body is refused before anything inflates it: Fiber
// would inflate a gzip bomb in the admin API's body without limit.
func TestCompressedBodiesAreRefused(t *testing.T) {
	base, _, _ := newAdminServer(t, testToken)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"site":"https://a.example/","x":"`))
	zeros := make([]byte, 1<<20)
	for range 512 { // 512 MiB inflated, about 500 KB sent
		zw.Write(zeros)
	}
	zw.Close()
	for _, enc := range []string{"gzip", "br", "deflate", "gzip, br"} {
		req, _ := http.NewRequest("POST", base+"/api/v1/admin/reimport", bytes.NewReader(bomb.Bytes()))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", enc)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Encoding %s: status %d, want 415", enc, resp.StatusCode)
		}
	}
}

// BenchmarkLimiterAllow is one request's rate-limit check, among 10,000
// clients.
func BenchmarkLimiterAllow(b *testing.B) {
	l := newLimiter(600, time.Now)
	keys := make([]string, 10_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("10.0.%d.%d", i>>8, i&255)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.allow(keys[i%len(keys)])
		i++
	}
}
