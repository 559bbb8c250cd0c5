package kb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/partner"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/topic"
	"github.com/noticekb/noticekb/internal/urlnorm"
	"github.com/noticekb/noticekb/internal/verdict"
	"github.com/noticekb/noticekb/internal/web"
)

// Curator gives the admin area the knowledge files (rules, taxonomy,
// gazetteer) and the notices' withdrawals: it implements web.Curator.
type Curator struct {
	k *KB

	mu     sync.Mutex // one reload at a time
	loaded map[string]time.Time
	// version is each file's modification time when it was loaded (zero
	// when there was none), to tell an edited file.
	version map[string]time.Time
	failed  map[string]string // the last reload's error, per file
}

// NewCurator returns the curator of k; the knowledge in use counts as
// loaded now.
func NewCurator(k *KB) *Curator {
	cu := &Curator{k: k, loaded: map[string]time.Time{}, version: map[string]time.Time{}, failed: map[string]string{}}
	for _, kf := range knowledgeFiles {
		cu.noteLoaded(kf, modTime(kf.path(k.cfg)))
	}
	return cu
}

// noteLoaded records a file's version as loaded; mod is taken before
// reading, so an edit made meanwhile still shows as a change.
func (cu *Curator) noteLoaded(kf knowledgeFile, mod time.Time) {
	cu.loaded[kf.name] = time.Now()
	cu.version[kf.name] = mod
}

func modTime(path string) time.Time {
	info, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return info.ModTime()
}

// knowledgeFile is one file: where it lives, its shipped default, what
// is in use, and how to reload it (from the file, or the default when
// there is none, as at start).
type knowledgeFile struct {
	name, title string
	path        func(config.Config) string
	shipped     func() []byte
	inUse       func(*KB) string
	reload      func(ctx context.Context, k *KB, path string, exists bool) error
}

var knowledgeFiles = []knowledgeFile{
	{"rules", "Extraction rules", config.Config.RulesPath, extract.BuiltinRulesJSON, rulesInUse, reloadRules},
	{"taxonomy", "Topic taxonomy", config.Config.TaxonomyPath, topic.DefaultTaxonomyJSON, taxonomyInUse, reloadTaxonomy},
	{"gazetteer", "Partner gazetteer", config.Config.GazetteerPath, partner.DefaultGazetteerJSON, gazetteerInUse, reloadGazetteer},
}

// shownBytes bounds how much of a file the admin page shows.
const shownBytes = 256 << 10

func (cu *Curator) KnowledgeFiles() []web.KnowledgeFile {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	var out []web.KnowledgeFile
	for _, kf := range knowledgeFiles {
		f := web.KnowledgeFile{Name: kf.name, Title: kf.title, Path: kf.path(cu.k.cfg), InUse: kf.inUse(cu.k),
			Loaded: cu.loaded[kf.name], Error: cu.failed[kf.name]}
		text := kf.shipped()
		mod := modTime(f.Path)
		f.Exists, f.Changed = !mod.IsZero(), !mod.Equal(cu.version[kf.name])
		if f.Exists {
			text = readHead(f.Path, shownBytes+1)
		}
		f.Truncated = len(text) > shownBytes
		f.Text = strings.ToValidUTF8(string(text[:min(len(text), shownBytes)]), "\uFFFD")
		out = append(out, f)
	}
	return out
}

func readHead(path string, n int64) []byte {
	f, err := os.Open(path)
	if err != nil {
		return []byte(err.Error())
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, n))
	return b
}

// knowledgeFileNamed is the knowledge file called name.
func knowledgeFileNamed(name string) (knowledgeFile, error) {
	i := slices.IndexFunc(knowledgeFiles, func(kf knowledgeFile) bool { return kf.name == name })
	if i < 0 {
		return knowledgeFile{}, fmt.Errorf("no knowledge file %q: %w", name, notice.ErrNotFound)
	}
	return knowledgeFiles[i], nil
}

func (cu *Curator) ReloadKnowledge(ctx context.Context, name string) (string, error) {
	kf, err := knowledgeFileNamed(name)
	if err != nil {
		return "", fmt.Errorf("reload: %w", err)
	}
	cu.mu.Lock()
	defer cu.mu.Unlock()
	path := kf.path(cu.k.cfg)
	mod := modTime(path)
	if err := kf.reload(ctx, cu.k, path, !mod.IsZero()); err != nil {
		cu.failed[name] = err.Error()
		return "", err
	}
	return cu.inUseNow(kf, mod, "knowledge reloaded"), nil
}

// inUseNow records that kf's file, as it was at mod, is what extraction
// uses, and says what that is.
func (cu *Curator) inUseNow(kf knowledgeFile, mod time.Time, msg string) string {
	delete(cu.failed, kf.name)
	cu.noteLoaded(kf, mod)
	inUse := kf.inUse(cu.k)
	cu.k.log.Info(msg, "file", kf.name, "in_use", inUse)
	return inUse
}

// SaveKnowledge writes an admin's text as one knowledge file and uses it.
// The text is tried first, from a temporary file beside the real one,
// through the same reload as a file edited on disk: when it is refused,
// nothing changes (file and knowledge in use stay), and the error names
// the real file; when it is taken, it replaces the file in one rename.
func (cu *Curator) SaveKnowledge(ctx context.Context, name, text string) (string, error) {
	kf, err := knowledgeFileNamed(name)
	if err != nil {
		return "", fmt.Errorf("save: %w", err)
	}
	cu.mu.Lock()
	defer cu.mu.Unlock()
	path := kf.path(cu.k.cfg)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".draft-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // gone once renamed
	_, err = tmp.WriteString(text)
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return "", err
	}
	if err := kf.reload(ctx, cu.k, tmp.Name(), true); err != nil {
		return "", errors.New(strings.ReplaceAll(err.Error(), tmp.Name(), path))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("save: the text is in use, but %s could not be written: %w", path, err)
	}
	return cu.inUseNow(kf, modTime(path), "knowledge saved from the admin area"), nil
}

