package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/parallel"
)

// extractLine is one line of `noticekb extract`: the contract fields, plus
// language, SDGs, the page's kind and where its date was read, or an error.
type extractLine struct {
	noticeFields
	SDGs     []string `json:"sdgs"`
	Language string   `json:"language"`
	Kind     string   `json:"kind,omitempty"`
	Error    string   `json:"error,omitempty"`
}

func cmdExtract(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(commandNamed("extract"), e)
	pageURL := fs.String("url", "", "`URL` the page was published at (resolves links, site rules and URL dates)")
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
		if err := enc.Encode(l); err != nil {
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
	line.DateSource = res.DateSource
	if n.SDGs != nil {
		line.SDGs = n.SDGs
	}
	return line
}
