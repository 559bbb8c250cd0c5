package store

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

func setByAdmin(tb testing.TB, s *Store, id string, withdraw bool) (bool, error) {
	tb.Helper()
	var changed bool
	err := s.Write(func(w *Writer) error {
		var err error
		changed, err = w.SetWithdrawnByAdmin(id, withdraw, time.Now())
		return err
	})
	return changed, err
}

// An admin's withdrawal holds through what a re-import or re-extraction
// writes (the same notice, a changed one, a page answering 304 again)
// until an admin restores the notice.
func TestAdminWithdrawalOutlastsReimports(t *testing.T) {
	s := MustOpen(t)
	a := sample("https://example.org/a", "Title A", "Body of A.")
	put(t, s, a)
	if changed, err := setByAdmin(t, s, a.ID, true); err != nil || !changed {
		t.Fatalf("withdraw: %v %v", changed, err)
	}
	if changed, _ := setByAdmin(t, s, a.ID, true); changed {
		t.Error("withdrawing twice changed something")
	}
	seq := s.LastSeq()
	if o, _ := put(t, s, a); o != Unchanged || s.LastSeq() != seq {
		t.Errorf("the same notice re-imported: %v, seq %d -> %d", o, seq, s.LastSeq())
	}
	a.Topics = []string{"E-government"}
	if o, _ := put(t, s, a); o != Updated {
		t.Errorf("a changed notice re-imported: %v", o)
	}
	s.Write(func(w *Writer) error {
		changed, err := w.SetWithdrawn(a.ID, time.Time{}) // its page answered 304
		if changed || err != nil {
			t.Errorf("a page seen again restored the notice: %v %v", changed, err)
		}
		return nil
	})
	n, _ := s.Notice(a.ID)
	if !n.Withdrawn() || !n.WithdrawnByAdmin || n.Topics[0] != "E-government" {
		t.Fatalf("after re-imports: %+v", n)
	}
	if changed, err := setByAdmin(t, s, a.ID, false); err != nil || !changed {
		t.Fatalf("restore: %v %v", changed, err)
	}
	n, _ = s.Notice(a.ID)
	if n.Withdrawn() || n.WithdrawnByAdmin {
		t.Errorf("restored notice: %+v", n)
	}
	var last notice.Notice
	s.Changes(seq, func(_ uint64, n notice.Notice) error { last = n; return nil })
	if last.ID != a.ID || last.Withdrawn() {
		t.Errorf("the change log does not end with the restored notice: %+v", last)
	}
}

// Restoring works on a notice its site took down too; a superseded copy
// and an unknown notice are refused.
func TestAdminRestore(t *testing.T) {
	s := MustOpen(t)
	a := sample("https://example.org/a", "Title A", "Body of A.")
	put(t, s, a)
	s.Write(func(w *Writer) error { _, err := w.SetWithdrawn(a.ID, time.Now()); return err })
	if changed, err := setByAdmin(t, s, a.ID, false); err != nil || !changed {
		t.Fatalf("restore a notice its site withdrew: %v %v", changed, err)
	}
	if changed, err := setByAdmin(t, s, a.ID, false); err != nil || changed {
		t.Errorf("restore a live notice: %v %v", changed, err)
	}
	if _, err := setByAdmin(t, s, "nope", true); !errors.Is(err, notice.ErrNotFound) {
		t.Errorf("unknown notice: %v", err)
	}
	copyOfB := sample("https://example.org/b?ref=1", "Title B", "Body of B.")
	put(t, s, copyOfB)
	b := sample("https://example.org/b", "Title B", "Body of B.")
	s.Write(func(w *Writer) error { _, _, err := w.PutCanonicalNotice(b); return err })
	if _, err := setByAdmin(t, s, copyOfB.ID, false); !errors.Is(err, notice.ErrForbidden) {
		t.Errorf("restore a superseded copy: %v", err)
	}
}

// EachWithdrawn lists what an admin may restore: withdrawn notices, not
// live ones nor superseded copies.
func TestEachWithdrawn(t *testing.T) {
	s := MustOpen(t)
	live := sample("https://example.org/live", "Live", `A body that says "withdrawn_at" in quotes.`)
	gone := sample("https://example.org/gone", "Gone", "Gone from its site.")
	held := sample("https://example.org/held", "Held", "Withdrawn by an admin.")
	copyOfB := sample("https://example.org/b?ref=1", "Title B", "Body of B.")
	for _, n := range []notice.Notice{live, gone, held, copyOfB} {
		put(t, s, n)
	}
	s.Write(func(w *Writer) error {
		w.SetWithdrawn(gone.ID, time.Now())
		w.SetWithdrawnByAdmin(held.ID, true, time.Now())
		_, _, err := w.PutCanonicalNotice(sample("https://example.org/b", "Title B", "Body of B."))
		return err
	})
	got := map[string]bool{}
	err := s.EachWithdrawn(func(n notice.Notice) error {
		got[n.Title] = n.WithdrawnByAdmin
		if n.Body == "" || n.WithdrawnAt.IsZero() {
			t.Errorf("listed %+v", n)
		}
		return nil
	})
	if err != nil || len(got) != 2 || got["Gone"] || !got["Held"] {
		t.Errorf("withdrawn notices %v, %v", got, err)
	}
}

// Notices in search are counted by where their dates were read, and those
// of one source listed; a title that spells the stored key out, or a
// withdrawn notice, changes neither.
func TestDateSources(t *testing.T) {
	s := MustOpen(t)
	for _, n := range []struct{ url, title, source string }{
		{"https://example.org/rule", `Read by a rule, not "date_source":"updated"`, "rule"},
		{"https://example.org/updated", "Only an update date", notice.DateFromUpdate},
		{"https://example.org/search", "Found by the date search", "search"},
		{"https://example.org/none", "No date at all", ""},
		{"https://example.org/gone", "Withdrawn, only an update date", notice.DateFromUpdate},
	} {
		x := sample(n.url, n.title, "Body of "+n.title+".")
		if x.DateSource = n.source; n.source != "" {
			x.Date, _ = notice.NewDate(2022, time.May, 10)
		}
		put(t, s, x)
	}
	if _, err := setByAdmin(t, s, notice.IDForURL("https://example.org/gone"), true); err != nil {
		t.Fatal(err)
	}
	counts, err := s.DateSources()
	want := map[string]int{"rule": 1, notice.DateFromUpdate: 1, "search": 1, "": 1}
	if err != nil || !maps.Equal(counts, want) {
		t.Errorf("DateSources = %v %v, want %v", counts, err, want)
	}
	for source, title := range map[string]string{notice.DateFromUpdate: "Only an update date", "": "No date at all"} {
		var got []string
		err := s.EachDatedBy(source, func(n notice.Notice) error { got = append(got, n.Title); return nil })
		if err != nil || !slices.Equal(got, []string{title}) {
			t.Errorf("EachDatedBy(%q) = %q %v, want %q", source, got, err, title)
		}
	}
}
