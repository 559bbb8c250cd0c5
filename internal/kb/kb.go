// Package kb is the application: an open knowledge base (a data folder's
// store, search index and knowledge files, wired) and what is done with
// it — importing, crawling, re-extracting, curating the knowledge files,
// admin re-import jobs. Every write ends in one place (settle), which
// brings the index and its partner labels in step with the store.
// cmd/noticekb parses flags and prints; web and jobs reach the knowledge
// base through the interfaces they declare, which this package implements.
package kb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/control"
	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/partner"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/topic"
)

// KB is an open data folder: store, index, extractor and ingester, wired.
type KB struct {
	cfg     config.Config
	log     *slog.Logger
	store   *store.Store
	index   *index.Index
	extract *extract.Extractor
	ingest  *ingest.Ingester
}

// ErrNoKnowledgeBase is returned by OpenExisting for a data folder that
// holds no knowledge base: most often a mistyped --data.
var ErrNoKnowledgeBase = errors.New("no knowledge base")

// How a command opens a data folder.
type openMode int

const (
	existing openMode = iota // the knowledge base must be there (search, export, reindex …)
	toServe                  // created when missing; left unused, so the demo may go in
	toAdd                    // created when missing, and recorded as used (crawl, import)
)

// Open opens the knowledge base in cfg.DataDir for a command that adds to
// it (crawl, import), creating the folder and its store when there are
// none. The folder is recorded as used at once, so serve never puts the
// demo into it, even when this command is killed before it stores
// anything.
//
// Every Open brings the index up to date with the store (after a crash it
// is behind; if it cannot be opened at all it is rebuilt from the store),
// and drops an admin job cut short, or finishes it if it had committed.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*KB, error) {
	return open(ctx, cfg, log, toAdd)
}

// OpenExisting opens the knowledge base in cfg.DataDir for a command that
// reads or rebuilds it; a folder without one is an error wrapping
// ErrNoKnowledgeBase, and nothing is created.
func OpenExisting(ctx context.Context, cfg config.Config, log *slog.Logger) (*KB, error) {
	return open(ctx, cfg, log, existing)
}

// OpenToServe opens the knowledge base serve serves, creating it when
// there is none; see Fresh for whether it should get the demo.
func OpenToServe(ctx context.Context, cfg config.Config, log *slog.Logger) (*KB, error) {
	return open(ctx, cfg, log, toServe)
}

