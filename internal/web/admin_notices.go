package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
)

// AdminNoticeView is one notice in the admin lists.
type AdminNoticeView struct {
	ID, Title, URL, Date, DateISO, Publisher string
	WithdrawnAt                              time.Time
	ByAdmin                                  bool
}

func adminNoticeView(n notice.Notice) AdminNoticeView {
	return AdminNoticeView{
		ID: n.ID, Title: n.Title, URL: "/notices/" + n.ID, Date: n.Date.Human(), DateISO: n.Date.String(),
		Publisher: n.Publisher, WithdrawnAt: n.WithdrawnAt, ByAdmin: n.WithdrawnByAdmin,
	}
}

// NoticesView is the admin page of notices: those in search matching the
// words, and those withdrawn; or, with a date source chosen, those in
// search whose dates were read from it.
type NoticesView struct {
	AdminPage
	Text string
	// Back is this page's address, where the forms return.
	Back           string
	Live           []AdminNoticeView
	LiveTotal      uint64
	LiveMore       bool // more match than are listed
	Withdrawn      []AdminNoticeView
	WithdrawnTotal int
	// DateSources count the notices in search by where their dates were
	// read; Date is the one chosen, whose notices are then Live.
	DateSources []DateSourceView
	Date        *DateSourceView
}

const adminListSize = 20

func (s *Server) handleAdminNotices(c *fiber.Ctx) error {
	text := strings.TrimSpace(utils.CopyString(c.Query("q")))
	date := utils.CopyString(c.Query("date"))
	v := NoticesView{AdminPage: s.adminPage(sessionOf(c), "Notices", "notices"), Text: text, Back: "/admin/notices"}
	if text != "" {
		v.Back += "?q=" + url.QueryEscape(text)
	}
	counts, err := s.opts.Curator.DateSources()
	if err != nil {
		return err
	}
	v.DateSources = dateSourceViews(counts, date, text)
	if date != "" {
		return s.datedNotices(c, v, date)
	}
	if n, err := s.opts.Notices.Notice(text); err == nil && !n.Withdrawn() {
		v.Live = append(v.Live, adminNoticeView(n)) // an ID pasted in
	}
	q := notice.Query{Text: text, Size: adminListSize}
	if err := q.Normalize(); err != nil {
		return err
	}
	res, err := s.opts.Searcher.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	v.LiveTotal, v.LiveMore = res.Total, res.Total > uint64(len(res.Hits))
	for _, h := range res.Hits {
		if len(v.Live) == 0 || v.Live[0].ID != h.ID {
			v.Live = append(v.Live, AdminNoticeView{ID: h.ID, Title: h.Title, URL: "/notices/" + h.ID,
				Date: h.Date.Human(), DateISO: h.Date.String(), Publisher: h.Publisher})
		}
	}
	withdrawn, total, err := s.opts.Curator.WithdrawnNotices(text, adminListSize)
	if err != nil {
		return err
	}
	v.WithdrawnTotal = total
	for _, n := range withdrawn {
		v.Withdrawn = append(v.Withdrawn, adminNoticeView(n))
	}
	return s.renderAdmin(c, http.StatusOK, "admin-notices", v)
}

// datedNotices renders the notices page listing, as those in search, the
// ones whose dates were read from one source, matching the words.
func (s *Server) datedNotices(c *fiber.Ctx, v NoticesView, date string) error {
	source, err := dateFilter(date)
	if err != nil {
		return err
	}
	for i := range v.DateSources {
		if v.DateSources[i].Current {
			v.Date, v.Back = &v.DateSources[i], v.DateSources[i].URL
		}
	}
	dated, total, err := s.opts.Curator.DatedNotices(source, v.Text, adminListSize)
	if err != nil {
		return err
	}
	v.LiveTotal, v.LiveMore = uint64(total), total > len(dated)
	for _, n := range dated {
		v.Live = append(v.Live, adminNoticeView(n))
	}
	return s.renderAdmin(c, http.StatusOK, "admin-notices", v)
}

func (s *Server) handleWithdraw(c *fiber.Ctx) error { return s.setWithdrawn(c, true) }
func (s *Server) handleRestore(c *fiber.Ctx) error  { return s.setWithdrawn(c, false) }

// setWithdrawn withdraws or restores a notice, then returns to the page
// the form was on (the admin list or the notice's own page).
func (s *Server) setWithdrawn(c *fiber.Ctx, withdraw bool) error {
	id := utils.CopyString(c.Params("id"))
	back := safeNext(utils.CopyString(c.FormValue("back")))
	sess := sessionOf(c)
	n, err := s.opts.Notices.Notice(id)
	if err != nil {
		if errors.Is(err, notice.ErrNotFound) {
			return fiber.ErrNotFound
		}
		return err
	}
	changed, err := s.opts.Curator.SetWithdrawn(c.UserContext(), id, withdraw)
	switch {
	case err != nil && statusOf(err) >= 500:
		return err
	case err != nil:
		_, msg := adminMessage(err)
		s.admin.sessions.flash(sess, Flash{Error: true, Text: msg})
	case !changed && withdraw:
		s.admin.sessions.flash(sess, Flash{Text: "“" + n.Title + "” was withdrawn already."})
	case !changed:
		s.admin.sessions.flash(sess, Flash{Text: "“" + n.Title + "” is in search already."})
	case withdraw:
		s.log.Info("admin withdrew a notice", "id", id)
		s.admin.sessions.flash(sess, Flash{Text: "Withdrawn from search: “" + n.Title + "”. Re-imports keep it withdrawn until you restore it."})
	default:
		s.log.Info("admin restored a notice", "id", id)
		s.admin.sessions.flash(sess, Flash{Text: "Restored to search: “" + n.Title + "”."})
	}
	return seeOther(c, back)
}

// NoticeAdmin is the admin's box on a notice page.
type NoticeAdmin struct {
	// Action is where the form posts: the notice's withdraw or restore;
	// WhyURL is the admin page that says why its page is a notice.
	CSRF, Action, Back, WhyURL string
	Withdrawn                  bool
	Flashes                    []Flash
}

// noticeAdmin gives a signed-in admin's notice page its withdraw or
// restore form; for anyone else it is nil and the page is the visitors'.
func (s *Server) noticeAdmin(c *fiber.Ctx, n notice.Notice) *NoticeAdmin {
	sess, ok := s.adminSession(c)
	if !ok || s.opts.Curator == nil {
		return nil
	}
	noStore(c)
	a := &NoticeAdmin{
		CSRF: s.admin.csrf.token(purposeSession, sess.id), Action: "/admin/notices/" + n.ID + "/withdraw",
		Back: "/notices/" + n.ID, Withdrawn: n.Withdrawn(), Flashes: s.admin.sessions.takeFlashes(sess),
		WhyURL: "/admin/pages?url=" + url.QueryEscape(n.URL),
	}
	if a.Withdrawn {
		a.Action = "/admin/notices/" + n.ID + "/restore"
	}
	return a
}