func rulesInUse(k *KB) string {
	all := k.extract.Rules().All()
	sites := 0
	for _, r := range all {
		if len(r.Hosts) > 0 {
			sites++
		}
	}
	return fmt.Sprintf("%d rules (%d for named sites, %d layout rules)", len(all), sites, len(all)-sites)
}

func reloadRules(_ context.Context, k *KB, path string, exists bool) error {
	if !exists {
		k.extract.SetRules(extract.BuiltinRules())
		return nil
	}
	return k.extract.ReloadRules(path)
}

func taxonomyInUse(k *KB) string {
	c := k.extract.Classifier()
	return fmt.Sprintf("%d topics and %d SDGs", len(c.Topics()), len(c.SDGs()))
}

func reloadTaxonomy(_ context.Context, k *KB, path string, exists bool) error {
	if !exists {
		return k.extract.SetTaxonomy(topic.DefaultTaxonomy())
	}
	return k.extract.ReloadTaxonomy(path)
}

func gazetteerInUse(k *KB) string {
	return fmt.Sprintf("%d organisations (from the gazetteer and learned from notices)", len(k.Partners()))
}

// reloadGazetteer builds a resolver from the file and teaches it the
// organisations learned from stored notices before extraction uses it;
// stored notices whose partner names it now spells otherwise are
// rewritten, and the index follows.
func reloadGazetteer(ctx context.Context, k *KB, path string, exists bool) error {
	orgs := partner.DefaultGazetteer()
	if exists {
		var err error
		if orgs, err = partner.LoadGazetteer(path); err != nil {
			return err
		}
	}
	resolver := partner.NewResolver(orgs)
	learned, err := k.store.Partners()
	if err != nil {
		return err
	}
	for _, p := range learned {
		resolver.Learn(p)
	}
	k.extract.SetPartners(resolver)
	if err := k.ingest.LearnStoredPartners(); err != nil {
		return err
	}
	return k.settle(ctx)
}

func (cu *Curator) SetWithdrawn(ctx context.Context, id string, withdraw bool) (bool, error) {
	var changed bool
	err := cu.k.store.Write(func(w *store.Writer) error {
		var err error
		changed, err = w.SetWithdrawnByAdmin(id, withdraw, time.Now().UTC())
		return err
	})
	if err != nil || !changed {
		return changed, err
	}
	return changed, cu.k.settle(ctx)
}

func (cu *Curator) WithdrawnNotices(text string, limit int) ([]notice.Notice, int, error) {
	return listMatching(cu.k.store.EachWithdrawn, text, limit, func(x, y notice.Notice) int {
		return y.WithdrawnAt.Compare(x.WithdrawnAt)
	})
}

func (cu *Curator) DateSources() (map[string]int, error) { return cu.k.store.DateSources() }

func (cu *Curator) DatedNotices(source, text string, limit int) ([]notice.Notice, int, error) {
	each := func(fn func(notice.Notice) error) error { return cu.k.store.EachDatedBy(source, fn) }
	return listMatching(each, text, limit, func(x, y notice.Notice) int {
		return cmp.Or(y.Date.Time().Compare(x.Date.Time()), strings.Compare(x.ID, y.ID))
	})
}

// listMatching lists the notices each gives that contain every word of
// text, without their bodies, in order, at most limit, with how many
// there are.
func listMatching(each func(func(notice.Notice) error) error, text string, limit int, order func(x, y notice.Notice) int) ([]notice.Notice, int, error) {
	words := strings.Fields(strings.ToLower(text))
	var found []notice.Notice
	err := each(func(n notice.Notice) error {
		if matchesAll(words, n) {
			n.Body = "" // the lists show none
			found = append(found, n)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(found, order)
	return found[:min(len(found), limit)], len(found), nil
}

// matchesAll tells whether a notice contains every word (in its
// title, body or address), or is the notice with that ID.
func matchesAll(words []string, n notice.Notice) bool {
	if len(words) == 1 && words[0] == n.ID {
		return true
	}
	text := strings.ToLower(n.Title + "\n" + n.Body + "\n" + n.URL)
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// PageVerdict says why the stored page at raw is or is not a notice, as it
// was last judged; notice.ErrNotFound when no page is stored there.
func (cu *Curator) PageVerdict(raw string) (web.PageVerdict, error) {
	u, err := urlnorm.Normalize(raw)
	if err != nil {
		return web.PageVerdict{}, fmt.Errorf("kb: page %q: %w", raw, notice.ErrNotFound)
	}
	rec, ok, err := cu.k.store.Page(u)
	if err != nil || !ok {
		return web.PageVerdict{}, errors.Join(err, fmt.Errorf("kb: page %q: %w", raw, notice.ErrNotFound))
	}
	pv := web.PageVerdict{URL: rec.URL, Kind: rec.Kind, NoticeID: rec.NoticeID, Fetched: rec.FetchedAt}
	if rec.Verdict != nil {
		pv.Kind, pv.Score = rec.Verdict.Kind.String(), rec.Verdict.Score
		for _, e := range rec.Verdict.Evidence {
			pv.Reasons = append(pv.Reasons, web.VerdictReason{Name: e.Name, Detail: e.Detail, Weight: e.Weight})
		}
	}
	if rec.Evidence != nil {
		pv.Template = "URL pattern " + verdict.Pattern(rec.URL) + ", skeleton " + rec.Evidence.Skeleton
	}
	return pv, nil
}
