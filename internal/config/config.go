// Package config holds noticekb's settings in one struct: defaults, then
// environment variables, then command-line flags, validated at start.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Config is every setting of a noticekb process.
type Config struct {
	DataDir    string
	Addr       string
	AdminToken string
	LogLevel   string
	// Allow lists extra hosts admins may re-import beyond those already in
	// the store; AllowPrivate lets re-imports reach loopback and private
	// addresses (for local test sites).
	Allow        []string
	AllowPrivate bool
	// CrawlDelay is the pause between an admin re-import's or a scheduled
	// run's requests to one host (robots.txt Crawl-delay wins when larger).
	CrawlDelay time.Duration
	// NoSchedule keeps serve from running registered sites (a read-only
	// replica); ScheduleConcurrency is how many run at once.
	NoSchedule          bool
	ScheduleConcurrency int
	// TrustedProxies are addresses whose X-Forwarded-For is believed.
	TrustedProxies []string
	// Timeouts of the HTTP server.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// RateLimit is requests per minute per client; 0 turns it off.
	RateLimit int
	// MaxConnsPerIP caps one address's open connections (slow clients
	// holding many); 0 means none. It is not applied to trusted proxies.
	MaxConnsPerIP int
	// MaxInFlight is how many requests are answered at once (0: four per
	// CPU); more wait up to QueueWait, then get 503.
	MaxInFlight int
	QueueWait   time.Duration
	// LogFormat is text or json.
	LogFormat string
	// PublicURL is the site's address as visitors reach it (behind a
	// reverse proxy), for the absolute links of feeds and OpenSearch and
	// for the admin forms' origin check; empty uses the request's host.
	PublicURL string
}

// Environment variable names.
const (
	EnvData       = "NOTICEKB_DATA"
	EnvAddr       = "NOTICEKB_ADDR"
	EnvAdminToken = "NOTICEKB_ADMIN_TOKEN"
	EnvLogLevel   = "NOTICEKB_LOG_LEVEL"
	EnvLogFormat  = "NOTICEKB_LOG_FORMAT"
	EnvPublicURL  = "NOTICEKB_PUBLIC_URL"
	// EnvTrustedProxies is a comma-separated list of addresses or CIDRs.
	EnvTrustedProxies = "NOTICEKB_TRUSTED_PROXIES"
)

// Variable is an environment variable noticekb reads, for the help.
type Variable struct{ Name, Help string }

// Variables lists every environment variable Load reads, in the order
// the help shows them.
func Variables() []Variable {
	return []Variable{
		{EnvData, "data folder (default ./data)"},
		{EnvAddr, "serve's listen address (default 127.0.0.1:8080)"},
		{EnvPublicURL, "the site's public URL behind a reverse proxy"},
		{EnvAdminToken, "turns the admin area and API on (16 characters or more)"},
		{EnvTrustedProxies, "reverse proxies whose X-Forwarded-For is believed (comma-separated)"},
		{EnvLogLevel, "debug, info (default), warn or error"},
		{EnvLogFormat, "text (default) or json"},
	}
}

// Default returns the settings used when nothing else is said.
func Default() Config {
	return Config{
		DataDir:      "./data",
		Addr:         "127.0.0.1:8080",
		LogLevel:     "info",
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 30 * time.Second,
		IdleTimeout:  60 * time.Second,
		RateLimit:    600,
		CrawlDelay:   time.Second,
		// Two sites at once keep a cycle of fifty sites short without
		// taking the server's CPU from search.
		ScheduleConcurrency: 2,
		// A browser opens about six connections; a hundred is room for
		// people behind one NAT, and far from what slow clients need to
		// starve the server.
		MaxConnsPerIP: 100,
		QueueWait:     5 * time.Second,
		LogFormat:     "text",
	}
}

// Load returns the defaults overridden by the environment.
func Load(getenv func(string) string) Config {
	c := Default()
	if v := getenv(EnvData); v != "" {
		c.DataDir = v
	}
	if v := getenv(EnvAddr); v != "" {
		c.Addr = v
	}
	if v := getenv(EnvAdminToken); v != "" {
		c.AdminToken = v
	}
	if v := getenv(EnvLogLevel); v != "" {
		c.LogLevel = v
	}
	if v := getenv(EnvLogFormat); v != "" {
		c.LogFormat = v
	}
	if v := getenv(EnvPublicURL); v != "" {
		c.PublicURL = v
	}
	for _, p := range strings.Split(getenv(EnvTrustedProxies), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	return c
}

// DataFlags registers the flags every command that opens a data folder shares.
func (c *Config) DataFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data `folder` (env "+EnvData+")")
}

