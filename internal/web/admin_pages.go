package web

import (
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
)

// adminArea is the admin site's state: sign-in sessions, the throttle on
// wrong tokens and the key of the forms' CSRF tokens. All of it lives in
// memory, for one process.
type adminArea struct {
	sessions *sessions
	throttle *throttle
	csrf     csrfKey
}

// CSRF token purposes: a signed-in session's forms, and the sign-in form.
const (
	purposeSession = "session"
	purposeSignin  = "signin"
)

const sessionLocal = "admin-session"

func (s *Server) enableAdmin() {
	if s.admin == nil {
		s.admin = &adminArea{sessions: newSessions(time.Now), throttle: newThrottle(time.Now), csrf: newCSRFKey()}
	}
}

// adminPageRoutes are the admin site's pages. Every form posts with a
// CSRF token; every page is uncompressed (see skipCompression) and sent
// with Cache-Control: no-store.
func (s *Server) adminPageRoutes(app *fiber.App) {
	s.enableAdmin()
	get := func(path string, h fiber.Handler) { app.Get(path, s.signedIn, h) }
	post := func(path string, h fiber.Handler) { app.Post(path, s.signedIn, s.checkForm, h) }

	app.Use("/admin", func(c *fiber.Ctx) error {
		noStore(c) // error pages and redirects included
		return c.Next()
	})
	app.Get("/admin", s.handleAdminHome)
	app.Post("/admin/signin", s.handleSignIn)
	post("/admin/signout", s.handleSignOut)
	post("/admin/jobs", s.handleStartJob)
	get("/admin/jobs", s.handleJobsPage)
	get("/admin/jobs/:id", s.handleJobPage)
	post("/admin/jobs/:id/cancel", s.handleCancelJobForm)
	if s.opts.Sites != nil {
		s.sitePageRoutes(app)
	}
	if s.opts.Curator != nil {
		get("/admin/knowledge", s.handleKnowledge)
		post("/admin/knowledge/:name/reload", s.handleReload)
		post("/admin/knowledge/:name/save", s.handleSave)
		get("/admin/notices", s.handleAdminNotices)
		get("/admin/pages", s.handleAdminPage)
		post("/admin/notices/:id/withdraw", s.handleWithdraw)
		post("/admin/notices/:id/restore", s.handleRestore)
	}
}

// signedIn lets through requests of a signed-in admin, with the session
// in the request's locals. Others are sent to sign in (pages) or refused
// (forms).
func (s *Server) signedIn(c *fiber.Ctx) error {
	sess, ok := s.adminSession(c)
	if !ok {
		if c.Method() == fiber.MethodGet {
			return seeOther(c, "/admin?next="+url.QueryEscape(string(c.Request().URI().RequestURI())))
		}
		return fiber.NewError(http.StatusForbidden, "You are not signed in to the admin area (or your session has ended). Sign in again at /admin.")
	}
	c.Locals(sessionLocal, sess)
	return c.Next()
}

func sessionOf(c *fiber.Ctx) *session { return c.Locals(sessionLocal).(*session) }

// checkForm refuses a form post that another site started, or whose CSRF
// token is not its session's.
func (s *Server) checkForm(c *fiber.Ctx) error {
	if !s.sameSite(c) || !s.admin.csrf.valid(purposeSession, sessionOf(c).id, c.FormValue(csrfField)) {
		s.log.Warn("admin form refused: cross-site or without its CSRF token", "path", c.Path(), "client", c.IP())
		return fiber.NewError(http.StatusForbidden, "This form was not sent from this site's admin pages (its security token is missing or stale). Go back, reload the page and try again.")
	}
	return c.Next()
}

// safeNext is where to go after signing in: a path of this site's admin
// area or notice pages only, never another site ("//evil.example").
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/admin"
	}
	u.Path = path.Clean("/" + u.Path)
	if u.Path != "/admin" && !strings.HasPrefix(u.Path, "/admin/") && !strings.HasPrefix(u.Path, "/notices/") {
		return "/admin"
	}
	return u.RequestURI()
}

// SignInView is the sign-in page.
type SignInView struct {
	AdminPage
	Next    string
	Message string
	Error   bool
}

func (s *Server) handleAdminHome(c *fiber.Ctx) error {
	if sess, ok := s.adminSession(c); ok {
		return s.renderHome(c, sess, http.StatusOK, homeForm{})
	}
	v := SignInView{Next: safeNext(c.Query("next"))}
	if c.Query("signed_out") == "1" {
		v.Message = "You are signed out."
	}
	return s.renderSignIn(c, http.StatusOK, v)
}

// renderSignIn shows the sign-in form, tied for CSRF to a nonce in a
// cookie that lasts an hour (reused while it lasts, so two tabs work).
func (s *Server) renderSignIn(c *fiber.Ctx, status int, v SignInView) error {
	nonce := utils.CopyString(c.Cookies(signinCookie))
	if len(nonce) != 43 {
		nonce = randomToken(32)
		s.setCookie(c, signinCookie, nonce, "/admin", 3600)
	}
	v.Page = Page{Title: "Sign in · admin", Section: "admin"}
	v.CSRF = s.admin.csrf.token(purposeSignin, nonce)
	return s.renderAdmin(c, status, "admin-signin", v)
}

func (s *Server) handleSignIn(c *fiber.Ctx) error {
	client := s.client(c)
	v := SignInView{Next: safeNext(c.FormValue("next")), Error: true}
	if !s.sameSite(c) {
		return fiber.NewError(http.StatusForbidden, "Sign in from this site's own sign-in page.")
	}
	if !s.admin.csrf.valid(purposeSignin, c.Cookies(signinCookie), c.FormValue(csrfField)) {
		c.Request().Header.DelCookie(signinCookie) // a fresh nonce comes with the form
		v.Message = "The sign-in form had expired (or your browser refused its cookie). Enter the token again."
		return s.renderSignIn(c, http.StatusForbidden, v)
	}
	if !s.isAdminToken(c.FormValue("token")) {
		waiting, wait := s.admin.throttle.failWhileWaiting(client)
		s.log.Warn("admin sign-in: wrong token", "client", client)
		if waiting {
			v.Message = tooManyFailures(c, wait).(*fiber.Error).Message
			return s.renderSignIn(c, http.StatusTooManyRequests, v)
		}
		v.Message = "That is not the admin token."
		if wait > 0 {
			v.Message += " " + tooManyFailures(c, wait).(*fiber.Error).Message
		}
		return s.renderSignIn(c, http.StatusForbidden, v)
	}
	s.admin.throttle.succeed(client)
	if old, ok := s.adminSession(c); ok {
		s.admin.sessions.end(old.id) // one browser, one session
	}
	sess := s.admin.sessions.create()
	s.setCookie(c, s.sessionCookieName(c), sess.id, "/", 0)
	s.setCookie(c, signinCookie, "", "/admin", -1)
	s.log.Info("admin signed in", "client", client)
	return seeOther(c, v.Next)
}

func (s *Server) handleSignOut(c *fiber.Ctx) error {
	s.admin.sessions.end(sessionOf(c).id)
	s.setCookie(c, s.sessionCookieName(c), "", "/", -1)
	s.log.Info("admin signed out", "client", s.client(c))
	return seeOther(c, "/admin?signed_out=1")
}
