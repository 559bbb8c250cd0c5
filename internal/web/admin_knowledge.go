package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/noticekb/noticekb/internal/notice"
)

// Curator is what the admin area changes besides jobs: the files
// extraction knows from, and which notices search shows. internal/kb
// wires it to the extractor, the data folder, the store and the index.
type Curator interface {
	// KnowledgeFiles describes the rules, taxonomy and gazetteer files.
	KnowledgeFiles() []KnowledgeFile
	// ReloadKnowledge reads one file again (by KnowledgeFile.Name) and
	// uses it, returning what is now in use. An invalid file is refused
	// with an error that says what is wrong; the knowledge in use stays.
	ReloadKnowledge(ctx context.Context, name string) (string, error)
	// SaveKnowledge writes text as one file and uses it, returning what
	// is now in use; text that would be refused on reload is refused
	// here, with the same error, and nothing changes.
	SaveKnowledge(ctx context.Context, name, text string) (string, error)
	// SetWithdrawn withdraws a notice from search on an admin's word, or
	// restores it, and brings the index up to date; it reports whether
	// anything changed.
	SetWithdrawn(ctx context.Context, id string, withdraw bool) (bool, error)
	// WithdrawnNotices lists withdrawn notices whose title, address or ID
	// contains text (all when empty), most recently withdrawn first, at
	// most limit, with how many there are in all.
	WithdrawnNotices(text string, limit int) ([]notice.Notice, int, error)
	// DateSources counts the notices in search by where their dates were
	// read (notice.Notice.DateSource, "" for none).
	DateSources() (map[string]int, error)
	// DatedNotices lists the notices in search whose date was read from
	// source ("" for those without a date) and whose title, address or ID
	// contains text, newest first, at most limit, with how many there are.
	DatedNotices(source, text string, limit int) ([]notice.Notice, int, error)
	// PageVerdict says why the stored page at url is or is not a notice;
	// notice.ErrNotFound when no page is stored there.
	PageVerdict(url string) (PageVerdict, error)
}

// KnowledgeFile is one file extraction knows from.
type KnowledgeFile struct {
	// Name is what ReloadKnowledge takes: "rules", "taxonomy", "gazetteer".
	Name, Title string
	// Path is where the data folder keeps the file; when it does not
	// exist, the shipped default is in use.
	Path   string
	Exists bool
	// Text is the file, or the shipped default when there is none; long
	// files are cut (Truncated).
	Text      string
	Truncated bool
	// InUse says what extraction uses now, loaded at Loaded.
	InUse  string
	Loaded time.Time
	// Changed tells that the file was written, created or removed since
	// what is in use was loaded.
	Changed bool
	// Error is why the last reload failed, if it did: the knowledge in
	// use is then older than the file.
	Error string
}

// KnowledgeView is the page of the knowledge files.
type KnowledgeView struct {
	AdminPage
	Files []KnowledgeFile
	// Draft is an admin's refused text for the file named DraftOf, shown
	// again in its editor with DraftError, so no typing is lost.
	DraftOf, Draft, DraftError string
}

func (s *Server) handleKnowledge(c *fiber.Ctx) error {
	return s.renderKnowledge(c, http.StatusOK, KnowledgeView{})
}

func (s *Server) renderKnowledge(c *fiber.Ctx, status int, v KnowledgeView) error {
	v.AdminPage = s.adminPage(sessionOf(c), "Rules and taxonomy", "knowledge")
	v.Files = s.opts.Curator.KnowledgeFiles()
	return s.renderAdmin(c, status, "admin-knowledge", v)
}

// maxKnowledgeText bounds a file saved from the admin area (the shipped
// files are under 10 KB; the request body limit is 1 MiB).
const maxKnowledgeText = 256 << 10

// handleSave checks an admin's text for one file and, if it is good,
// saves and uses it; a refused text comes back in its editor with the
// reason.
func (s *Server) handleSave(c *fiber.Ctx) error {
	name := utils.CopyString(c.Params("name"))
	known := slices.ContainsFunc(s.opts.Curator.KnowledgeFiles(), func(f KnowledgeFile) bool { return f.Name == name })
	if !known {
		return fiber.ErrNotFound
	}
	// Browsers send a textarea's line ends as CRLF.
	text := strings.ReplaceAll(utils.CopyString(c.FormValue("text")), "\r\n", "\n")
	refuse := func(reason string) error {
		s.log.Warn("admin save refused", "file", name, "reason", reason)
		return s.renderKnowledge(c, http.StatusUnprocessableEntity, KnowledgeView{DraftOf: name, Draft: text, DraftError: reason})
	}
	if len(text) > maxKnowledgeText {
		return refuse(fmt.Sprintf("the text is %d KB; the admin area saves files up to %d KB (edit larger ones on disk, then reload)", len(text)>>10, maxKnowledgeText>>10))
	}
	if !utf8.ValidString(text) {
		return refuse("the text is not valid UTF-8")
	}
	inUse, err := s.opts.Curator.SaveKnowledge(c.UserContext(), name, text)
	if err != nil {
		return refuse(err.Error())
	}
	s.log.Info("admin saved knowledge", "file", name, "in_use", inUse)
	s.admin.sessions.flash(sessionOf(c), Flash{Text: "Saved and in use: " + inUse + ". Stored notices keep what they were extracted with until their pages are read again.", Reextract: true})
	return seeOther(c, "/admin/knowledge#"+name)
}

// handleReload reloads one file. Either way the admin comes back to the
// files' page: with what is in use now and an offer to re-extract every
// stored page with it, or with what is wrong in the file.
func (s *Server) handleReload(c *fiber.Ctx) error {
	name := utils.CopyString(c.Params("name"))
	known := slices.ContainsFunc(s.opts.Curator.KnowledgeFiles(), func(f KnowledgeFile) bool { return f.Name == name })
	if !known {
		return fiber.ErrNotFound
	}
	sess := sessionOf(c)
	inUse, err := s.opts.Curator.ReloadKnowledge(c.UserContext(), name)
	if err != nil {
		// The admin needs the validation error itself (file, entry, field).
		s.log.Warn("admin reload refused", "file", name, "err", err)
		s.admin.sessions.flash(sess, Flash{Error: true, Text: "Not reloaded; what is in use stays as it was. " + err.Error()})
	} else {
		s.log.Info("admin reloaded knowledge", "file", name, "in_use", inUse)
		s.admin.sessions.flash(sess, Flash{Text: "Reloaded: " + inUse + ". Stored notices keep what they were extracted with until their pages are read again.", Reextract: true})
	}
	return seeOther(c, "/admin/knowledge#"+name)
}
