package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/control"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
)

// parseWithArgs parses flags that may come before or after the positional
// arguments (`restore FILE --data DIR`); the standard flag package stops
// at the first argument that is not a flag.
func parseWithArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func controlSocket(cfg config.Config) string {
	return filepath.Join(cfg.DataDir, control.SocketName)
}

// backupArgs reads the flags and the one FILE argument that backup and
// restore share.
func backupArgs(name string, e env, args []string) (config.Config, string, error) {
	cfg := config.Load(e.getenv)
	fs := newFlagSet(commandNamed(name), e)
	cfg.DataFlags(fs)
	files, err := parseWithArgs(fs, args)
	if err != nil {
		return cfg, "", err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, "", usageError{err}
	}
	if len(files) != 1 {
		return cfg, "", usageError{fmt.Errorf("%s: name one backup FILE", name)}
	}
	return cfg, files[0], nil
}

func cmdBackup(ctx context.Context, e env, args []string) error {
	cfg, file, err := backupArgs("backup", e, args)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	if !config.FileExists(cfg.StorePath()) {
		return fmt.Errorf("backup: there is no store in %s", cfg.DataDir)
	}
	start := time.Now()
	from := "the data folder"
	err = store.WriteFileAtomically(out, func(w io.Writer) error {
		_, err := store.SnapshotFile(cfg.StorePath(), w)
		if errors.Is(err, notice.ErrBusy) {
			// A server holds the store: it takes the snapshot for us.
			from = "the running server"
			_, err = control.Backup(ctx, controlSocket(cfg), w)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	st, err := store.Verify(out)
	if err != nil {
		os.Remove(out)
		return fmt.Errorf("backup: the copy does not verify, so it was removed: %w", err)
	}
	fmt.Fprintf(e.stderr, "backup: %d notices, %d pages (change %d), %.1f MB from %s to %s in %s; verified\n",
		st.Notices, st.Pages, st.Seq, float64(st.Size)/1e6, from, out, time.Since(start).Round(time.Millisecond))
	return nil
}

func cmdRestore(ctx context.Context, e env, args []string) error {
	cfg, file, err := backupArgs("restore", e, args)
	if err != nil {
		return err
	}
	if config.FileExists(cfg.StorePath()) {
		return fmt.Errorf("restore: %s already holds a store; restore into a new data folder", cfg.DataDir)
	}
	start := time.Now()
	st, err := store.Verify(file)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := checkWritable(cfg.DataDir); err != nil {
		return err
	}
	if err := copyFile(file, cfg.StorePath()); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := rebuildIndex(ctx, cfg); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// Open as every command does: a job's committed stage is finished,
	// learned partners come back; the index is already current.
	a, err := openApp(ctx, cfg, newLogger(e.stderr, cfg))
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(e.stderr, "restore: %d notice records, %d pages (change %d); %d notices indexed in %s, in %s\n",
		st.Notices, st.Pages, st.Seq, a.index.Count(), cfg.DataDir, time.Since(start).Round(time.Millisecond))
	return nil
}

// rebuildIndex builds the index of a data folder from its store, whatever
// index is there.
func rebuildIndex(ctx context.Context, cfg config.Config) error {
	st, err := store.Open(cfg.StorePath())
	if err != nil {
		return err
	}
	defer st.Close()
	if err := index.Discard(cfg.DataDir); err != nil {
		return err
	}
	ix, err := index.Open(cfg.DataDir)
	if err != nil {
		return err
	}
	if err := ix.Rebuild(ctx, st); err != nil {
		ix.Close()
		return err
	}
	return ix.Close()
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	return store.WriteFileAtomically(to, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
