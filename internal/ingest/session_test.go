package ingest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/kbtest"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/topic"
	"github.com/noticekb/noticekb/internal/verdict"
)

func newIngester(t *testing.T) (*Ingester, *store.Store, *index.Index) {
	t.Helper()
	st, ix := kbtest.Open(t)
	return New(st, ix, extract.New(extract.Options{}), nil), st, ix
}

func page(url, title string) Page {
	body := strings.Repeat("Partners met to discuss public service innovation and digital government in the region. ", 8)
	html := `<html><head><title>` + title + `</title><meta property="og:type" content="article"></head><body><article><h1>` + title +
		`</h1><time class="published" datetime="2024-01-02">2 Jan 2024</time><p>` + body + `</p></article></body></html>`
	return Page{URL: url, FetchURL: url, Body: []byte(html), Status: 200, ContentType: "text/html", ETag: `"v1"`, Origin: OriginCrawl}
}

func add(t *testing.T, s *Session, p Page) {
	t.Helper()
	res, err := s.Extract(p)
	if err := s.Add(p, res, err); err != nil {
		t.Fatal(err)
	}
}

// A staged session writes nothing until it commits: an aborted one leaves
// store and index as they were; a committed one lands whole.
func TestStagedSessionCommitsOrLeavesNothing(t *testing.T) {
	g, st, ix := newIngester(t)
	s, err := g.BeginStaged(t.Context(), "job-a")
	if err != nil {
		t.Fatal(err)
	}
	add(t, s, page("https://example.org/n/1", "First notice"))
	s.flushAt = 1
	add(t, s, page("https://example.org/n/2", "Second notice")) // flushed to the stage
	if live, _, pages, _ := st.Counts(); live != 0 || pages != 0 {
		t.Fatalf("staged writes visible before commit: %d notices, %d pages", live, pages)
	}
	if _, err := s.Abort(); err != nil {
		t.Fatal(err)
	}
	if stages, _ := st.Stages(); len(stages) != 0 || st.LastSeq() != 0 || ix.Count() != 0 {
		t.Fatalf("after abort: stages %v, seq %d, index %d", stages, st.LastSeq(), ix.Count())
	}

	s, _ = g.BeginStaged(t.Context(), "job-b")
	add(t, s, page("https://example.org/n/1", "First notice"))
	add(t, s, page("https://example.org/n/2", "Second notice"))
	sum, err := s.Close()
	if err != nil || sum.Added != 2 {
		t.Fatalf("commit: %+v %v", sum, err)
	}
	if live, _, _, _ := st.Counts(); live != 2 || ix.Count() != 2 {
		t.Errorf("after commit: %d notices, index %d", live, ix.Count())
	}
}

// Recover drops the stage of a run that died and finishes one that had
// committed.
func TestRecoverStages(t *testing.T) {
	g, st, ix := newIngester(t)
	dead, _ := g.BeginStaged(t.Context(), "job-dead")
	dead.flushAt = 1
	add(t, dead, page("https://example.org/n/1", "First notice"))
	committed, _ := g.BeginStaged(t.Context(), "job-committed")
	committed.flushAt = 1
	add(t, committed, page("https://example.org/n/2", "Second notice"))
	if err := st.Write(func(w *store.Writer) error { return w.StageCommit("job-committed") }); err != nil {
		t.Fatal(err)
	}
	if err := g.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Notice(notice.IDForURL("https://example.org/n/1")); err == nil {
		t.Error("the dead run's notice was kept")
	}
	if _, err := st.Notice(notice.IDForURL("https://example.org/n/2")); err != nil || ix.Count() != 1 {
		t.Errorf("the committed run's notice: %v, index %d", err, ix.Count())
	}
	if stages, _ := st.Stages(); len(stages) != 0 {
		t.Errorf("stages left: %v", stages)
	}
}

// A page that goes withdraws its notice (kept, with the time); an alias
// that goes does not; a page that answers again restores it.
func TestGoneAndBack(t *testing.T) {
	g, st, ix := newIngester(t)
	s := g.Begin(t.Context())
	own := page("https://example.org/n/1", "First notice")
	add(t, s, own)
	alias := page("https://example.org/m/n/1", "First notice")
	alias.Body = []byte(strings.Replace(string(alias.Body), "<head>", `<head><link rel="canonical" href="https://example.org/n/1">`, 1))
	add(t, s, alias)
	if _, err := s.Close(); err != nil {
		t.Fatal(err)
	}
	id := notice.IDForURL(own.URL)

	s = g.Begin(t.Context())
	s.Gone(alias.URL, 404)
	sum, _ := s.Close()
	if n, _ := st.Notice(id); n.Withdrawn() || sum.Withdrawn != 0 {
		t.Fatalf("an alias going withdrew the notice: %+v", sum)
	}
	s = g.Begin(t.Context())
	s.Gone(own.URL, 410)
	sum, _ = s.Close()
	n, _ := st.Notice(id)
	rec, _, _ := st.Page(own.URL)
	if !n.Withdrawn() || sum.Withdrawn != 1 || rec.GoneAt.IsZero() || ix.Count() != 0 {
		t.Fatalf("gone page: withdrawn %v, summary %+v, gone at %v, index %d", n.Withdrawn(), sum, rec.GoneAt, ix.Count())
	}
	s = g.Begin(t.Context())
	s.Unchanged(Page{URL: own.URL, Origin: OriginCrawl})
	s.Close()
	if n, _ := st.Notice(id); n.Withdrawn() || ix.Count() != 1 {
		t.Errorf("a page that answers again is not restored")
	}
}

