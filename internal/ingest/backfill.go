package ingest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
)

// An organisation is often defined ("Full Name (ACR)") in one notice and
// named by its acronym alone in others. Notices read after the definition
// get the partner at once; those read before it (a news list is crawled
// newest first, and the definition is usually in the oldest notice) are
// extracted again when the run ends, so the partners of a notice do not
// depend on the order its site was read in.

// noteLearned remembers the acronyms of organisations a page defined that
// were not known before. Called with s.mu held.
func (s *Session) noteLearned(r *result) {
	if r == nil || s.skipBackfill {
		return
	}
	for _, p := range r.Learned {
		if p.Name == "" {
			continue
		}
		if s.learned == nil {
			s.learned = map[string]bool{}
		}
		s.learned[p.Name] = true
	}
}

// backfill extracts again, in a session of its own, every stored page whose
// notice names one of the acronyms as a word without having it as a
// partner.
func (g *Ingester) backfill(ctx context.Context, acronyms []string) (notice.RunSummary, error) {
	ids := map[string]bool{}
	err := g.store.EachNotice(func(n notice.Notice) error {
		if n.Withdrawn() {
			return nil
		}
		for _, a := range acronyms {
			if !slices.Contains(n.Partners, a) && n.Publisher != a && (namesWord(n.Body, a) || namesWord(n.Title, a)) {
				ids[n.ID] = true
				return nil
			}
		}
		return ctx.Err()
	})
	if err != nil || len(ids) == 0 {
		return notice.RunSummary{}, err
	}
	var pages []store.PageRecord
	err = g.store.EachPage(func(rec store.PageRecord) error {
		if ids[rec.NoticeID] && rec.Error == "" && rec.GoneAt.IsZero() {
			pages = append(pages, rec)
		}
		return nil
	})
	if err != nil {
		return notice.RunSummary{}, err
	}
	session := g.Begin(ctx)
	session.skipBackfill = true
	for _, rec := range pages {
		if ctx.Err() != nil {
			break
		}
		if err := g.rereadPage(session, nil, rec); err != nil {
			session.Close()
			return notice.RunSummary{}, err
		}
	}
	sum, err := session.Close()
	if err != nil {
		return sum, fmt.Errorf("ingest: tagging notices with organisations learned later: %w", err)
	}
	g.log.Info("notices read again for organisations defined later in the run", "acronyms", len(acronyms), "pages", len(pages), "updated", sum.Updated)
	return sum, ctx.Err()
}

// namesWord reports whether text holds word with no letter or digit
// directly before or after it.
func namesWord(text, word string) bool {
	for from := 0; ; {
		i := strings.Index(text[from:], word)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(word)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		from = start + 1
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
