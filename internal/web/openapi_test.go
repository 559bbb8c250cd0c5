package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/noticekb/noticekb/internal/jobs"
	"github.com/noticekb/noticekb/internal/kbtest"
	"github.com/noticekb/noticekb/internal/notice"
)

// parseOpenAPI reads and validates an OpenAPI document (kin-openapi's
// checks of the OpenAPI 3.0 specification, examples included).
func parseOpenAPI(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	return doc
}

// operations lists a document's operations as "METHOD /path".
func operations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op
		}
	}
	return ops
}

// The document is valid OpenAPI 3.0 and holds what clients and linters
// look for (the essentials of redocly's recommended rules): servers, a
// unique operationId and a summary per operation, security declared, a
// 4xx answer where a client can be wrong; every object schema is closed,
// so a field the server adds without documenting it fails the tests
// below. The admin operations are there only with the admin API on.
func TestOpenAPIDocument(t *testing.T) {
	for _, adminOn := range []bool{true, false} {
		data, err := openAPIDocument(adminOn, adminOn)
		if err != nil {
			t.Fatal(err)
		}
		doc := parseOpenAPI(t, data)
		if len(doc.Servers) == 0 || doc.Security == nil {
			t.Errorf("admin %v: servers %v, security %v", adminOn, doc.Servers, doc.Security)
		}
		ids := map[string]bool{}
		admin := 0
		for name, op := range operations(doc) {
			if op.OperationID == "" || ids[op.OperationID] || op.Summary == "" {
				t.Errorf("%s: operationId %q (unique: %v), summary %q", name, op.OperationID, !ids[op.OperationID], op.Summary)
			}
			ids[op.OperationID] = true
			has4xx := false
			for code := range op.Responses.Map() {
				has4xx = has4xx || strings.HasPrefix(code, "4")
			}
			if !has4xx && name != "GET /healthz" && name != "GET /metrics" {
				t.Errorf("%s: no 4xx answer", name)
			}
			if slices.Contains(op.Tags, adminTag) {
				admin++
				if op.Security == nil || len(*op.Security) != 1 || (*op.Security)[0]["adminToken"] == nil {
					t.Errorf("%s: security %v, want the admin token", name, op.Security)
				}
			}
		}
		_, scheme := doc.Components.SecuritySchemes["adminToken"]
		if adminOn != (admin == 13 && scheme) || !adminOn && (admin != 0 || scheme || doc.Components.Schemas["Job"] != nil || doc.Components.Schemas["Site"] != nil) {
			t.Errorf("admin %v: %d admin operations, adminToken scheme %v", adminOn, admin, scheme)
		}
		seen := map[*openapi3.Schema]bool{}
		for name, s := range doc.Components.Schemas {
			checkClosed(t, "#/components/schemas/"+name, s, seen)
		}
	}
}

// checkClosed fails for an object schema with properties that allows
// others.
func checkClosed(t *testing.T, at string, ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	t.Helper()
	s := ref.Value
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if s.Type.Is("object") && len(s.Properties) > 0 {
		if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
			t.Errorf("%s: an object schema without additionalProperties: false", at)
		}
	}
	for name, p := range s.Properties {
		checkClosed(t, at+"/"+name, p, seen)
	}
	if s.Items != nil {
		checkClosed(t, at+"[]", s.Items, seen)
	}
}

