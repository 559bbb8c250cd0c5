package kb

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/demo"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/notice"
)

// openEmpty opens a new data folder.
func openEmpty(t *testing.T) *KB {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	k, err := Open(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	return k
}

// openDemo opens a data folder holding the bundled demo.
func openDemo(t *testing.T) *KB {
	t.Helper()
	k := openEmpty(t)
	site, err := demo.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := k.ImportDemo(t.Context(), site); err != nil {
		t.Fatal(err)
	}
	return k
}

func fileOf(cu *Curator, name string) (f struct {
	Exists, Changed bool
	InUse, Error    string
}) {
	for _, kf := range cu.KnowledgeFiles() {
		if kf.Name == name {
			f.Exists, f.Changed, f.InUse, f.Error = kf.Exists, kf.Changed, kf.InUse, kf.Error
		}
	}
	return f
}

// A reload checks the file first: a broken one is refused with what is
// wrong, the knowledge in use stays, and the page says so; a good one is
// used; without the file, the shipped default is used again.
func TestCuratorReloadsRules(t *testing.T) {
	k := openDemo(t)
	cu := NewCurator(k)
	before := k.extract.Rules()
	path := k.cfg.RulesPath()
	if f := fileOf(cu, "rules"); f.Exists || !strings.HasPrefix(f.InUse, "8 rules") {
		t.Fatalf("shipped rules: %+v", f)
	}
	broken := `{"rules": [{"name": "board", "hosts": ["news.example.org"], "title": "h1[["}]}`
	os.WriteFile(path, []byte(broken), 0o644)
	if f := fileOf(cu, "rules"); !f.Exists || !f.Changed {
		t.Errorf("a new file: %+v", f)
	}
	_, err := cu.ReloadKnowledge(t.Context(), "rules")
	if err == nil || !strings.Contains(err.Error(), `rule "board"`) || k.extract.Rules() != before {
		t.Fatalf("broken rules: %v; rules replaced: %v", err, k.extract.Rules() != before)
	}
	if f := fileOf(cu, "rules"); !strings.Contains(f.Error, `rule "board"`) {
		t.Errorf("the failure is not shown: %+v", f)
	}
	os.WriteFile(path, []byte(strings.Replace(broken, "h1[[", "h1.title", 1)), 0o644)
	inUse, err := cu.ReloadKnowledge(t.Context(), "rules")
	if err != nil || inUse != "9 rules (1 for named sites, 8 layout rules)" {
		t.Fatalf("good rules: %q %v", inUse, err)
	}
	if f := fileOf(cu, "rules"); f.Error != "" || f.Changed {
		t.Errorf("after a good reload: %+v", f)
	}
	os.Remove(path)
	if f := fileOf(cu, "rules"); f.Exists || !f.Changed {
		t.Errorf("a removed file: %+v", f)
	}
	if inUse, err := cu.ReloadKnowledge(t.Context(), "rules"); err != nil || !strings.HasPrefix(inUse, "8 rules") {
		t.Errorf("without the file: %q %v", inUse, err)
	}
	if f := fileOf(cu, "rules"); f.Exists || f.Changed {
		t.Errorf("the shipped default reloaded: %+v", f)
	}
	if _, err := cu.ReloadKnowledge(t.Context(), "everything"); err == nil {
		t.Error("an unknown file reloaded")
	}
}

// A reloaded taxonomy tags notices once they are re-extracted, which an
// admin job does (staged, like a re-import).
func TestCuratorTaxonomyAndReextractJob(t *testing.T) {
	k := openDemo(t)
	cu := NewCurator(k)
	path := k.cfg.TaxonomyPath()
	os.WriteFile(path, []byte(`{"topics": [{"id": "a", "label": "A", "keywords": ["data"]}, {"id": "b", "label": "B", "keywords": ["data"]}]}`), 0o644)
	if _, err := cu.ReloadKnowledge(t.Context(), "taxonomy"); err == nil || !strings.Contains(err.Error(), `keyword "data" is also listed for a`) {
		t.Fatalf("a keyword listed twice: %v", err)
	}
	if got := len(k.extract.Classifier().Topics()); got != 12 {
		t.Errorf("%d topics in use after a refused reload, want the 12 shipped", got)
	}
	os.WriteFile(path, []byte(`{"topics": [{"id": "gov", "label": "Governance everywhere", "keywords": ["government", "public"]}]}`), 0o644)
	if inUse, err := cu.ReloadKnowledge(t.Context(), "taxonomy"); err != nil || inUse != "1 topics and 0 SDGs" {
		t.Fatalf("reload: %q %v", inUse, err)
	}
	r := NewReimporter(k, nil)
	if err := r.Check(t.Context(), notice.JobReextract, ""); err != nil {
		t.Fatal(err)
	}
	var last notice.JobProgress
	sum, err := r.Reimport(t.Context(), notice.Job{ID: "t1", Kind: notice.JobReextract}, func(p notice.JobProgress) { last = p })
	if err != nil || sum.Updated == 0 || last.Queued != 0 || last.Fetched == 0 {
		t.Fatalf("re-extraction: %+v %v, last progress %+v", sum, err, last)
	}
	res, err := k.index.Search(t.Context(), notice.Query{Filters: map[string][]string{notice.FacetTopic: {"Governance everywhere"}}})
	if err != nil || res.Total == 0 {
		t.Errorf("notices with the new topic: %v %v", res, err)
	}
}

// A reloaded gazetteer keeps what notices taught, and a broken one is
// refused.
func TestCuratorReloadsGazetteer(t *testing.T) {
	k := openDemo(t)
	cu := NewCurator(k)
	known := len(k.extract.Partners().Partners())
	path := k.cfg.GazetteerPath()
	os.WriteFile(path, []byte(`{"organisations": [{"name": "One", "aliases": ["Same"]}, {"name": "Two", "aliases": ["Same"]}]}`), 0o644)
	if _, err := cu.ReloadKnowledge(t.Context(), "gazetteer"); err == nil || len(k.extract.Partners().Partners()) != known {
		t.Fatalf("a name listed for two organisations: %v", err)
	}
	shipped, _ := os.ReadFile(filepath.Join("..", "partner", "organisations.json"))
	grown := strings.Replace(string(shipped), `"organisations": [`, `"organisations": [{"name": "Heliotrope Council", "acronym": "HELIO"},`, 1)
	os.WriteFile(path, []byte(grown), 0o644)
	if _, err := cu.ReloadKnowledge(t.Context(), "gazetteer"); err != nil {
		t.Fatal(err)
	}
	if got := len(k.extract.Partners().Partners()); got != known+1 {
		t.Errorf("%d organisations after adding one to %d", got, known)
	}
	if _, ok := k.extract.Partners().Lookup("Heliotrope Council"); !ok {
		t.Error("the new organisation is unknown")
	}
}

// An admin's withdrawal takes a notice out of search at once and lists it
// for restoring; restoring brings it back.
func TestCuratorWithdraws(t *testing.T) {
	k := openDemo(t)
	cu := NewCurator(k)
	ctx := context.Background()
	total := k.index.Count()
	res, _ := k.index.Search(ctx, notice.Query{Size: 1})
	id, title := res.Hits[0].ID, res.Hits[0].Title
	if changed, err := cu.SetWithdrawn(ctx, id, true); !changed || err != nil {
		t.Fatalf("withdraw: %v %v", changed, err)
	}
	if k.index.Count() != total-1 {
		t.Errorf("index holds %d notices after a withdrawal, want %d", k.index.Count(), total-1)
	}
	word := strings.Fields(strings.ToUpper(title))[0]
	list, n, err := cu.WithdrawnNotices(word, 10)
	if err != nil || n != 1 || list[0].ID != id || !list[0].WithdrawnByAdmin || list[0].Body != "" {
		t.Errorf("withdrawn notices matching %q: %d %+v %v", word, n, list, err)
	}
	if _, n, _ := cu.WithdrawnNotices("no-such-word-anywhere", 10); n != 0 {
		t.Errorf("%d withdrawn notices match nothing", n)
	}
	if changed, err := cu.SetWithdrawn(ctx, id, false); !changed || err != nil || k.index.Count() != total {
		t.Errorf("restore: %v %v, index %d", changed, err, k.index.Count())
	}
}

// Text saved from the admin area goes through the reload's checks: a
// refused text leaves no file and the knowledge in use as it was, with an
// error naming the real file; a good one is the file and in use.
func TestCuratorSaveKnowledge(t *testing.T) {
	k := openDemo(t)
	cu := NewCurator(k)
	path := k.cfg.TaxonomyPath()
	bad := `{"topics": [{"id": "a", "label": "A", "keywords": ["data"]}, {"id": "b", "label": "B", "keywords": ["data"]}]}`
	_, err := cu.SaveKnowledge(t.Context(), "taxonomy", bad)
	if err == nil || !strings.Contains(err.Error(), `keyword "data" is also listed for a`) || strings.Contains(err.Error(), ".draft-") {
		t.Fatalf("a refused text: %v", err)
	}
	if _, statErr := os.Stat(path); !os.IsNotExist(statErr) || len(k.extract.Classifier().Topics()) != 12 {
		t.Fatalf("after a refused save: file %v, %d topics in use", statErr, len(k.extract.Classifier().Topics()))
	}
	good := `{"topics": [{"id": "gov", "label": "Governance everywhere", "keywords": ["government"]}]}`
	if inUse, err := cu.SaveKnowledge(t.Context(), "taxonomy", good); err != nil || inUse != "1 topics and 0 SDGs" {
		t.Fatalf("save: %q %v", inUse, err)
	}
	if b, _ := os.ReadFile(path); string(b) != good {
		t.Errorf("the file holds %q", b)
	}
	if f := fileOf(cu, "taxonomy"); !f.Exists || f.Changed || f.Error != "" {
		t.Errorf("after the save: %+v", f)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*draft*")); len(left) != 0 {
		t.Errorf("drafts left behind: %v", left)
	}
	if _, err := cu.SaveKnowledge(t.Context(), "everything", good); err == nil {
		t.Error("an unknown file saved")
	}
}

// The admin area counts stored notices by where their dates were read and
// lists those of one source, matching words, newest first, without bodies.
func TestCuratorDatedNotices(t *testing.T) {
	k := openEmpty(t)
	dir := t.TempDir()
	body := strings.Repeat("The officials discussed the programme of cooperation on digital government. ", 8)
	for name, page := range map[string]string{
		"updated": "<h1>Workshop on digital government services</h1><p>Last updated: 10 May 2022</p>",
		"water":   "<h1>Seminar on water management in cities</h1><p class=\"date\">Posted: 4 March 2021</p>",
		"data":    "<h1>Seminar on open data for local government</h1><p class=\"date\">Posted: 5 March 2023</p>",
	} {
		html := "<html><head><title>" + name + "</title></head><body><article>" + page + "<p>" + body + " " + name + ".</p></article></body></html>"
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := k.Import(t.Context(), []string{dir}, ingest.ImportOptions{BaseURL: "https://example.org/"}); err != nil {
		t.Fatal(err)
	}
	cu := NewCurator(k)
	counts, err := cu.DateSources()
	if err != nil || counts[notice.DateFromUpdate] != 1 || counts["page"] != 2 {
		t.Errorf("date sources %v %v, want 1 updated and 2 page", counts, err)
	}
	list, n, err := cu.DatedNotices(notice.DateFromUpdate, "", 10)
	if err != nil || n != 1 || list[0].Title != "Workshop on digital government services" || list[0].Body != "" {
		t.Errorf("weak dates: %d %+v %v", n, list, err)
	}
	list, n, _ = cu.DatedNotices("page", "", 1)
	if n != 2 || len(list) != 1 || list[0].Title != "Seminar on open data for local government" {
		t.Errorf("dated by the page, newest first, one listed: %d %+v", n, list)
	}
	if list, n, _ = cu.DatedNotices("page", "WATER", 10); n != 1 || list[0].Title != "Seminar on water management in cities" {
		t.Errorf("dated by the page, matching water: %d %+v", n, list)
	}
}
