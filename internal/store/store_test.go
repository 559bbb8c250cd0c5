package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

func MustOpen(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "store.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func sample(url, title, body string) notice.Notice {
	return notice.Notice{ID: notice.IDForURL(url), URL: url, Title: title, Body: body, Publisher: "UNPOG",
		Partners: []string{"KLID"}, Topics: []string{"Smart city"}}
}

func put(tb testing.TB, s *Store, n notice.Notice) (Outcome, string) {
	tb.Helper()
	var outcome Outcome
	var id string
	err := s.Write(func(w *Writer) error {
		var err error
		outcome, id, err = w.PutNotice(n)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return outcome, id
}

func TestPutNoticeOutcomes(t *testing.T) {
	s := MustOpen(t)
	a := sample("https://example.org/a", "Title A", "Body of A.")
	if o, _ := put(t, s, a); o != Added {
		t.Fatalf("first put: %v, want added", o)
	}
	a.FetchedAt = time.Now() // fetch time alone is not a change
	if o, _ := put(t, s, a); o != Unchanged {
		t.Fatalf("same notice again: %v, want unchanged", o)
	}
	a.Topics = []string{"E-government"}
	if o, _ := put(t, s, a); o != Updated {
		t.Fatalf("changed topics: %v, want updated", o)
	}
	copyOfA := sample("https://example.org/a?utm_source=x", "Title A", "Body  of A.")
	if o, id := put(t, s, copyOfA); o != Duplicate || id != a.ID {
		t.Fatalf("same text under another URL: %v %s, want duplicate of %s", o, id, a.ID)
	}
	if s.LastSeq() != 2 {
		t.Errorf("LastSeq = %d, want 2 (one add, one update)", s.LastSeq())
	}
}

func TestChangesAndWithdraw(t *testing.T) {
	s := MustOpen(t)
	a := sample("https://example.org/a", "A", "Body A.")
	b := sample("https://example.org/b", "B", "Body B.")
	put(t, s, a)
	put(t, s, b)
	since := s.LastSeq()
	err := s.Write(func(w *Writer) error {
		changed, err := w.SetWithdrawn(a.ID, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
		if !changed {
			t.Error("withdraw reported no change")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	err = s.Changes(since, func(_ uint64, n notice.Notice) error {
		seen = append(seen, n.ID)
		if !n.Withdrawn() {
			t.Errorf("change %s is not withdrawn", n.ID)
		}
		return nil
	})
	if err != nil || len(seen) != 1 || seen[0] != a.ID {
		t.Fatalf("changes since %d = %v, %v; want [%s]", since, seen, err, a.ID)
	}
	live, withdrawn, _, err := s.Counts()
	if err != nil || live != 1 || withdrawn != 1 {
		t.Errorf("counts = %d live, %d withdrawn, %v", live, withdrawn, err)
	}
	// A withdrawn notice no longer blocks the same text elsewhere.
	moved := sample("https://example.org/moved", "A", "Body A.")
	if o, _ := put(t, s, moved); o != Added {
		t.Errorf("same text as a withdrawn notice: %v, want added", o)
	}
}

func TestNoticeNotFound(t *testing.T) {
	s := MustOpen(t)
	if _, err := s.Notice("nope"); !errors.Is(err, notice.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestRawPageRoundTrip(t *testing.T) {
	s := MustOpen(t)
	raw := []byte("<html><body>안녕하세요</body></html>")
	err := s.Write(func(w *Writer) error {
		return w.PutPage(PageRecord{URL: "https://example.org/p", ETag: `"x"`, ContentHash: HashBytes(raw)}, raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.RawPage("https://example.org/p")
	if err != nil || string(got) != string(raw) {
		t.Fatalf("RawPage = %q, %v", got, err)
	}
	rec, ok, err := s.Page("https://example.org/p")
	if err != nil || !ok || rec.ETag != `"x"` {
		t.Fatalf("Page = %+v, %v, %v", rec, ok, err)
	}
}

func TestOpenLockedStoreIsBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// bbolt's flock is per open file description, so a second Open in the
	// same process contends like a second process would.
	if _, err := Open(path); !errors.Is(err, notice.ErrBusy) {
		t.Fatalf("second open: %v, want ErrBusy", err)
	}
}

// A copy stored first under an undeclared URL gives way to the same text
// under the URL its site declares canonical.
func TestCanonicalNoticeSupersedesCopy(t *testing.T) {
	s := MustOpen(t)
	copyN := sample("https://example.org/copy", "One", "The one notice.")
	canon := sample("https://example.org/news/one", "One", "The one notice.")
	put(t, s, copyN)
	var outcome Outcome
	err := s.Write(func(w *Writer) error {
		var err error
		outcome, _, err = w.PutCanonicalNotice(canon)
		return err
	})
	if err != nil || outcome != Superseded {
		t.Fatalf("canonical put: %v %v, want superseded", outcome, err)
	}
	old, _ := s.Notice(copyN.ID)
	if !old.Withdrawn() {
		t.Error("the copy is still live")
	}
	// The copy's page seen again does not bring it back.
	if o, _ := put(t, s, copyN); o != Duplicate {
		t.Errorf("copy seen again: %v, want duplicate", o)
	}
	s.Write(func(w *Writer) error {
		if changed, _ := w.SetWithdrawn(copyN.ID, time.Time{}); changed {
			t.Error("a superseded copy was restored")
		}
		return nil
	})
	// The other way round, the canonical notice keeps its place.
	s2 := MustOpen(t)
	err = s2.Write(func(w *Writer) error {
		_, _, err := w.PutCanonicalNotice(canon)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if o, id := put(t, s2, copyN); o != Duplicate || id != canon.ID {
		t.Errorf("copy after canonical: %v %s, want duplicate of %s", o, id, canon.ID)
	}
}