// pageRoutes are the routes that are pages for people, not API: the
// document leaves them out on purpose. Any other route the server
// registers must be in the document (admin and scheduler routes added
// later included), or this test fails.
var pageRoutes = map[string]string{
	"GET /":                               "the search page",
	"GET /notices/{id}":                   "a notice's page",
	"GET /partners":                       "the partners page",
	"GET /topics":                         "the topics page",
	"GET /map":                            "the cooperation map",
	"GET /static/{name}":                  "static files",
	"GET /favicon.ico":                    "the icon",
	"GET /demo":                           "the bundled demo site",
	"GET /demo/*":                         "the bundled demo site",
	"GET /admin":                          "admin pages",
	"POST /admin/signin":                  "admin pages",
	"POST /admin/signout":                 "admin pages",
	"POST /admin/jobs":                    "admin pages",
	"GET /admin/jobs":                     "admin pages",
	"GET /admin/jobs/{id}":                "admin pages",
	"POST /admin/jobs/{id}/cancel":        "admin pages",
	"GET /admin/knowledge":                "admin pages",
	"POST /admin/knowledge/{name}/reload": "admin pages",
	"POST /admin/knowledge/{name}/save":   "admin pages",
	"GET /admin/notices":                  "admin pages",
	"POST /admin/notices/{id}/withdraw":   "admin pages",
	"POST /admin/notices/{id}/restore":    "admin pages",
	"GET /admin/sites":                    "admin pages",
	"POST /admin/sites":                   "admin pages",
	"GET /admin/sites/{id}":               "admin pages",
	"POST /admin/sites/{id}":              "admin pages",
	"POST /admin/sites/{id}/run":          "admin pages",
	"POST /admin/sites/{id}/enable":       "admin pages",
	"POST /admin/sites/{id}/disable":      "admin pages",
	"POST /admin/sites/{id}/remove":       "admin pages",
	"GET /admin/changes.atom":             "the admin's feed of changes, for feed readers with its key",
	"GET /admin/pages":                    "admin pages",
}

var fiberParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// Every route the server registers, with everything on or the admin
// area off, is in the document it serves or is a page; and everything in
// that document is a route.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	for _, adminOn := range []bool{true, false} {
		st, ix := kbtest.Open(t, notices...)
		m, err := jobs.New(context.Background(), &gatedWork{release: make(chan struct{})}, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(m.Close)
		opts := Options{Searcher: ix, Notices: st, DemoSite: http.NotFoundHandler()}
		if adminOn {
			opts.Admin, opts.AdminToken, opts.Curator, opts.Sites = m, testToken, &testCurator{st: st, ix: ix}, newFakeSites()
		}
		s, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		documented := operations(parseOpenAPI(t, s.openAPI))
		registered := map[string]bool{}
		for _, r := range s.App().GetRoutes(true) {
			if r.Method == http.MethodHead {
				continue // Fiber adds HEAD to every GET
			}
			name := r.Method + " " + fiberParam.ReplaceAllString(r.Path, "{$1}")
			registered[name] = true
			if _, ok := documented[name]; !ok && pageRoutes[name] == "" {
				t.Errorf("admin %v: route %s is not in openapi.json (nor a page in pageRoutes)", adminOn, name)
			}
		}
		for name := range documented {
			if !registered[name] {
				t.Errorf("admin %v: openapi.json describes %s, which the server does not have", adminOn, name)
			}
		}
		for name := range pageRoutes {
			if adminOn && !registered[name] {
				t.Errorf("pageRoutes lists %s, which the server does not have", name)
			}
		}
	}
}

var registerXMLDecoders sync.Once

// apiChecker sends requests to servers and validates every answer
// against the document: its status must be documented for the
// operation, its body must match the schema (closed: no undocumented
// field), its documented headers their schemas. A 2xx request must be a
// documented request too.
type apiChecker struct {
	t       *testing.T
	doc     *openapi3.T
	router  routers.Router
	checked map[string]bool // "METHOD /path status"
}

func newAPIChecker(t *testing.T, data []byte) *apiChecker {
	registerXMLDecoders.Do(func() {
		openapi3filter.RegisterBodyDecoder("application/atom+xml", openapi3filter.PlainBodyDecoder)
		openapi3filter.RegisterBodyDecoder("application/opensearchdescription+xml", openapi3filter.PlainBodyDecoder)
	})
	doc := parseOpenAPI(t, data)
	doc.Servers = openapi3.Servers{{URL: "http://127.0.0.1"}} // any port: the legacy router ignores it
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &apiChecker{t: t, doc: doc, router: router, checked: map[string]bool{}}
}

// send makes a request and checks its answer; it returns the status,
// headers and body.
func (a *apiChecker) send(base, method, path string, header map[string]string, body string) (int, http.Header, []byte) {
	t := a.t
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return a.check(req, body, resp, data)
}