// A page is judged on its own evidence and its origin: an undated page
// with text is a notice when a person chose the file, not when a crawl
// merely met it; a list never is.
func TestJudgeByOrigin(t *testing.T) {
	undated := &extract.Result{Page: verdict.Page{Title: true, Enough: true, Words: 100}}
	list := &extract.Result{Page: verdict.Page{Title: true, Enough: true, DateSource: "page", Teasers: 5, TeasersFirst: true, Items: 5}}
	tests := []struct {
		name   string
		res    *extract.Result
		origin Origin
		want   verdict.Kind
	}{
		{"undated text, imported", undated, OriginImport, verdict.Notice},
		{"undated text, crawled", undated, OriginCrawl, verdict.Other},
		{"undated text, linked from a list", undated, OriginList, verdict.Other},
		{"a list, imported", list, OriginImport, verdict.List},
	}
	for _, tt := range tests {
		if got := Judge(tt.res, tt.origin); got.Kind != tt.want {
			t.Errorf("%s: %s, want %s\n%s", tt.name, got.Kind, tt.want, got.Explain())
		}
	}
}

// A page that no longer reads as a notice (new rules) takes its notice
// out of search; reextract does this without network.
func TestRereadWithdrawsWhatIsNoLongerANotice(t *testing.T) {
	g, st, ix := newIngester(t)
	s := g.Begin(t.Context())
	p := page("https://example.org/n/1", "First notice")
	add(t, s, p)
	s.Close()
	s = g.Begin(t.Context())
	res, _ := s.Extract(p)
	res.Page.Teasers, res.Page.TeasersFirst = 6, true // its content became a list
	s.Reread(Page{URL: p.URL, FetchURL: p.URL, Origin: OriginCrawl}, res, nil)
	sum, _ := s.Close()
	n, _ := st.Notice(notice.IDForURL(p.URL))
	if sum.Withdrawn != 1 || !n.Withdrawn() || ix.Count() != 0 {
		t.Errorf("summary %+v, withdrawn %v, index %d", sum, n.Withdrawn(), ix.Count())
	}
	if raw, err := st.RawPage(p.URL); err != nil || len(raw) != len(p.Body) {
		t.Errorf("reread lost the stored bytes: %d, %v", len(raw), err)
	}
}

// ReextractStaged applies what the knowledge in use extracts in one commit
// at its end: cancelled, it changes nothing. A notice an admin withdrew
// stays withdrawn through it.
func TestReextractStaged(t *testing.T) {
	g, st, ix := newIngester(t)
	s := g.Begin(t.Context())
	for _, u := range []string{"https://example.org/n/1", "https://example.org/n/2", "https://example.org/n/3"} {
		add(t, s, page(u, "Notice "+u[len(u)-1:]))
	}
	s.Close()
	held := notice.IDForURL("https://example.org/n/3")
	st.Write(func(w *store.Writer) error { _, err := w.SetWithdrawnByAdmin(held, true, time.Now()); return err })
	g.Sync(t.Context())
	err := g.Extractor().SetTaxonomy(topic.Taxonomy{Topics: []notice.Topic{{ID: "region", Label: "Regional work", Keywords: []string{"region"}}}})
	if err != nil {
		t.Fatal(err)
	}
	seq := st.LastSeq()
	cancelled, cancel := context.WithCancel(t.Context())
	_, err = g.ReextractStaged(cancelled, "job-r1", func(read, total int) { cancel() })
	if err == nil || st.LastSeq() != seq {
		t.Fatalf("cancelled re-extraction: %v, seq %d -> %d", err, seq, st.LastSeq())
	}
	var last [2]int
	sum, err := g.ReextractStaged(t.Context(), "job-r2", func(read, total int) { last = [2]int{read, total} })
	if err != nil || sum.Updated != 3 || last != [2]int{3, 3} {
		t.Fatalf("re-extraction: %+v %v, progress %v", sum, err, last)
	}
	n, _ := st.Notice(held)
	if !n.Withdrawn() || n.Topics[0] != "Regional work" || ix.Count() != 2 {
		t.Errorf("the notice an admin withdrew: %+v; index %d", n, ix.Count())
	}
	if stages, _ := st.Stages(); len(stages) != 0 {
		t.Errorf("stages left: %v", stages)
	}
}
