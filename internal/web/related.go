package web

import (
	"context"

	"github.com/noticekb/noticekb/internal/notice"
)

// Relater finds the notices related to one (the index does). The notice
// page, the API (/api/v1/notices/{id}/related) and `noticekb search
// --related` all ask it, so they give one answer.
type Relater interface {
	Related(ctx context.Context, id string, size int) ([]notice.Hit, error)
}

// relatedCount is how many related notices the notice page lists, and
// the API by default.
const relatedCount = 5

// relater is the Searcher's Relater, if it is one.
func (s *Server) relater() (Relater, bool) {
	r, ok := s.opts.Searcher.(Relater)
	return r, ok
}
