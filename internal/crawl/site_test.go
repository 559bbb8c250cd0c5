package crawl_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/crawl"
	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/kbtest"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/testbed"
)

// kb is a real knowledge base in a temporary folder: store, index,
// extractor and ingester, as internal/kb wires them.
type kb struct {
	store *store.Store
	index *index.Index
	g     *ingest.Ingester
}

func newKB(t *testing.T) *kb {
	t.Helper()
	st, ix := kbtest.Open(t)
	return &kb{store: st, index: ix, g: ingest.New(st, ix, extract.New(extract.Options{}), nil)}
}

// events records every page request of a crawl.
type events struct {
	mu  sync.Mutex
	all []crawl.Event
}

func (e *events) add(ev crawl.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) byURL() map[string]crawl.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := map[string]crawl.Event{}
	for _, ev := range e.all {
		m[ev.URL] = ev
	}
	return m
}

func fastConfig(ev *events) crawl.Config {
	return crawl.Config{Delay: 0, Concurrency: 4, RetryBackoff: 20 * time.Millisecond, Timeout: 5 * time.Second, OnPage: ev.add}
}

func (k *kb) crawl(t *testing.T, cfg crawl.Config, start string) notice.RunSummary {
	t.Helper()
	session := k.g.Begin(t.Context())
	err := crawl.New(cfg).Run(t.Context(), []string{start}, ingest.NewCrawlSink(session))
	sum, cerr := session.Close()
	if err := errors.Join(err, cerr); err != nil {
		t.Fatalf("crawl: %v", err)
	}
	return sum
}

// export writes the live notices as `noticekb export` does, for the scorer.
func (k *kb) export(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pred.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	err = k.store.EachNotice(func(n notice.Notice) error {
		if n.Withdrawn() {
			return nil
		}
		return enc.Encode(map[string]any{"url": n.URL, "title": n.Title, "date": n.Date.String(), "body": n.Body,
			"partners": n.Partners, "topics": n.Topics})
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func (k *kb) score(t *testing.T, bed testbed.Bed, site string) testbed.Score {
	t.Helper()
	s, out, err := bed.Score(t.Context(), site, k.export(t))
	if err != nil {
		t.Fatal(err)
	}
	if s["import_recall"] < 1 || s["spurious"] != 0 {
		t.Errorf("import_recall=%v spurious=%v, want 1 and 0:\n%s", s["import_recall"], s["spurious"], out)
	}
	return s
}

func (k *kb) noticeAt(t *testing.T, base, path string) notice.Notice {
	t.Helper()
	n, err := k.store.Notice(notice.IDForURL(strings.TrimSuffix(base, "/") + path))
	if err != nil {
		t.Fatalf("notice %s: %v", path, err)
	}
	return n
}

func startSite(t *testing.T, notices int, args ...string) (testbed.Bed, string, *testbed.Server) {
	t.Helper()
	bed, err := testbed.Find()
	if err != nil {
		t.Skip(err)
	}
	site := filepath.Join(t.TempDir(), "site")
	if err := bed.Generate(t.Context(), site, notices, 11); err != nil {
		t.Fatal(err)
	}
	srv, err := bed.Serve(site, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return bed, site, srv
}

// The generated site end to end: every notice imported once and nothing
// else (traps, faults, robots.txt, aliases and all); a re-crawl of the
// unchanged site costs only 304s and re-indexes nothing; after the site
// changes, exactly the edited notices are updated, the new ones added and
// the deleted ones withdrawn from search.
func TestGeneratedSiteImportAndIncrementalRecrawl(t *testing.T) {
	bed, site, srv := startSite(t, 60, "--slow-seconds", "0.2", "--log")
	k := newKB(t)
	var first events
	sum := k.crawl(t, fastConfig(&first), srv.URL)
	k.score(t, bed, site)
	if sum.Added != 60 {
		t.Errorf("first crawl added %d, want 60: %+v", sum.Added, sum)
	}
	for _, line := range strings.Split(srv.Log(), "\n") {
		if strings.Contains(line, "/private/") {
			t.Errorf("robots.txt disallows /private/, yet: %s", line)
		}
	}

	// Unchanged site: every notice page answers 304, nothing is re-indexed.
	seq, applied := k.store.LastSeq(), k.index.AppliedSeq()
	var second events
	sum = k.crawl(t, fastConfig(&second), srv.URL)
	if sum.Added != 0 || sum.Updated != 0 || sum.Withdrawn != 0 || sum.Unchanged < 60 {
		t.Errorf("re-crawl of an unchanged site: %+v", sum)
	}
	if k.store.LastSeq() != seq || k.index.AppliedSeq() != applied {
		t.Errorf("re-crawl changed the store or index: seq %d -> %d, index %d -> %d", seq, k.store.LastSeq(), applied, k.index.AppliedSeq())
	}
	seen := second.byURL()
	err := k.store.EachPage(func(rec store.PageRecord) error {
		if rec.NoticeID == "" {
			return nil
		}
		if ev, ok := seen[rec.URL]; !ok || ev.Result != "unchanged" {
			t.Errorf("notice page %s on re-crawl: %+v, want unchanged (304)", rec.URL, ev)
		} else if ev.Status != 304 {
			t.Errorf("notice page %s answered %d, want 304", rec.URL, ev.Status)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The site changes.
	changes, err := bed.Mutate(t.Context(), site, 5)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]notice.Notice{}
	for _, c := range changes.Edited {
		before[c.URL] = k.noticeAt(t, srv.URL, c.URL)
	}
	time.Sleep(1100 * time.Millisecond) // the server re-reads site.json once a second
	var third events
	sum = k.crawl(t, fastConfig(&third), srv.URL)
	if sum.Updated != len(changes.Edited) || sum.Added != len(changes.Added) || sum.Withdrawn != len(changes.Deleted) {
		t.Errorf("after the site changed: updated %d added %d withdrawn %d; want %d %d %d (%+v)",
			sum.Updated, sum.Added, sum.Withdrawn, len(changes.Edited), len(changes.Added), len(changes.Deleted), sum)
	}
	for _, c := range changes.Edited {
		if n := k.noticeAt(t, srv.URL, c.URL); n.Body == before[c.URL].Body {
			t.Errorf("edited notice %s kept its old body", c.URL)
		}
	}
	for _, c := range changes.Added {
		if n := k.noticeAt(t, srv.URL, c.URL); n.Withdrawn() || n.Title == "" {
			t.Errorf("added notice %s: %+v", c.URL, n)
		}
	}
	live, withdrawn, _, err := k.store.Counts()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes.Deleted {
		n := k.noticeAt(t, srv.URL, c.URL)
		if !n.Withdrawn() {
			t.Errorf("deleted notice %s is not withdrawn", c.URL)
		}
		res, err := k.index.Search(t.Context(), notice.Query{Text: `"` + n.Title + `"`})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if h.ID == n.ID {
				t.Errorf("withdrawn notice %s is still found by search", c.URL)
			}
		}
		rec, _, _ := k.store.Page(n.URL)
		if rec.GoneAt.IsZero() {
			t.Errorf("page of deleted notice %s has no gone time", c.URL)
		}
	}
	if withdrawn != len(changes.Deleted) || int(k.index.Count()) != live {
		t.Errorf("store: %d live, %d withdrawn; index holds %d", live, withdrawn, k.index.Count())
	}
	k.score(t, bed, site)
}
