package web

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

// A visitor reads a domain error's own wording, without the packages'
// context around it; the sentinel is found with errors.Is, so words that
// merely look like another error's ("not found" in a detail) change nothing.
func TestPublicMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{notice.ErrNotFound, "not found"},
		{fmt.Errorf("store: notice %s: %w", "ab12", notice.ErrNotFound), "not found"},
		{fmt.Errorf("index: %w", fmt.Errorf("%w: size must be between 1 and 100", notice.ErrInvalidQuery)), "invalid query: size must be between 1 and 100"},
		{fmt.Errorf("%w: no notice has the partner %q", notice.ErrInvalidQuery, "not found"), `invalid query: no notice has the partner "not found"`},
		{fmt.Errorf("jobs: job 7 has already ended (succeeded): %w", notice.ErrBusy), "busy"},
		{errors.New("a parse error in invalid query syntax"), "Bad Request"},
	}
	for _, tt := range tests {
		if got := publicMessage(tt.err, statusOrBadRequest(tt.err)); got != tt.want {
			t.Errorf("publicMessage(%q) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if got := publicMessage(fmt.Errorf("store: /data/store.db: %w", errors.New("disk full")), http.StatusInternalServerError); got == "" || got == "disk full" {
		t.Errorf("a server fault shows %q", got)
	}
}

func statusOrBadRequest(err error) int {
	if s := statusOf(err); s < 500 {
		return s
	}
	return http.StatusBadRequest
}
