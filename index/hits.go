package index

import (
	"fmt"
	"html"
	"strings"

	"github.com/noticekb/noticekb/internal/notice"
)

// storedDoc is what the index stores of a notice.
type storedDoc struct {
	id, title, url, date, publisher, summary, body string
	partners, topics                               []string
}

// loadDoc reads a notice's stored fields by its document number.
func (r *reader) loadDoc(doc uint32, withBody bool) (storedDoc, error) {
	var d storedDoc
	seg, local := r.view.segmentOf(doc)
	err := r.snap.Segments()[seg].VisitDocument(local, func(field string, _ byte, value []byte, _ []uint64) bool {
		switch field {
		case fieldID:
			d.id = string(value)
		case fieldTitle:
			d.title = string(value)
		case fieldURL:
			d.url = string(value)
		case fieldDate:
			d.date = string(value)
		case fieldPublisher:
			d.publisher = string(value)
		case fieldSummary:
			d.summary = string(value)
		case fieldPartner:
			d.partners = append(d.partners, string(value))
		case fieldTopic:
			d.topics = append(d.topics, string(value))
		case fieldBody:
			if withBody {
				d.body = string(value)
			}
		}
		return true
	})
	if err != nil {
		return d, fmt.Errorf("index: load notice: %w", err)
	}
	return d, nil
}

// loadHits turns document numbers into hits with snippets and sort keys.
func (s *searcher) loadHits(docs []uint32, ranked *scoreRank) ([]notice.Hit, error) {
	hits := make([]notice.Hit, 0, len(docs))
	highlight := len(s.plan.marks) > 0 || len(s.plan.hangul) > 0
	for _, doc := range docs {
		d, err := s.loadDoc(doc, highlight)
		if err != nil {
			return nil, err
		}
		s.ids[doc] = d.id
		h := d.hit()
		if highlight {
			h.Snippet = snippet(d.body, s.analyzer, s.plan.marks, s.plan.hangul)
		}
		if h.Snippet == "" {
			h.Snippet = html.EscapeString(d.summary)
		}
		score := 0.0
		if ranked != nil {
			score = ranked.scoreOf(doc)
		}
		h.SortKey = s.sortKeyOf(doc, score)
		hits = append(hits, h)
	}
	return hits, nil
}

func (d storedDoc) hit() notice.Hit {
	return notice.Hit{
		ID: d.id, URL: d.url, Title: d.title, Date: dateOf(d.date), Publisher: d.publisher,
		Partners: nonNil(d.partners), Topics: nonNil(d.topics),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// summaryHit is a hit that shows the start of the notice, for lists that
// answer no words (related notices).
func (d storedDoc) summaryHit() notice.Hit {
	h := d.hit()
	h.Snippet = html.EscapeString(strings.TrimSpace(d.summary))
	return h
}
