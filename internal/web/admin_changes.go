package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// The feed of what the runs of registered sites changed, for admins and
// for feed readers holding its key.

// changesKey is the key that lets a feed reader, which cannot sign in,
// read the feed of changes: derived from the admin token, so changing
// the token revokes it, and good for nothing else.
func (s *Server) changesKey() string {
	m := hmac.New(sha256.New, []byte(s.opts.AdminToken))
	m.Write([]byte("noticekb changes feed"))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// feedReader lets a signed-in admin, or a reader with the feed's key,
// read the feed of changes.
func (s *Server) feedReader(c *fiber.Ctx) error {
	if _, ok := s.adminSession(c); ok {
		return c.Next()
	}
	want := s.changesKey()
	if subtle.ConstantTimeCompare([]byte(c.Query("key")), []byte(want)) == 1 {
		return c.Next()
	}
	return fiber.NewError(http.StatusForbidden, "Sign in to the admin area, or use the feed's address with its key (shown on the admin's sites page).")
}

// changesSize is how many runs the feed of changes looks at.
const changesSize = 100

// handleChangesFeed is the Atom feed of what runs changed: every run that
// added, updated or withdrew notices, failed, was cut short or found its
// site closed by robots.txt; runs that changed nothing are left out.
func (s *Server) handleChangesFeed(c *fiber.Ctx) error {
	runs, err := s.opts.Sites.RecentRuns(changesSize)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	f := atomFeed{NS: atomNS, ID: s.atomID("/admin/changes.atom"), Title: "noticekb: what the runs of registered sites changed",
		Author: atomPerson{Name: "noticekb"}, Generator: "noticekb", Updated: time.Now().UTC().Format(time.RFC3339),
		Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: base + "/admin/sites"}}}
	for _, r := range runs {
		if !r.Done() || (r.State == notice.RunSucceeded && !r.Changed()) {
			continue
		}
		if len(f.Entries) == 0 {
			f.Updated = r.Finished.UTC().Format(time.RFC3339)
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:      s.atomID(fmt.Sprintf("/admin/sites/%s/runs/%d", url.PathEscape(r.Site), r.Seq)),
			Title:   atomText{Type: "text", Body: changeTitle(r)},
			Updated: r.Finished.UTC().Format(time.RFC3339), Published: r.Started.UTC().Format(time.RFC3339),
			Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: base + sitePath(r.Site) + fmt.Sprintf("#run-%d", r.Seq)}},
			Summary:    atomText{Type: "text", Body: changeText(r)},
			Categories: []atomCategory{{Term: r.Site}, {Term: string(r.State)}},
		})
	}
	out, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return fmt.Errorf("web: changes feed: %w", err)
	}
	noStore(c)
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	return c.Send(append([]byte(xml.Header), out...))
}

func changeTitle(r notice.SiteRun) string {
	s := r.Summary
	if r.State == notice.RunSucceeded {
		return fmt.Sprintf("%s: %d added, %d updated, %d withdrawn", r.Site, s.Added, s.Updated, s.Withdrawn)
	}
	return fmt.Sprintf("%s: run %s", r.Site, siteStateLabels[string(r.State)])
}

func changeText(r notice.SiteRun) string {
	s := r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "Run %d (%s, %s) %s: %d pages, %d added, %d updated, %d unchanged, %d withdrawn, %d failed; %d requests (%d not modified).",
		r.Seq, r.Kind, r.Trigger, r.State, s.Pages, s.Added, s.Updated, s.Unchanged, s.Withdrawn, s.Failed, r.Requests, r.NotModified)
	if r.Error != "" {
		b.WriteString("\n" + r.Error)
	}
	for i, f := range s.Failures {
		if i == 20 {
			fmt.Fprintf(&b, "\n… and %d more failures", s.Failed-20)
			break
		}
		fmt.Fprintf(&b, "\nfailed: %s: %s", f.URL, f.Reason)
	}
	return b.String()
}
