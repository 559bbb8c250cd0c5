package web

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/ui"
)

// pageNames are the templates that fill the layout's content block.
var pageNames = []string{"search", "notice", "error", "browse", "map"}

// parsePages builds one template set per page: the layout plus the page.
func parsePages(a *assets) (map[string]*template.Template, error) {
	funcs := template.FuncMap{"asset": a.url, "num": formatCount}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(ui.Templates, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.Must(layout.Clone()).ParseFS(ui.Templates, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// Page is what every page's layout needs.
type Page struct {
	Title   string
	Query   string
	FeedURL string
	// Section is the part of the site the page belongs to, for the
	// navigation: "search", "partners", "topics" or "map".
	Section string
}

// render executes a page template into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(c *fiber.Ctx, status int, page string, view any) error {
	return s.renderBlock(c, status, page, "layout", view)
}

// renderBlock renders one named block of a page's templates: the whole
// page ("layout") or a fragment that scripts swap in.
func (s *Server) renderBlock(c *fiber.Ctx, status int, page, block string, view any) error {
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, block, view); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// formatCount writes a count with thousands separators: 12,345.
func formatCount(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// safeSnippet keeps the <mark> tags of a highlighted snippet and escapes
// anything else that looks like markup. The index already escapes the
// text between marks; this makes that a guarantee of the web layer too.
func safeSnippet(s string) template.HTML {
	var b strings.Builder
	for s != "" {
		i := strings.Index(s, "<mark>")
		if i < 0 {
			b.WriteString(escapeLoose(s))
			break
		}
		b.WriteString(escapeLoose(s[:i]))
		rest := s[i+len("<mark>"):]
		j := strings.Index(rest, "</mark>")
		if j < 0 {
			b.WriteString(escapeLoose(rest))
			break
		}
		b.WriteString("<mark>" + escapeLoose(rest[:j]) + "</mark>")
		s = rest[j+len("</mark>"):]
	}
	return template.HTML(b.String())
}

// escapeLoose escapes <, > and quotes but leaves entities (&amp;) the
// index wrote alone.
func escapeLoose(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}