func open(ctx context.Context, cfg config.Config, log *slog.Logger, mode openMode) (*KB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if mode == existing && !config.FileExists(cfg.StorePath()) {
		return nil, fmt.Errorf("%w at %s (no store.db there): check --data or %s; crawl, import, serve and sites add create one", ErrNoKnowledgeBase, cfg.DataDir, config.EnvData)
	}
	if err := refuseWhileServed(ctx, cfg); err != nil {
		return nil, err
	}
	if err := CheckWritable(cfg.DataDir); err != nil {
		return nil, err
	}
	knowledge, err := loadKnowledge(cfg)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(cfg.StorePath())
	if errors.Is(err, notice.ErrBusy) {
		return nil, fmt.Errorf("%s is in use by another noticekb command (a crawl, an import …): wait for it to end, or use another --data: %w", cfg.DataDir, notice.ErrBusy)
	}
	if err != nil {
		return nil, err
	}
	if mode == toAdd {
		if err := st.MarkUsed(); err != nil {
			st.Close()
			return nil, err
		}
	}
	ix, err := openIndex(ctx, cfg, st, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	k := &KB{cfg: cfg, log: log, store: st, index: ix, extract: extract.New(knowledge)}
	k.ingest = ingest.New(st, ix, k.extract, log)
	if err := k.open(ctx); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

func (k *KB) open(ctx context.Context) error {
	if err := k.ingest.LearnStoredPartners(); err != nil {
		return err
	}
	if err := k.ingest.Recover(ctx); err != nil {
		return err
	}
	n, err := k.ingest.Sync(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		k.log.Info("index caught up with the store", "notices", n)
	}
	k.refreshLabels()
	return nil
}

// openIndex opens the index; an index that cannot be read is set aside and
// rebuilt from the store, which is the source of truth. An index another
// process holds is an error.
func openIndex(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) (*index.Index, error) {
	ix, err := index.Open(cfg.DataDir)
	if err == nil {
		return ix, nil
	}
	if errors.Is(err, notice.ErrBusy) {
		return nil, err
	}
	log.Warn("index unreadable; rebuilding it from the store", "err", err)
	if err := index.Discard(cfg.DataDir); err != nil {
		return nil, err
	}
	ix, err = index.Open(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if err := ix.Rebuild(ctx, st); err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}

// loadKnowledge reads the rules, taxonomy and gazetteer files of the data
// folder where they exist, and the shipped defaults otherwise.
func loadKnowledge(cfg config.Config) (extract.Options, error) {
	opts := extract.Options{}
	if config.FileExists(cfg.RulesPath()) {
		rules, err := extract.LoadRules(cfg.RulesPath())
		if err != nil {
			return opts, err
		}
		opts.Rules = rules
	}
	if config.FileExists(cfg.TaxonomyPath()) {
		t, err := topic.LoadTaxonomy(cfg.TaxonomyPath())
		if err != nil {
			return opts, err
		}
		opts.Taxonomy = &t
	}
	orgs := partner.DefaultGazetteer()
	if config.FileExists(cfg.GazetteerPath()) {
		var err error
		if orgs, err = partner.LoadGazetteer(cfg.GazetteerPath()); err != nil {
			return opts, err
		}
	}
	opts.Partners = partner.NewResolver(orgs)
	return opts, nil
}

// settle is the end of every write: the index takes the store changes it
// has not seen, then the partner names extraction now knows (learned from
// the pages just written, or from a new gazetteer), for facet labels and
// acronym search. A cancelled ctx leaves the index behind; it catches up
// at the next write or open.
func (k *KB) settle(ctx context.Context) error {
	_, err := k.ingest.Sync(ctx)
	k.refreshLabels()
	if errors.Is(err, context.Canceled) {
		return nil // the run reports its own cancellation
	}
	return err
}

func (k *KB) refreshLabels() {
	k.index.SetLabels(index.NewLabels(k.Partners()))
}

// Close closes the index and the store.
func (k *KB) Close() {
	if k.index != nil {
		k.index.Close()
	}
	if k.store != nil {
		k.store.Close()
	}
}

// Config is the configuration the knowledge base was opened with.
func (k *KB) Config() config.Config { return k.cfg }

// Log is the knowledge base's logger.
func (k *KB) Log() *slog.Logger { return k.log }

// Store is the store, the source of truth: read it freely; write through
// the knowledge base, so the index follows.
func (k *KB) Store() *store.Store { return k.store }

// Index is the search index.
func (k *KB) Index() *index.Index { return k.index }

// Extractor is the extractor with the knowledge in use.
func (k *KB) Extractor() *extract.Extractor { return k.extract }

// Partners lists the organisations extraction knows (the gazetteer and
// those learned from notices), with their full names.
func (k *KB) Partners() []notice.Partner { return k.extract.Partners().Partners() }

// refuseWhileServed fails at once, with what to do instead, when a serve
// process holds the data folder: without asking, opening the store would
// wait for its lock and then fail anyway.
func refuseWhileServed(ctx context.Context, cfg config.Config) error {
	st, err := control.Serving(ctx, ControlSocket(cfg))
	if err != nil {
		return nil // nobody serves it; another holder is found by the store's lock
	}
	return fmt.Errorf("%s is in use by noticekb serve at %s: search there or through its API (%sapi/v1/search), copy it with \"noticekb backup FILE\" (the server writes the copy), or stop serve first: %w",
		cfg.DataDir, st.URL, st.URL, notice.ErrBusy)
}

// Fresh reports whether the data folder was never used: no command but
// serve has opened it and it holds no notices. Only such a folder gets the
// bundled demo.
func (k *KB) Fresh() bool { return !k.store.Used() && !k.store.HasNotices() }

// CheckWritable creates a data folder if needed and proves it writable,
// so a bad path fails with one clear line before anything else happens.
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data folder %s cannot be created: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data folder %s is not writable: %w", dir, err)
	}
	name := probe.Name()
	probe.Close()
	return os.Remove(filepath.Clean(name))
}
