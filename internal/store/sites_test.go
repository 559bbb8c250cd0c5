package store

import (
	"slices"
	"testing"
)

func TestSitesAndPagesOfHost(t *testing.T) {
	s := MustOpen(t)
	err := s.Write(func(w *Writer) error {
		for _, u := range []string{"https://example.org/a", "http://example.org/b", "https://example.org:8443/c", "https://other.example/d", "https://example.org.evil/e"} {
			if err := w.PutPage(PageRecord{URL: u}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sites, _ := s.Sites()
	slices.Sort(sites)
	if want := []string{"example.org", "example.org.evil", "example.org:8443", "other.example"}; !slices.Equal(sites, want) {
		t.Errorf("sites %v, want %v", sites, want)
	}
	var urls []string
	s.EachPageOfHost("EXAMPLE.org", func(r PageRecord) error { urls = append(urls, r.URL); return nil })
	if want := []string{"http://example.org/b", "https://example.org/a"}; !slices.Equal(urls, want) {
		t.Errorf("pages of example.org: %v, want %v", urls, want)
	}
}

func TestStages(t *testing.T) {
	s := MustOpen(t)
	err := s.Write(func(w *Writer) error {
		for _, op := range []string{"one", "two", "three"} {
			if err := w.StageAppend("job", []byte(op)); err != nil {
				return err
			}
		}
		return w.StageCommit("job")
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stages(); len(st) != 1 || st[0].Ops != 3 || !st[0].Committed {
		t.Fatalf("stages %+v", st)
	}
	var got [][]byte
	s.Write(func(w *Writer) error { got, err = w.StageTake("job", 2); return err })
	if len(got) != 2 || string(got[0]) != "one" || string(got[1]) != "two" {
		t.Errorf("took %q", got)
	}
	s.Write(func(w *Writer) error { return w.StageDrop("job") })
	s.Write(func(w *Writer) error { return w.StageDrop("never-made") })
	if st, _ := s.Stages(); len(st) != 0 {
		t.Errorf("stages left %+v", st)
	}
}
