package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/kb"
)

// backupArgs reads the flags and the one FILE argument that backup and
// restore share.
func backupArgs(name string, e env, args []string) (config.Config, string, error) {
	cfg := config.Load(e.getenv)
	fs := newFlagSet(commandNamed(name), e)
	cfg.DataFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return cfg, "", err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, "", usageError{err}
	}
	return cfg, fs.Arg(0), nil
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
	start := time.Now()
	st, from, err := kb.Backup(ctx, cfg, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "backup: %s, %s (change %d), %.1f MB from %s to %s in %s; verified\n",
		count(st.Notices, "notice"), count(st.Pages, "page"), st.Seq, float64(st.Size)/1e6, from, out, time.Since(start).Round(time.Millisecond))
	return nil
}

func cmdRestore(ctx context.Context, e env, args []string) error {
	cfg, file, err := backupArgs("restore", e, args)
	if err != nil {
		return err
	}
	start := time.Now()
	k, st, err := kb.Restore(ctx, cfg, file, newLogger(e.stderr, cfg))
	if err != nil {
		return err
	}
	defer k.Close()
	fmt.Fprintf(e.stderr, "restore: %s, %s (change %d); %s indexed in %s, in %s\n",
		count(st.Notices, "notice record"), count(st.Pages, "page"), st.Seq, count(int(k.Index().Count()), "notice"), cfg.DataDir, time.Since(start).Round(time.Millisecond))
	return nil
}