// ServeFlags registers the flags of the serve command.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.DataFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen `address` HOST:PORT (env "+EnvAddr+")")
	fs.Func("allow", "let admins re-import from `HOST` (or HOST:PORT) besides the sites in the store (repeatable)", func(v string) error {
		v = strings.ToLower(strings.TrimSpace(v))
		if v == "" || strings.ContainsAny(v, "/ ") {
			return fmt.Errorf("want a host name, not %q", v)
		}
		c.Allow = append(c.Allow, v)
		return nil
	})
	fs.BoolVar(&c.AllowPrivate, "allow-private", c.AllowPrivate, "let admin re-imports reach loopback and private addresses (local test sites)")
	fs.DurationVar(&c.CrawlDelay, "crawl-delay", c.CrawlDelay, "pause of `DURATION` between requests to one host of admin re-imports and scheduled runs")
	fs.BoolVar(&c.NoSchedule, "no-schedule", c.NoSchedule, "do not run registered sites (a read-only replica)")
	fs.IntVar(&c.ScheduleConcurrency, "schedule-concurrency", c.ScheduleConcurrency, "`N` registered sites run at once at most")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "the site's public `URL` behind a reverse proxy, for feed and OpenSearch links (env "+EnvPublicURL+")")
	c.LimitFlags(fs)
}

// LimitFlags registers the serve flags that bound what clients may cost.
func (c *Config) LimitFlags(fs *flag.FlagSet) {
	fs.Func("trusted-proxy", "believe X-Forwarded-For from this reverse proxy `ADDR` or CIDR (repeatable; env "+EnvTrustedProxies+")", func(v string) error {
		c.TrustedProxies = append(c.TrustedProxies, strings.TrimSpace(v))
		return nil
	})
	fs.IntVar(&c.RateLimit, "rate-limit", c.RateLimit, "`N` requests per minute one client may make (0: no limit)")
	fs.IntVar(&c.MaxConnsPerIP, "max-conns-per-ip", c.MaxConnsPerIP, "`N` open connections one address may hold (0: no limit; not applied to trusted proxies)")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", c.MaxInFlight, "`N` requests answered at once; more wait their turn (0: four per CPU)")
	fs.DurationVar(&c.QueueWait, "queue-wait", c.QueueWait, "longest `DURATION` a request waits for its turn before a 503")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", c.ReadTimeout, "`DURATION` a client has to send a whole request")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", c.WriteTimeout, "`DURATION` to send a whole response")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", c.IdleTimeout, "`DURATION` an idle keep-alive connection stays open")
}

// TrustedPrefixes returns the trusted proxies as prefixes (a single
// address is a /32 or /128); call after Validate.
func (c Config) TrustedPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range c.TrustedProxies {
		if pfx, err := parsePrefix(p); err == nil {
			out = append(out, pfx)
		}
	}
	return out
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// minTokenChars is the shortest admin token accepted, in characters.
const minTokenChars = 16

// Validate checks the settings, makes paths absolute and trims the admin
// token.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data folder is empty"))
	} else if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			errs = append(errs, fmt.Errorf("address %q: want HOST:PORT", c.Addr))
		}
	}
	if c.AdminToken != "" {
		// A token pasted with a newline or padded with spaces means the
		// same token; one of spaces alone is a mistake, not "admin off".
		c.AdminToken = strings.TrimSpace(c.AdminToken)
		if n := utf8.RuneCountInString(c.AdminToken); n < minTokenChars {
			errs = append(errs, fmt.Errorf("%s is too short (%d characters without the spaces around it): use at least %d characters", EnvAdminToken, n, minTokenChars))
		}
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel))
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("public URL %q: want http(s)://HOST[/PATH]", c.PublicURL))
		}
	}
	if c.CrawlDelay < 0 {
		errs = append(errs, errors.New("crawl delay must not be negative"))
	}
	if c.ScheduleConcurrency < 1 {
		errs = append(errs, errors.New("schedule concurrency must be at least 1"))
	}
	if c.RateLimit < 0 {
		errs = append(errs, errors.New("rate limit must not be negative"))
	}
	for _, p := range c.TrustedProxies {
		if _, err := parsePrefix(p); err != nil {
			errs = append(errs, fmt.Errorf("trusted proxy %q: want an IP address or CIDR", p))
		}
	}
	if c.MaxInFlight < 0 || c.QueueWait <= 0 {
		errs = append(errs, errors.New("max in flight must not be negative, queue wait must be positive"))
	}
	if c.MaxConnsPerIP < 0 {
		errs = append(errs, errors.New("max connections per address must not be negative"))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read timeout", c.ReadTimeout}, {"write timeout", c.WriteTimeout}, {"idle timeout", c.IdleTimeout}} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive", d.name))
		}
	}
	switch strings.ToLower(c.LogFormat) {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log format %q: use text or json", c.LogFormat))
	}
	return errors.Join(errs...)
}

// String prints the settings with the admin token masked.
func (c Config) String() string {
	token := "(unset: admin off)"
	if c.AdminToken != "" {
		token = "********"
	}
	return fmt.Sprintf("data=%s addr=%s admin_token=%s log_level=%s allow=%v allow_private=%v trusted_proxies=%v rate_limit=%d/min",
		c.DataDir, c.Addr, token, c.LogLevel, c.Allow, c.AllowPrivate, c.TrustedProxies, c.RateLimit)
}

// Paths of the files in a data folder.
func (c Config) StorePath() string     { return filepath.Join(c.DataDir, "store.db") }
func (c Config) RulesPath() string     { return filepath.Join(c.DataDir, "rules.json") }
func (c Config) TaxonomyPath() string  { return filepath.Join(c.DataDir, "taxonomy.json") }
func (c Config) GazetteerPath() string { return filepath.Join(c.DataDir, "organisations.json") }

// FileExists reports whether path names an existing file.
func FileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}
