package kb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/noticekb/noticekb/index"
	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/control"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/store"
)

// ControlSocket is where a serving process answers backups of the store
// it holds.
func ControlSocket(cfg config.Config) string {
	return filepath.Join(cfg.DataDir, control.SocketName)
}

// Backup writes a consistent copy of a data folder's store to out and
// verifies it; a copy that does not verify is removed. When a server holds
// the store, it takes the snapshot. from says which did.
func Backup(ctx context.Context, cfg config.Config, out string) (st store.Stats, from string, err error) {
	if !config.FileExists(cfg.StorePath()) {
		return st, "", fmt.Errorf("backup: %w at %s (no store.db there)", ErrNoKnowledgeBase, cfg.DataDir)
	}
	from = "the data folder"
	err = store.WriteFileAtomically(out, func(w io.Writer) error {
		_, err := store.SnapshotFile(cfg.StorePath(), w)
		if errors.Is(err, notice.ErrBusy) {
			from = "the running server"
			_, err = control.Backup(ctx, ControlSocket(cfg), w)
		}
		return err
	})
	if err != nil {
		return st, from, fmt.Errorf("backup: %w", err)
	}
	if st, err = store.Verify(out); err != nil {
		os.Remove(out)
		return st, from, fmt.Errorf("backup: the copy does not verify, so it was removed: %w", err)
	}
	return st, from, nil
}

// Restore puts a verified backup into a new data folder, rebuilds its
// index and opens it as every command does: a job's committed stage is
// finished, learned partners come back.
func Restore(ctx context.Context, cfg config.Config, file string, log *slog.Logger) (*KB, store.Stats, error) {
	if config.FileExists(cfg.StorePath()) {
		return nil, store.Stats{}, fmt.Errorf("restore: %s already holds a store; restore into a new data folder", cfg.DataDir)
	}
	st, err := store.Verify(file)
	if err != nil {
		return nil, st, fmt.Errorf("restore: %w", err)
	}
	if err := CheckWritable(cfg.DataDir); err != nil {
		return nil, st, err
	}
	if err := copyFile(file, cfg.StorePath()); err != nil {
		return nil, st, fmt.Errorf("restore: %w", err)
	}
	if err := rebuildIndex(ctx, cfg); err != nil {
		return nil, st, fmt.Errorf("restore: %w", err)
	}
	k, err := Open(ctx, cfg, log)
	return k, st, err
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
