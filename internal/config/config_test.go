package config

import (
	"flag"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// The help lists the environment from Variables: every variable Load
// reads must be there, and nothing else.
func TestVariablesAreWhatLoadReads(t *testing.T) {
	var read []string
	Load(func(k string) string {
		read = append(read, k)
		return ""
	})
	var listed []string
	for _, v := range Variables() {
		listed = append(listed, v.Name)
	}
	slices.Sort(read)
	slices.Sort(listed)
	if !slices.Equal(read, listed) {
		t.Errorf("Load reads %v; Variables lists %v", read, listed)
	}
}

func TestTrustedProxiesFromEnvAndFlags(t *testing.T) {
	c := Load(func(k string) string {
		if k == EnvTrustedProxies {
			return " 10.0.0.0/8 , 192.168.1.7"
		}
		return ""
	})
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.ServeFlags(fs)
	if err := fs.Parse([]string{"--trusted-proxy", "::1", "--trusted-proxy", "10.1.2.3/8", "--rate-limit", "0"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8"),
	}
	if got := c.TrustedPrefixes(); !slices.Equal(got, want) {
		t.Errorf("trusted %v, want %v", got, want)
	}
	if c.RateLimit != 0 {
		t.Errorf("rate limit %d", c.RateLimit)
	}
}

func TestValidateRefusesBadLimits(t *testing.T) {
	tests := []struct {
		set  func(*Config)
		want string
	}{
		{func(c *Config) { c.TrustedProxies = []string{"proxy.example"} }, "trusted proxy"},
		{func(c *Config) { c.RateLimit = -1 }, "rate limit"},
		{func(c *Config) { c.MaxConnsPerIP = -1 }, "max connections"},
		{func(c *Config) { c.ReadTimeout = 0 }, "read timeout"},
		{func(c *Config) { c.IdleTimeout = -time.Second }, "idle timeout"},
		{func(c *Config) { c.LogFormat = "xml" }, "log format"},
		{func(c *Config) { c.AdminToken = "short" }, "too short"},
		{func(c *Config) { c.PublicURL = "kb.example.org" }, "public URL"},
		{func(c *Config) { c.PublicURL = "ftp://kb.example.org/" }, "public URL"},
		{func(c *Config) { c.PublicURL = "https://kb.example.org/?x=1" }, "public URL"},
	}
	for _, tt := range tests {
		c := Default()
		tt.set(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want one saying %q", err, tt.want)
		}
	}
	c := Default()
	if err := c.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	c.PublicURL = "https://kb.example.org/notices"
	if err := c.Validate(); err != nil {
		t.Errorf("a public URL with a path: %v", err)
	}
}

func TestStringMasksToken(t *testing.T) {
	c := Default()
	c.AdminToken = "a-very-secret-admin-token"
	if strings.Contains(c.String(), "secret") {
		t.Errorf("String shows the token: %s", c.String())
	}
}

// The admin token is trimmed, then needs 16 characters (not bytes): a
// token of spaces is refused rather than taken or silently dropped.
func TestAdminTokenTrimmedAndCountedInCharacters(t *testing.T) {
	tests := []struct {
		env, want string // want "" means accepted, as the token given
	}{
		{strings.Repeat(" ", 16), "too short"},
		{"\t" + strings.Repeat(" ", 20) + "\n", "too short"},
		{"  short-token-1  ", "too short"},
		{"비밀번호비밀번호비밀", "too short"}, // 10 characters, 30 bytes
		{"비밀번호비밀번호비밀번호비밀번호", ""},
		{"  a-long-enough-admin-token \n", ""},
	}
	for _, tt := range tests {
		c := Load(func(k string) string {
			if k == EnvAdminToken {
				return tt.env
			}
			return ""
		})
		err := c.Validate()
		switch {
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("token %q: error %v, want one saying %q", tt.env, err, tt.want)
		case tt.want == "" && err != nil:
			t.Errorf("token %q: %v", tt.env, err)
		case tt.want == "" && c.AdminToken != strings.TrimSpace(tt.env):
			t.Errorf("token %q is used as %q, want it trimmed", tt.env, c.AdminToken)
		}
	}
}
