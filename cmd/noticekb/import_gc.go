package main

import "runtime/debug"

// Bulk imports allocate fast and keep little: with Go's default the
// collector takes about a tenth of an import's CPU. They let the heap grow
// further between collections, under a soft limit that keeps the process
// inside its memory budget (the limit makes the collector work harder as
// the heap nears it, rather than fail).
const (
	importGCPercent   = 400
	importMemoryLimit = 768 << 20
)

// tuneGCForImport applies those settings unless the user set GOGC or
// GOMEMLIMIT, and returns a function that restores the previous ones.
func tuneGCForImport(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(importGCPercent)
	limit := debug.SetMemoryLimit(importMemoryLimit)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
