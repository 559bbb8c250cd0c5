// Package metrics keeps a process's counters, histograms and gauges and
// writes them in the Prometheus text exposition format (version 0.0.4).
//
// It is a few hundred lines of the standard library rather than the
// Prometheus client library: noticekb needs counters with labels, one
// histogram and gauges read at scrape time, and nothing of the client's
// registry, push or protobuf machinery.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ContentType is the exposition format's media type.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Registry holds metric families in the order they were registered.
type Registry struct {
	mu       sync.Mutex
	families []family
	names    map[string]bool
}

// family is one metric name with its HELP and TYPE lines.
type family interface {
	header() (name, help, typ string)
	write(w *writer)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{names: map[string]bool{}} }

func (r *Registry) add(f family) {
	name, _, _ := f.header()
	if !validName(name) {
		panic("metrics: invalid metric name " + strconv.Quote(name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[name] {
		panic("metrics: " + name + " registered twice")
	}
	r.names[name] = true
	r.families = append(r.families, f)
}

// WriteText writes every family in the text exposition format.
func (r *Registry) WriteText(out io.Writer) error {
	r.mu.Lock()
	families := append([]family(nil), r.families...)
	r.mu.Unlock()
	w := &writer{}
	for _, f := range families {
		name, help, typ := f.header()
		fmt.Fprintf(&w.b, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
		f.write(w)
	}
	_, err := io.WriteString(out, w.b.String())
	return err
}

// writer builds the exposition in memory, so a scrape is one write.
type writer struct{ b strings.Builder }

func (w *writer) sample(name string, labels []string, values []string, v float64) {
	w.b.WriteString(name)
	if len(labels) > 0 {
		w.b.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.b.WriteByte(',')
			}
			fmt.Fprintf(&w.b, "%s=\"%s\"", l, escapeLabel(values[i]))
		}
		w.b.WriteByte('}')
	}
	w.b.WriteByte(' ')
	w.b.WriteString(formatFloat(v))
	w.b.WriteByte('\n')
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || r == ':' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// series keys a family's children by their label values.
type series[T any] struct {
	labels []string
	mu     sync.RWMutex
	kids   map[string]*child[T]
	make   func() *T
}

type child[T any] struct {
	values []string
	v      *T
}

func (s *series[T]) with(values []string) *T {
	if len(values) != len(s.labels) {
		panic(fmt.Sprintf("metrics: %d label values for %d labels", len(values), len(s.labels)))
	}
	key := strings.Join(values, "\xff")
	s.mu.RLock()
	c, ok := s.kids[key]
	s.mu.RUnlock()
	if ok {
		return c.v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.kids[key]; ok {
		return c.v
	}
	c = &child[T]{values: append([]string(nil), values...), v: s.make()}
	s.kids[key] = c
	return c.v
}

// sorted returns the children ordered by label values, so scrapes are stable.
func (s *series[T]) sorted() []*child[T] {
	s.mu.RLock()
	out := make([]*child[T], 0, len(s.kids))
	for _, c := range s.kids {
		out = append(out, c)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		return strings.Join(out[i].values, "\xff") < strings.Join(out[j].values, "\xff")
	})
	return out
}

// atomicFloat is a float64 updated without locks.
type atomicFloat struct{ bits atomic.Uint64 }

func (f *atomicFloat) add(v float64) {
	for {
		old := f.bits.Load()
		if f.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

func (f *atomicFloat) load() float64 { return math.Float64frombits(f.bits.Load()) }
