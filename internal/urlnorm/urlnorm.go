// Package urlnorm puts URLs in one canonical form, so the same page reached
// by differently written links is fetched and stored once.
package urlnorm

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path"
	"sort"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// not a page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "yclid": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "igshid": true,
	"ref_src": true, "spm": true,
}

// IsTracking reports whether a query parameter only tracks visitors.
func IsTracking(param string) bool {
	p := strings.ToLower(param)
	return trackingParams[p] || strings.HasPrefix(p, "utm_") || strings.HasPrefix(p, "mc_")
}

// Normalize returns the canonical form of an absolute http(s) URL: lower-case
// scheme and host, no default port, no fragment, no tracking parameters,
// query parameters sorted, "." and ".." resolved, an empty path as "/", and
// a trailing "index.html" kept as written (servers differ on it).
func Normalize(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("urlnorm: %w", err)
	}
	return NormalizeURL(u)
}

// NormalizeURL is Normalize for a parsed URL; u is not modified.
func NormalizeURL(in *url.URL) (string, error) {
	u := *in
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("urlnorm: %q: only http and https URLs", in.String())
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", fmt.Errorf("urlnorm: %q: no host", in.String())
	}
	if !validHost(host) {
		return "", fmt.Errorf("urlnorm: %q: malformed host", in.String())
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6
		host = "[" + host + "]"
	}
	if port != "" {
		host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.Path = cleanPath(u.Path)
	u.RawPath = ""
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	return u.String(), nil
}

// validHost accepts an IPv6 address (without brackets or zone) or a name or IPv4
// address free of the characters that delimit a URL's parts, so the URL
// written back reads the same way again.
func validHost(h string) bool {
	if strings.Contains(h, ":") {
		// A zone (fe80::1%eth0) names an interface of the machine reading
		// the URL, which means nothing for a page on the web.
		a, err := netip.ParseAddr(h)
		return err == nil && a.Zone() == ""
	}
	return !strings.ContainsFunc(h, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune("[]/?#@%\\", r)
	})
}

func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	trailing := strings.HasSuffix(p, "/")
	p = path.Clean("/" + p)
	if trailing && p != "/" {
		p += "/"
	}
	return p
}

// cleanQuery drops tracking parameters and sorts the rest by key, keeping
// the order of repeated keys. Parameters are kept as written (not
// re-encoded), since servers may tell "a+b" from "a%20b".
func cleanQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil && IsTracking(k) {
			continue
		}
		kept = append(kept, cleanEscapes(part))
	}
	sort.SliceStable(kept, func(i, j int) bool {
		ki, _, _ := strings.Cut(kept[i], "=")
		kj, _, _ := strings.Cut(kept[j], "=")
		return ki < kj
	})
	return strings.Join(kept, "&")
}

// cleanEscapes writes percent escapes one way: unreserved characters
// (letters, digits, "-._~") unescaped, every other escape in upper case,
// and spaces and control characters escaped (a URL cannot hold them, and
// one written back with a trailing space would lose it when read again).
// Reserved characters stay escaped or not as written, since they may
// carry meaning.
func cleanEscapes(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == '%' || r <= ' ' || r == 0x7f }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			fmt.Fprintf(&b, "%%%02X", s[i])
			continue
		}
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			c := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(c) {
				b.WriteByte(c)
			} else {
				b.WriteString("%" + strings.ToUpper(s[i+1:i+3]))
			}
			i += 2
			continue
		}
		if s[i] == '%' {
			// A stray percent sign, escaped, so it cannot join the
			// characters after it into an escape when read again.
			b.WriteString("%25")
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// SameSite reports whether two hosts belong to one site for crawling: equal,
// or equal but for a leading "www.".
func SameSite(a, b string) bool {
	a, b = strings.TrimPrefix(strings.ToLower(a), "www."), strings.TrimPrefix(strings.ToLower(b), "www.")
	return a == b
}
