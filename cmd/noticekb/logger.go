package main

import (
	"io"
	"log/slog"
	"strings"

	"github.com/noticekb/noticekb/internal/config"
)

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

// quiet is cfg logging warnings and errors only, for benchmarks whose
// output is their report.
func quiet(cfg config.Config) config.Config {
	cfg.LogLevel = "warn"
	return cfg
}
