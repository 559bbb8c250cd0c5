package extract

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	trafilatura "github.com/markusmobius/go-trafilatura"

	"github.com/noticekb/noticekb/internal/notice"
)

// Baseline extracts a page with go-trafilatura alone, configured as its
// authors recommend for accuracy (fallback extractors on, its own htmldate
// date search in its default mode), reading the bytes itself. It exists so
// benchmarks can measure noticekb against the library it builds on in the
// same run; noticekb never uses it to extract notices. Partners, topics and
// publisher stay empty: the library has no such notion.
func Baseline(p Page) (notice.Notice, error) {
	var n notice.Notice
	if len(bytes.TrimSpace(p.Body)) == 0 {
		return n, fmt.Errorf("extract: %w: empty page", notice.ErrNoContent)
	}
	opts := trafilatura.Options{EnableFallback: true, ExcludeComments: true}
	if u, err := url.Parse(p.URL); err == nil && u.IsAbs() {
		opts.OriginalURL = u
		n.URL = u.String()
	}
	res, err := trafilatura.Extract(bytes.NewReader(p.Body), opts)
	if err != nil {
		return n, fmt.Errorf("extract: go-trafilatura: %w", err)
	}
	n.Title = strings.TrimSpace(res.Metadata.Title)
	n.Body = strings.TrimSpace(res.ContentText)
	if !res.Metadata.Date.IsZero() {
		n.Date = notice.DateOf(res.Metadata.Date)
	}
	n.Language = res.Metadata.Language
	return n, nil
}
