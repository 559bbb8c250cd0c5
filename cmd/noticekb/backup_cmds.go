package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/kb"
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
	start := time.Now()
	st, from, err := kb.Backup(ctx, cfg, out)
	if err != nil {
		return err
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
	start := time.Now()
	k, st, err := kb.Restore(ctx, cfg, file, newLogger(e.stderr, cfg))
	if err != nil {
		return err
	}
	defer k.Close()
	fmt.Fprintf(e.stderr, "restore: %d notice records, %d pages (change %d); %d notices indexed in %s, in %s\n",
		st.Notices, st.Pages, st.Seq, k.Index().Count(), cfg.DataDir, time.Since(start).Round(time.Millisecond))
	return nil
}
