package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/parallel"
	"github.com/noticekb/noticekb/internal/verdict"
)

// extractLine is one line of `noticekb extract`: the contract fields, plus
// language, SDGs, the page's kind and where its date was read, or an error.
type extractLine struct {
	noticeFields
	SDGs     []string `json:"sdgs"`
	Sections []string `json:"sections,omitempty"`
	Language string   `json:"language"`
	// Kind is the page's verdict on its own evidence: what a crawl decides
	// too, before it knows the rest of the site.
	Kind  string `json:"kind,omitempty"`
	Error string `json:"error,omitempty"`
	// verdict is the judgement behind Kind, and pattern the template a
	// crawl judges the page with, for --explain.
	verdict *verdict.Verdict
	pattern string
}

func cmdExtract(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(commandNamed("extract"), e)
	pageURL := fs.String("url", "", "`URL` the page was published at (resolves links, site rules and URL dates)")
	explain := fs.Bool("explain", false, "instead of JSON, say why each page is or is not a notice: the evidence, with its weights")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	x := extract.New(extract.Options{})
	files := fs.Args()
	lines := make([]extractLine, len(files))
	// Files are extracted in parallel; lines are printed in the order given.
	parallel.For(ctx, len(files), runtime.GOMAXPROCS(0), func(i int) {
		lines[i] = extractFile(x, files[i], *pageURL)
	})
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	failed, first := 0, ""
	for i, l := range lines {
		if *explain {
			writeExplanation(e.stdout, l)
		} else if err := enc.Encode(l); err != nil {
			return err
		}
		if l.Error == "" {
			continue
		}
		if failed++; failed == 1 {
			first = l.Error
			if !strings.Contains(first, files[i]) {
				first = files[i] + ": " + first
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Every file was named: one that could not be read is work not done.
	switch {
	case failed == 1:
		return fmt.Errorf("extract: %s", first)
	case failed > 1:
		return fmt.Errorf("extract: %d of %d files could not be read (see the error of their lines)", failed, len(files))
	}
	return nil
}

func extractFile(x *extract.Extractor, path, pageURL string) extractLine {
	body, err := ingest.ReadFile(path)
	if err != nil {
		line := newExtractLine(path, pageURL)
		line.Error = err.Error()
		return line
	}
	return extractBytes(x, path, body, pageURL)
}

func newExtractLine(path, pageURL string) extractLine {
	return extractLine{noticeFields: noticeFields{ID: ingest.FileID(path), URL: pageURL, Partners: []string{}, Topics: []string{}}, SDGs: []string{}}
}

// extractBytes is one line of `noticekb extract` for a file's bytes; the
// extraction benchmark calls it too, so its numbers are this command's.
func extractBytes(x *extract.Extractor, path string, body []byte, pageURL string) extractLine {
	line := newExtractLine(path, pageURL)
	res, err := x.Extract(extract.Page{URL: pageURL, Body: body})
	if err != nil {
		line.Error = err.Error()
		return line
	}
	n := res.Notice
	line.Title, line.Date, line.Body, line.Publisher = n.Title, n.Date.String(), n.Body, n.Publisher
	line.Partners, line.Topics, line.Language, line.Kind = n.Partners, n.Topics, n.Language, res.Kind.String()
	line.DateSource, line.Sections = res.DateSource, n.Sections
	if n.SDGs != nil {
		line.SDGs = n.SDGs
	}
	line.verdict = &res.Verdict
	if res.Page.URL != "" {
		line.pattern = verdict.Pattern(res.Page.URL) + ", skeleton " + res.Page.Skeleton
	} else {
		line.pattern = "skeleton " + res.Page.Skeleton
	}
	return line
}

// writeExplanation says why a page is or is not a notice: its verdict on
// its own evidence, each piece with its weight, and the template a crawl
// would judge it with. A crawl adds what the site says (the lists that
// hold the page, the other pages of its template); an admin who disagrees
// writes a site rule (notice_url, or a layout's selectors).
func writeExplanation(w io.Writer, l extractLine) {
	name := l.ID
	if l.URL != "" {
		name += "  " + l.URL
	}
	fmt.Fprintln(w, name)
	if l.Error != "" {
		fmt.Fprintf(w, "  error: %s\n\n", l.Error)
		return
	}
	fmt.Fprintf(w, "  title: %s\n  date: %s (%s)\n", l.Title, orDash(l.Date), orDash(l.DateSource))
	for _, line := range strings.Split(strings.TrimRight(l.verdict.Explain(), "\n"), "\n") {
		fmt.Fprintln(w, "  "+line)
	}
	fmt.Fprintf(w, "  template: %s\n\n", l.pattern)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
