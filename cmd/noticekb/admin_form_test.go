package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/demo"
)

var formToken = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// The admin forms of the real `serve`: a wrong token and a form without
// its CSRF token are refused; signed in, a re-import of the demo runs.
func TestAdminFormsOverHTTP(t *testing.T) {
	base := strings.TrimSuffix(startAdminServe(t, t.TempDir()), "/")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	token := func(page string) string {
		t.Helper()
		m := formToken.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no form token:\n%.500s", page)
		}
		return m[1]
	}
	_, page := send("GET", "/admin", nil)
	if code, _ := send("POST", "/admin/signin", url.Values{"csrf": {token(page)}, "token": {"not-" + adminToken}}); code != http.StatusForbidden {
		t.Errorf("wrong token: %d, want 403", code)
	}
	if code, _ := send("POST", "/admin/signin", url.Values{"token": {adminToken}}); code != http.StatusForbidden {
		t.Errorf("sign-in without the form's token: %d, want 403", code)
	}
	_, page = send("GET", "/admin", nil)
	if code, _ := send("POST", "/admin/signin", url.Values{"csrf": {token(page)}, "token": {adminToken}}); code != http.StatusSeeOther {
		t.Fatalf("sign in: %d", code)
	}
	_, page = send("GET", "/admin", nil)
	for name, form := range map[string]url.Values{
		"no token":      {"kind": {"site"}, "url": {demo.StartURL}},
		"a wrong token": {"kind": {"site"}, "url": {demo.StartURL}, "csrf": {strings.Repeat("A", 86)}},
	} {
		if code, _ := send("POST", "/admin/jobs", form); code != http.StatusForbidden {
			t.Errorf("re-import with %s: %d, want 403", name, code)
		}
	}
	if jobs := jobsOf(t, base); jobs != 0 {
		t.Fatalf("%d jobs after refused forms", jobs)
	}
	code, _ := send("POST", "/admin/jobs", url.Values{"kind": {"site"}, "url": {demo.StartURL}, "csrf": {token(page)}})
	if code != http.StatusSeeOther || jobsOf(t, base) != 1 {
		t.Errorf("re-import with the form's token: %d", code)
	}
}

func jobsOf(t *testing.T, base string) int {
	t.Helper()
	var list struct{ Jobs []any }
	admin(t, "GET", base+"/api/v1/admin/jobs", "", &list)
	return len(list.Jobs)
}