// sendOversized announces a body of size bytes and writes none: the
// server must refuse it from its Content-Length alone. (Writing it would
// race the server's close: a client still writing gets a reset instead of
// the answer.)
func (a *apiChecker) sendOversized(base, method, path string, header map[string]string, size int) (int, http.Header, []byte) {
	t := a.t
	t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n", method, req.URL.RequestURI(), req.URL.Host, size)
	for k, v := range header {
		req.Header.Set(k, v)
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return a.check(req, "", resp, data)
}

// check checks that the document describes a request and its answer.
func (a *apiChecker) check(req *http.Request, body string, resp *http.Response, data []byte) (int, http.Header, []byte) {
	t := a.t
	t.Helper()
	method, path := req.Method, req.URL.RequestURI()
	// The router matches on the document's server; the check is on the path.
	vreq := req.Clone(context.Background())
	vreq.URL.Host = "127.0.0.1"
	vreq.Body = io.NopCloser(strings.NewReader(body))
	route, params, err := a.router.FindRoute(vreq)
	if err != nil {
		t.Errorf("%s %s: not in the document: %v", method, path, err)
		return resp.StatusCode, resp.Header, data
	}
	key := fmt.Sprintf("%s %s %d", method, route.Path, resp.StatusCode)
	a.checked[key] = true
	if route.Operation.Responses.Status(resp.StatusCode) == nil {
		t.Errorf("%s %s: status %d is not documented: %s", method, path, resp.StatusCode, data)
		return resp.StatusCode, resp.Header, data
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if resp.StatusCode < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("%s %s: the request does not match the document: %v", method, path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(data)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s → %d: the answer does not match the document: %v\n%.300s", method, path, resp.StatusCode, err, data)
	}
	return resp.StatusCode, resp.Header, data
}

// expect is send with the status it must answer.
func (a *apiChecker) expect(status int, base, method, path string, header map[string]string, body string) (http.Header, []byte) {
	a.t.Helper()
	got, h, data := a.send(base, method, path, header, body)
	if got != status {
		a.t.Errorf("%s %s: %d, want %d: %.200s", method, path, got, status, data)
	}
	return h, data
}

// serveAPI serves the test notices with the admin API on and opts
// changed by set; it returns the base URL and the work the jobs run.
func serveAPI(t *testing.T, set func(*Options)) (string, *gatedWork, *Server) {
	t.Helper()
	st, ix := kbtest.Open(t, append(slices.Clone(notices), notice.Notice{ID: "bare", URL: "https://example.org/bare", Title: "A notice with no partner", Body: "Plain words."})...)
	work := &gatedWork{release: make(chan struct{})}
	m, err := jobs.New(context.Background(), work, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	opts := Options{Searcher: ix, Notices: st, Counts: ix.Count, Admin: m, AdminToken: testToken, Sites: newFakeSites(),
		Health: func() Health {
			return Health{Index: IndexHealth{Documents: ix.Count(), AppliedSeq: 3}, Store: StoreHealth{Notices: 4, Pages: 4, Seq: 3, SizeBytes: 1 << 16}}
		}}
	if set != nil {
		set(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return serveLoopback(t, s), work, s
}

// Every answer the document describes, for every operation, comes from a
// real server and matches the document.
func TestAPIAnswersMatchOpenAPI(t *testing.T) {
	base, work, s := serveAPI(t, nil)
	a := newAPIChecker(t, s.openAPI)
	auth := map[string]string{"Authorization": "Bearer " + testToken}
	wrong := map[string]string{"Authorization": "Bearer not-the-token"}
	revalidate := func(path string) {
		t.Helper()
		h, _ := a.expect(200, base, "GET", path, nil, "")
		a.expect(304, base, "GET", path, map[string]string{"If-None-Match": h.Get("ETag")}, "")
	}

	for _, p := range []string{"/api/v1/search?q=smart", "/api/v1/search?q=&months=1&facet_size=all&partner_prefix=k&sort=newest&size=1",
		"/api/v1/search?q=smrt+citty", "/api/v1/search?q=plain", "/api/v1/search?from=2018&to=2020-06&publisher=UNPOG&topic=E-government"} {
		a.expect(200, base, "GET", p, nil, "")
	}
	_, page1 := a.expect(200, base, "GET", "/api/v1/search?q=&sort=newest&size=1", nil, "")
	if key := regexp.MustCompile(`"sort_key":\["([^"]*)","([^"]*)"`).FindStringSubmatch(string(page1)); key != nil {
		a.expect(200, base, "GET", "/api/v1/search?q=&sort=newest&size=1&after="+key[1]+"&after="+key[2], nil, "")
	} else {
		t.Errorf("no two-string sort_key in %s", page1)
	}
	revalidate("/api/v1/search?q=smart")
	a.expect(400, base, "GET", "/api/v1/search?size=0", nil, "")

	a.expect(200, base, "GET", "/api/v1/notices/a", nil, "")
	a.expect(200, base, "GET", "/api/v1/notices/bare", nil, "")
	a.expect(404, base, "GET", "/api/v1/notices/nope", nil, "")
	revalidate("/api/v1/notices/a/related?size=3")
	a.expect(200, base, "GET", "/api/v1/notices/bare/related", nil, "")
	a.expect(400, base, "GET", "/api/v1/notices/a/related?size=0", nil, "")
	a.expect(404, base, "GET", "/api/v1/notices/nope/related", nil, "")
	a.expect(200, base, "GET", "/api/v1/openapi.json", nil, "")

	revalidate("/feed.atom?q=smart")
	a.expect(400, base, "GET", "/feed.atom?partner=NOPE", nil, "")
	a.expect(200, base, "GET", "/opensearch.xml", nil, "")
	a.expect(200, base, "GET", "/healthz", nil, "")
	a.expect(200, base, "GET", "/metrics", nil, "")

	a.expect(200, base, "GET", "/api/v1/admin/jobs", auth, "") // none yet
	h, _ := a.expect(202, base, "POST", "/api/v1/admin/reimport", auth, `{"site":"https://a.example/"}`)
	id := strings.TrimPrefix(h.Get("Location"), "/api/v1/admin/jobs/")
	a.expect(409, base, "POST", "/api/v1/admin/reimport", auth, `{"url":"https://a.example/n/1"}`)
	a.expect(400, base, "POST", "/api/v1/admin/reimport", auth, `{"page":"https://a.example/"}`)
	a.expect(401, base, "POST", "/api/v1/admin/reimport", nil, `{"site":"https://a.example/"}`)
	a.expect(403, base, "POST", "/api/v1/admin/reimport", auth, `{"site":"https://forbidden.example/"}`)
	if got, _, data := a.sendOversized(base, "POST", "/api/v1/admin/reimport", auth, 2<<20); got != 413 {
		t.Errorf("POST /api/v1/admin/reimport with 2 MiB: %d, want 413: %.200s", got, data)
	}
	a.expect(422, base, "POST", "/api/v1/admin/reimport", auth, `{"url":"http://nowhere.invalid/"}`)
	a.expect(200, base, "GET", "/api/v1/admin/jobs", auth, "")
	a.expect(401, base, "GET", "/api/v1/admin/jobs", wrong, "")
	a.expect(200, base, "GET", "/api/v1/admin/jobs/"+id, auth, "")
	a.expect(401, base, "GET", "/api/v1/admin/jobs/"+id, nil, "")
	a.expect(404, base, "GET", "/api/v1/admin/jobs/nope", auth, "")
	a.expect(200, base, "DELETE", "/api/v1/admin/jobs/"+id, auth, "")
	a.expect(409, base, "DELETE", "/api/v1/admin/jobs/"+id, auth, "")
	a.expect(404, base, "DELETE", "/api/v1/admin/jobs/nope", auth, "")
	a.expect(401, base, "DELETE", "/api/v1/admin/jobs/"+id, nil, "")
	// A job that ran to its end, with its summary.
	work.release = make(chan struct{})
	h, _ = a.expect(202, base, "POST", "/api/v1/admin/reimport", auth, `{"url":"https://a.example/n/1"}`)
	close(work.release)
	id = strings.TrimPrefix(h.Get("Location"), "/api/v1/admin/jobs/")
	s.opts.Admin.(*jobs.Manager).Wait(t.Context(), id)
	a.expect(200, base, "GET", "/api/v1/admin/jobs/"+id, auth, "")
	a.expect(200, base, "GET", "/api/v1/admin/jobs", auth, "")

	// The registry of sites.
	a.expect(200, base, "GET", "/api/v1/admin/sites", auth, "")
	a.expect(401, base, "GET", "/api/v1/admin/sites", nil, "")
	a.expect(201, base, "POST", "/api/v1/admin/sites", auth, `{"urls":["https://www.example.org/news/"],"every":"6h","exclude":["/tag/"]}`)
	a.expect(200, base, "POST", "/api/v1/admin/sites", auth, `{"urls":["https://example.org/press/"]}`)
	a.expect(400, base, "POST", "/api/v1/admin/sites", auth, `{"urls":["news"]}`)
	a.expect(400, base, "POST", "/api/v1/admin/sites", auth, `{"url":"https://example.org/"}`)
	a.expect(401, base, "POST", "/api/v1/admin/sites", wrong, `{"urls":["https://example.org/"]}`)
	a.expect(403, base, "POST", "/api/v1/admin/sites", auth, `{"urls":["https://forbidden.example/"]}`)
	a.expect(422, base, "POST", "/api/v1/admin/sites", auth, `{"urls":["https://nowhere.invalid/"]}`)
	a.expect(200, base, "GET", "/api/v1/admin/sites", auth, "")
	a.expect(200, base, "GET", "/api/v1/admin/sites/example.org", auth, "")
	a.expect(401, base, "GET", "/api/v1/admin/sites/example.org", nil, "")
	a.expect(404, base, "GET", "/api/v1/admin/sites/nowhere.example", auth, "")
	a.expect(200, base, "PUT", "/api/v1/admin/sites/example.org", auth, `{"urls":["https://example.org/news/"],"every":"1h"}`)
	a.expect(400, base, "PUT", "/api/v1/admin/sites/example.org", auth, `{"urls":["https://other.example/"]}`)
	a.expect(401, base, "PUT", "/api/v1/admin/sites/example.org", nil, `{"urls":["https://example.org/"]}`)
	a.expect(404, base, "PUT", "/api/v1/admin/sites/nowhere.example", auth, `{"urls":["https://nowhere.example/"]}`)
	a.expect(202, base, "POST", "/api/v1/admin/sites/example.org/run", auth, "")
	a.expect(409, base, "POST", "/api/v1/admin/sites/example.org/run", auth, "")
	a.expect(401, base, "POST", "/api/v1/admin/sites/example.org/run", nil, "")
	a.expect(404, base, "POST", "/api/v1/admin/sites/nowhere.example/run", auth, "")
	for _, action := range []string{"disable", "enable"} {
		a.expect(200, base, "POST", "/api/v1/admin/sites/example.org/"+action, auth, "")
		a.expect(401, base, "POST", "/api/v1/admin/sites/example.org/"+action, nil, "")
		a.expect(404, base, "POST", "/api/v1/admin/sites/nowhere.example/"+action, auth, "")
	}
	a.expect(200, base, "GET", "/api/v1/admin/changes.atom", auth, "")
	a.expect(401, base, "GET", "/api/v1/admin/changes.atom", nil, "")
	a.expect(204, base, "DELETE", "/api/v1/admin/sites/example.org", auth, "")
	a.expect(401, base, "DELETE", "/api/v1/admin/sites/example.org", nil, "")
	a.expect(404, base, "DELETE", "/api/v1/admin/sites/example.org", auth, "")

	// An unhealthy server.
	sick, _, _ := serveAPI(t, func(o *Options) {
		o.Health = func() Health { return Health{Store: StoreHealth{Error: "unreadable"}} }
	})
	a.expect(503, sick, "GET", "/healthz", nil, "")

	// A server whose rate limit every request is over.
	limited, _, _ := serveAPI(t, func(o *Options) { o.RateLimit = 1 })
	for i := 0; i < 20; i++ {
		if code, _, _ := getWith(t, limited+"/opensearch.xml", nil); code == http.StatusTooManyRequests {
			break
		}
	}
	for name, op := range operations(a.doc) {
		if op.Responses.Status(http.StatusTooManyRequests) == nil {
			continue
		}
		method, path, _ := strings.Cut(name, " ")
		path = strings.ReplaceAll(path, "{id}", "a")
		body := ""
		switch {
		case strings.Contains(path, "/sites"):
			body = `{"urls":["https://a.example/"]}`
		case method == http.MethodPost:
			body = `{"url":"https://a.example/n/1"}`
		}
		a.expect(429, limited, method, path, auth, body)
	}

	for name, op := range operations(a.doc) {
		for code := range op.Responses.Map() {
			if key := name + " " + code; !a.checked[key] {
				t.Errorf("%s is documented but no test answer had it", key)
			}
		}
	}
}
