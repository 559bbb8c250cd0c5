package web

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/ui"
)

// adminPageNames are the admin area's pages; each is parsed with the
// layout and the parts they share (admin-parts.html).
var adminPageNames = []string{"admin-signin", "admin-home", "admin-jobs", "admin-job", "admin-knowledge", "admin-notices", "admin-page", "admin-sites", "admin-site"}

func (s *Server) parseAdminPages() error {
	funcs := template.FuncMap{"asset": s.assets.url, "num": formatCount, "when": formatWhen, "took": formatTook}
	base, err := template.New("layout").Funcs(funcs).ParseFS(ui.Templates, "templates/layout.html", "templates/admin-parts.html")
	if err != nil {
		return fmt.Errorf("web: admin templates: %w", err)
	}
	for _, name := range adminPageNames {
		t, err := template.Must(base.Clone()).ParseFS(ui.Templates, "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("web: template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return nil
}

// AdminPage is what every admin page's parts need.
type AdminPage struct {
	Page
	// CSRF is this page's token for its forms (masked afresh each time).
	CSRF     string
	SignedIn bool
	// Nav is the admin section the page belongs to: "home", "jobs",
	// "sites", "notices" or "knowledge"; Curator tells whether the last
	// two exist, Registry whether the sites' pages do.
	Nav      string
	Curator  bool
	Registry bool
	Flashes  []Flash
}

// adminPage starts the view of a signed-in admin's page.
func (s *Server) adminPage(sess *session, title, nav string) AdminPage {
	return AdminPage{
		Page:     Page{Title: title + " · admin", Section: "admin"},
		CSRF:     s.admin.csrf.token(purposeSession, sess.id),
		SignedIn: true, Nav: nav, Curator: s.opts.Curator != nil, Registry: s.opts.Sites != nil,
		Flashes: s.admin.sessions.takeFlashes(sess),
	}
}

// renderAdmin renders an admin page; none is stored by caches or shown in
// search engines.
func (s *Server) renderAdmin(c *fiber.Ctx, status int, page string, view any) error {
	noStore(c)
	return s.render(c, status, page, view)
}

func noStore(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex, nofollow")
}

// seeOther answers a form post with a redirect to a page to GET.
func seeOther(c *fiber.Ctx, to string) error {
	noStore(c)
	return c.Redirect(to, http.StatusSeeOther)
}

// formatWhen writes a time for admins: UTC, to the second.
func formatWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// formatTook writes a duration as people read it: 850 ms, 12.3 s, 4 min 5 s.
func formatTook(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
}
