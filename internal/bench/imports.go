package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ImportRun is one timed import of a folder of pages.
type ImportRun struct {
	System  string
	Pages   int
	Took    time.Duration
	CPU     time.Duration // user + system time
	PeakRSS int64         // bytes
	// PeakAnon and PeakFile split the resident memory, sampled: heap and
	// stacks, and pages of mapped files (store, index), which the kernel
	// can drop under pressure.
	PeakAnon, PeakFile int64
	// DiskBytes is the size of what the import wrote (index and store).
	DiskBytes int64
	Note      string
}

// PagesPerSecond is the import's throughput.
func (r ImportRun) PagesPerSecond() float64 {
	if r.Took <= 0 {
		return 0
	}
	return float64(r.Pages) / r.Took.Seconds()
}

// CountPages counts the HTML files under a folder, as an import sees them.
func CountPages(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := strings.ToLower(d.Name())
		if !d.IsDir() && (strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".htm") || strings.HasSuffix(name, ".html.gz")) {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	return n, nil
}

// Omindex indexes a folder of pages with Xapian's omindex (Debian package
// xapian-omega) into a fresh database, the peer noticekb's import is
// compared with. It reports the child's wall time, CPU and peak memory.
func Omindex(ctx context.Context, flat, db string) (ImportRun, error) {
	run := ImportRun{System: "xapian omindex"}
	pages, err := CountPages(flat)
	if err != nil {
		return run, err
	}
	run.Pages = pages
	if err := os.RemoveAll(db); err != nil {
		return run, fmt.Errorf("bench: %w", err)
	}
	cmd := exec.CommandContext(ctx, "omindex", "--db", db, "--url", "/", flat)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run, fmt.Errorf("bench: omindex: %w (is xapian-omega installed?)", err)
	}
	// The child's rusage counts this process's memory shared with it
	// before exec, so its peak is read from its own status instead.
	peak := make(chan int64)
	stop := make(chan struct{})
	go func() { peak <- watchPeak(cmd.Process.Pid, stop) }()
	err = cmd.Wait()
	close(stop)
	run.PeakRSS = <-peak
	if err != nil {
		return run, fmt.Errorf("bench: omindex: %w", err)
	}
	run.Took = time.Since(start)
	run.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	run.DiskBytes = DirSize(db)
	return run, nil
}

// watchPeak reads a process's peak resident memory (VmHWM) until stop.
func watchPeak(pid int, stop <-chan struct{}) int64 { return watchStatus(pid, "VmHWM:", stop) }

// watchStatus reads a memory field of a process's /proc status (VmHWM:,
// VmRSS:) every 100 ms until stop, and returns the largest value, in bytes.
func watchStatus(pid int, field string, stop <-chan struct{}) int64 {
	var peak int64
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, field); ok {
					if f := strings.Fields(v); len(f) > 0 {
						kb, _ := strconv.ParseInt(f[0], 10, 64)
						peak = max(peak, kb*1024)
					}
				}
			}
		}
		select {
		case <-stop:
			return peak
		case <-t.C:
		}
	}
}

// SelfUsage is this process's CPU time so far and its peak resident memory.
func SelfUsage() (cpu time.Duration, peakRSS int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cpu, ru.Maxrss * 1024
}

// DirSize is the total size of the files under a path.
func DirSize(path string) int64 {
	var size int64
	filepath.WalkDir(path, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	return size
}

// MachineLoad is the machine's load average and core count, for the report: the
// benchmark machine is shared, and the figures mean little without it.
func MachineLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return fmt.Sprintf("load unknown, %d cores", runtime.NumCPU())
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return fmt.Sprintf("load unknown, %d cores", runtime.NumCPU())
	}
	return fmt.Sprintf("load average %s %s %s, %d cores", f[0], f[1], f[2], runtime.NumCPU())
}

// PrintImports writes import runs as a table, each beside the first.
func PrintImports(w io.Writer, runs []ImportRun) {
	fmt.Fprintf(w, "%-16s %8s %9s %8s %6s %8s %9s %9s %8s  %s\n", "system", "pages", "seconds", "pages/s", "cpu %", "peak MB", "anon MB", "file MB", "disk MB", "note")
	mb := func(b int64) string {
		if b == 0 {
			return "-"
		}
		return strconv.FormatInt(b>>20, 10)
	}
	for _, r := range runs {
		cpu := 0.0
		if r.Took > 0 {
			cpu = 100 * r.CPU.Seconds() / r.Took.Seconds()
		}
		fmt.Fprintf(w, "%-16s %8d %9.1f %8.0f %6.0f %8s %9s %9s %8s  %s\n", r.System, r.Pages, r.Took.Seconds(), r.PagesPerSecond(), cpu,
			mb(r.PeakRSS), mb(r.PeakAnon), mb(r.PeakFile), mb(r.DiskBytes), r.Note)
	}
	if len(runs) == 2 && runs[1].PagesPerSecond() > 0 {
		fmt.Fprintf(w, "%s / %s = %.2fx pages/s\n", runs[0].System, runs[1].System, runs[0].PagesPerSecond()/runs[1].PagesPerSecond())
	}
}

// Memory reads this process's memory from /proc/self/status: peak and
// current resident set, and of the current one how much is anonymous
// (heap, stacks) and how much file pages (the store and index files
// mapped into memory, which the kernel can drop at will).
func Memory() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "memory unknown"
	}
	var parts []string
	for _, line := range strings.Split(string(b), "\n") {
		for _, key := range []string{"VmHWM", "VmRSS", "RssAnon", "RssFile"} {
			if v, ok := strings.CutPrefix(line, key+":"); ok {
				parts = append(parts, key+" "+strings.Join(strings.Fields(v), " "))
			}
		}
	}
	return strings.Join(parts, ", ")
}

// MemorySampler records the largest anonymous and file-backed resident
// memory of this process while it runs.
type MemorySampler struct {
	stop         chan struct{}
	done         chan struct{}
	anon, shared int64 // bytes
}

// SampleMemory starts sampling every interval until Stop.
func SampleMemory(interval time.Duration) *MemorySampler {
	m := &MemorySampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			anon, file := residentKinds()
			m.anon, m.shared = max(m.anon, anon), max(m.shared, file)
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

// Stop ends sampling and returns the peaks in bytes.
func (m *MemorySampler) Stop() (anon, file int64) {
	close(m.stop)
	<-m.done
	return m.anon, m.shared
}

func residentKinds() (anon, file int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "RssAnon:":
			anon = kb * 1024
		case "RssFile:", "RssShmem:":
			file += kb * 1024
		}
	}
	return anon, file
}
