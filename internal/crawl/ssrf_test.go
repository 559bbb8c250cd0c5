package crawl_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/noticekb/noticekb/internal/crawl"
)

// A name that resolves to a private address is refused like the address
// itself: the guard checks what is dialled, after DNS. "localhost" stands
// for any name an attacker points at 127.0.0.1, 10.x or 169.254.169.254
// (or re-points there after the check, DNS rebinding).
func TestGuardRefusesNamesResolvingToPrivateAddresses(t *testing.T) {
	var hits atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		html(noticeHTML("Internal", "2024-07-01", ""))(w, r)
	}))
	defer s.Close()
	named := strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
	g := &crawl.Guard{}
	if err := g.CheckHost(t.Context(), "localhost"); err == nil {
		t.Error("CheckHost allowed localhost")
	}
	k := newKB(t)
	var ev events
	cfg := fastConfig(&ev)
	cfg.Guard = g
	sum := k.crawl(t, cfg, named+"/")
	if hits.Load() != 0 || sum.Added != 0 || sum.Failed == 0 || !strings.Contains(sum.Failures[0].Reason, "forbidden") {
		t.Errorf("guarded crawl of %s: %d requests reached it, %+v", named, hits.Load(), sum)
	}
}

// A redirect (or a link) from a site to another host, such as a cloud
// metadata address or a service on the crawler's own machine, is not
// followed: a crawl stays on its site, and every request it does make is
// dialled through the guard. Here the site is allowed (it is a loopback
// test site), so only the site scope stands between it and the secret.
func TestRedirectsOffTheSiteAreNotFollowed(t *testing.T) {
	var secretHits atomic.Int64
	secret := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secretHits.Add(1)
		html(noticeHTML("Instance credentials", "2024-07-01", ""))(w, r)
	}))
	defer secret.Close()
	other := strings.Replace(secret.URL, "127.0.0.1", "localhost", 1)
	s := newSite(t, map[string]http.HandlerFunc{
		"/": html(listHTML("/meta", "/local", "/other-name", "/ok") + `<a href="` + secret.URL + `/direct">A notice title that links away directly</a>`),
		"/meta": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/iam/security-credentials/", http.StatusFound)
		},
		"/local": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, secret.URL+"/admin", http.StatusFound)
		},
		"/other-name": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other+"/x", http.StatusMovedPermanently)
		},
		"/ok": html(noticeHTML("A public notice", "2024-07-02", "")),
	})
	k := newKB(t)
	var ev events
	cfg := fastConfig(&ev)
	cfg.Guard = &crawl.Guard{AllowPrivate: true}
	sum := k.crawl(t, cfg, s.URL+"/")
	if secretHits.Load() != 0 {
		t.Errorf("the other host was requested %d times", secretHits.Load())
	}
	for u := range ev.byURL() {
		if strings.Contains(u, "169.254.169.254") {
			t.Errorf("the metadata address was requested: %s", u)
		}
	}
	if sum.Added != 1 {
		t.Errorf("added %d, want the public notice", sum.Added)
	}
}
