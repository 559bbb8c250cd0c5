package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/partner"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/topic"
)

// app is an open data folder: store, index, extractor and ingester, wired.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	store   *store.Store
	index   *index.Index
	extract *extract.Extractor
	ingest  *ingest.Ingester
}

// newLogger is the one logger of a process: text (key=value) or JSON
// lines, at the configured level.
func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l}
	if strings.EqualFold(cfg.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openApp opens a data folder, creating it if needed, and brings the index
// up to date with the store (after a crash it is behind; if it cannot be
// opened at all it is rebuilt from the store).
func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	if err := checkWritable(cfg.DataDir); err != nil {
		return nil, err
	}
	knowledge, err := loadKnowledge(cfg)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(cfg.StorePath())
	if err != nil {
		return nil, err
	}
	ix, err := openIndex(ctx, cfg, st, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, index: ix, extract: extract.New(knowledge)}
	a.ingest = ingest.New(st, ix, a.extract, log)
	if err := a.ingest.LearnStoredPartners(); err != nil {
		a.Close()
		return nil, err
	}
	a.refreshLabels()
	// An admin job cut short leaves a stage behind: dropped, or finished
	// if it had committed.
	if err := a.ingest.Recover(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if n, err := a.ingest.Sync(ctx); err != nil {
		a.Close()
		return nil, err
	} else if n > 0 {
		log.Info("index caught up with the store", "notices", n)
	}
	return a, nil
}

// openIndex opens the index; an index that cannot be read is set aside and
// rebuilt from the store, which is the source of truth.
func openIndex(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) (*index.Index, error) {
	ix, err := index.Open(cfg.DataDir)
	if err == nil {
		return ix, nil
	}
	if strings.Contains(err.Error(), "in use") {
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

// refreshLabels gives the index the partner names extraction knows, for
// facet labels and acronym search.
func (a *app) refreshLabels() {
	a.index.SetLabels(index.NewLabels(a.extract.Partners().Partners()))
}

func (a *app) Close() {
	if a.index != nil {
		a.index.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
}

// checkWritable creates the data folder if needed and proves it writable,
// so a bad path fails with one clear line before anything else happens.
func checkWritable(dir string) error {
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

// quiet is cfg logging warnings and errors only, for benchmarks whose
// output is their report.
func quiet(cfg config.Config) config.Config {
	cfg.LogLevel = "warn"
	return cfg
}
