// Package web serves noticekb over HTTP with Fiber: the search site
// (server-rendered, working without JavaScript), notice pages and the JSON
// API. Handlers are thin: they parse the request, call the domain, render.
package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/metrics"
	"github.com/noticekb/noticekb/internal/notice"
)

// Searcher answers search queries (the index).
type Searcher interface {
	Search(ctx context.Context, q notice.Query) (*notice.Result, error)
}

// NoticeStore looks up one notice (the store).
type NoticeStore interface {
	Notice(id string) (notice.Notice, error)
}

// Options are what the web server needs; nothing is looked up globally.
type Options struct {
	Searcher Searcher
	Notices  NoticeStore
	// Partners lists known partners, for full names on partner chips.
	Partners func() []notice.Partner
	// Counts reports the number of indexed notices, for /healthz.
	Counts func() uint64
	// DemoHost and DemoSite serve the bundled demo's original pages under
	// /demo/, so its notices' source links work without a network.
	DemoHost string
	DemoSite http.Handler
	// BaseURL is the site's public address for absolute links (feeds,
	// OpenSearch), e.g. https://notices.example.org; empty uses the
	// address each request came to.
	BaseURL string
	Log     *slog.Logger
	// Admin runs re-import jobs; the admin API is on only when AdminToken
	// is set too.
	Admin      Admin
	AdminToken string
	// Curator views and reloads the knowledge files and withdraws or
	// restores notices, in the admin area; nil leaves those pages out.
	Curator Curator
	// Sites is the registry of sites kept current, in the admin area and
	// API; nil leaves those out.
	Sites Sites

	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// TrustedProxies are reverse proxies whose X-Forwarded-For names the
	// client; requests from anywhere else are keyed by their own address.
	TrustedProxies []netip.Prefix
	// RateLimit is requests per minute per client; 0 turns it off.
	RateLimit int
	// MaxConnsPerIP caps one address's open connections; 0 means none. It
	// is not applied when TrustedProxies are set (every request would come
	// from the proxy).
	MaxConnsPerIP int
	// MaxInFlight is how many requests are answered at once (static
	// files, health, metrics and admin calls aside); more wait up to
	// QueueWait, then get 503. 0 means four per CPU.
	MaxInFlight int
	QueueWait   time.Duration
	// Metrics receives the HTTP metrics and is served at /metrics with
	// whatever else was registered in it; nil makes a registry of its own.
	Metrics *metrics.Registry
	// Health reports the store and index for /healthz; nil reports only
	// Counts.
	Health func() Health
}

// Server is the web application.
type Server struct {
	app       *fiber.App
	opts      Options
	pages     map[string]*template.Template
	assets    *assets
	log       *slog.Logger
	limiter   *limiter
	admission *admission
	metrics   *httpMetrics
	health    *healthCache
	admin     *adminArea // nil when the admin area is off
	// validators are the ETag and Last-Modified of search-backed answers.
	validators *validators
	openAPI    []byte // the OpenAPI document served
}

// New builds the server and its routes.
func New(opts Options) (*Server, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, log: opts.Log, validators: newValidators(time.Now)}
	if opts.RateLimit > 0 {
		s.limiter = newLimiter(opts.RateLimit, time.Now)
	}
	inFlight := opts.MaxInFlight
	if inFlight <= 0 {
		inFlight = 4 * runtime.GOMAXPROCS(0)
	}
	// A handler has as long as a response may take to be written.
	s.admission = newAdmission(inFlight, orDefault(opts.QueueWait, 5*time.Second), orDefault(opts.WriteTimeout, 30*time.Second))
	if s.opts.Metrics == nil {
		s.opts.Metrics = metrics.NewRegistry()
	}
	s.registerMetrics(s.opts.Metrics)
	if opts.Health != nil {
		s.health = newHealthCache(opts.Health, time.Now)
	}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(s.assets); err != nil {
		return nil, err
	}
	if err := s.parseAdminPages(); err != nil {
		return nil, err
	}
	if s.openAPI, err = openAPIDocument(s.adminOn(), s.adminOn() && opts.Sites != nil); err != nil {
		return nil, err
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "noticekb",
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		BodyLimit:             1 << 20,
		// The read buffer is also the limit on a request's line and
		// headers: a search of notice.MaxQueryLength characters in any
		// script must fit, percent-encoded (Hangul takes 9 bytes a
		// character, 36 KB for the longest query), beside its filters
		// and cookies.
		ReadBufferSize: 64 << 10,
		ReadTimeout:    orDefault(opts.ReadTimeout, 10*time.Second),
		WriteTimeout:   orDefault(opts.WriteTimeout, 30*time.Second),
		IdleTimeout:    orDefault(opts.IdleTimeout, 60*time.Second),
		// Simultaneous connections at most: fasthttp's default (262,144)
		// is more than the process may open files. There is no
		// ProxyHeader on purpose: c.IP() stays the socket's peer, and
		// clientIP reads X-Forwarded-For from trusted proxies only.
		Concurrency: 16 << 10,
	})
	s.routes()
	return s, nil
}

// adminOn tells whether the admin API and pages are served.
func (s *Server) adminOn() bool { return s.opts.AdminToken != "" && s.opts.Admin != nil }

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// App exposes the Fiber app, for tests (app.Test).
func (s *Server) App() *fiber.App { return s.app }

// Serve serves HTTP on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if len(s.opts.TrustedProxies) == 0 {
		ln = limitConns(ln, s.opts.MaxConnsPerIP)
	}
	err := s.app.Listener(ln)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
}
