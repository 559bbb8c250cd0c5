package ingest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

func pageWithText(url, title, text string) Page {
	p := page(url, title)
	p.Body = []byte(strings.Replace(string(p.Body), "<p>", "<p>"+text+" ", 1))
	return p
}

// A notice that names an organisation by acronym before any notice has
// defined it gets the partner once a later page of the run defines it,
// whichever session kind reads them.
func TestPartnersDefinedLaterInTheRun(t *testing.T) {
	for _, staged := range []bool{false, true} {
		g, st, ix := newIngester(t)
		var s *Session
		if staged {
			var err error
			if s, err = g.BeginStaged(t.Context(), "job"); err != nil {
				t.Fatal(err)
			}
		} else {
			s = g.Begin(t.Context())
		}
		early := pageWithText("https://example.org/n/2", "Second workshop with KXRI",
			"KXRI and the centre held a second workshop on open data.")
		later := pageWithText("https://example.org/n/1", "Agreement signed",
			"The centre signed an agreement with the Korea Xylophone Research Institute (KXRI) on open data.")
		unrelated := pageWithText("https://example.org/n/3", "Other news", "The KXRIS programme is not the institute.")
		add(t, s, early)
		add(t, s, unrelated)
		add(t, s, later)
		if _, err := s.Close(); err != nil {
			t.Fatal(err)
		}
		partners := map[string][]string{}
		st.EachNotice(func(n notice.Notice) error {
			partners[n.URL] = n.Partners
			return nil
		})
		for url, want := range map[string]bool{early.URL: true, later.URL: true, unrelated.URL: false} {
			if got := slices.Contains(partners[url], "KXRI"); got != want {
				t.Errorf("staged %v: %s has KXRI %v, want %v (partners %v)", staged, url, got, want, partners[url])
			}
		}
		res, err := ix.Search(context.Background(), notice.Query{Filters: map[string][]string{notice.FacetPartner: {"KXRI"}}, Page: 1, Size: 10})
		if err != nil || res.Total != 2 {
			t.Errorf("staged %v: search for the partner: %v, %+v", staged, err, res)
		}
	}
}

func TestNamesWord(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"KXRI held", true},
		{"with KXRI.", true},
		{"(KXRI)", true},
		{"KXRIS held", false},
		{"AKXRI", false},
		{"KXRI2", false},
		{"first KXRIS then KXRI", true},
		{"", false},
		{"한국KXRI", false},
	} {
		if got := namesWord(tt.text, "KXRI"); got != tt.want {
			t.Errorf("namesWord(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
