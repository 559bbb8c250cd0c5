// Package metrics is noticekb's one home of the Prometheus client library
// (github.com/prometheus/client_golang): a registry of counters,
// histograms and gauges read at scrape time, written in the text
// exposition format. The rest of the program names only this package's
// small API, so the metric names live where they are registered and the
// library can change in one folder.
package metrics

import (
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ContentType is the exposition format's media type.
var ContentType = string(expfmt.NewFormat(expfmt.TypeTextPlain))

// Registry holds metric families. Registering a name twice, an invalid
// name or a histogram label "le" panics: they are programming mistakes.
type Registry struct {
	reg *prometheus.Registry
}

// mustBeName panics on a name the text format cannot carry as it is
// (the library would accept and escape any UTF-8 name).
func mustBeName(name string) {
	if !model.IsValidLegacyMetricName(name) {
		panic("metrics: invalid metric name " + strconv.Quote(name))
	}
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{reg: prometheus.NewRegistry()} }

// RegisterProcess adds the Go runtime's metrics (go_goroutines,
// go_memstats_*, read from runtime/metrics without stopping the world) and
// the process's (process_resident_memory_bytes, CPU, open files).
func (r *Registry) RegisterProcess() {
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// WriteText writes every family in the text exposition format.
func (r *Registry) WriteText(out io.Writer) error {
	families, err := r.reg.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(out, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}

// CounterVec is a counter family with labels.
type CounterVec struct{ v *prometheus.CounterVec }

// Counter registers a counter family.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	mustBeName(name)
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	r.reg.MustRegister(v)
	return &CounterVec{v}
}

// With returns the counter for these label values (in the labels' order).
func (v *CounterVec) With(values ...string) prometheus.Counter { return v.v.WithLabelValues(values...) }

// HistogramVec is a histogram family with labels.
type HistogramVec struct{ v *prometheus.HistogramVec }

// DefaultBuckets suit request latencies in seconds, 1 ms to 10 s.
var DefaultBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Histogram registers a histogram family with the given bucket bounds
// (in any order).
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	mustBeName(name)
	if slices.Contains(labels, "le") {
		panic("metrics: le is the histogram's own label")
	}
	upper := slices.Sorted(slices.Values(buckets))
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: upper}, labels)
	r.reg.MustRegister(v)
	return &HistogramVec{v}
}

// With returns the histogram for these label values.
func (v *HistogramVec) With(values ...string) prometheus.Observer {
	return v.v.WithLabelValues(values...)
}

// GaugeFunc registers a gauge without labels read by fn at each scrape.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	mustBeName(name)
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// Sample is one value of a family read at scrape time.
type Sample struct {
	Labels []string // values of the family's labels, in order
	Value  float64
}

// GaugesFunc registers a labelled gauge family read by fn at each scrape.
func (r *Registry) GaugesFunc(name, help string, labels []string, fn func() []Sample) {
	mustBeName(name)
	r.reg.MustRegister(&readAtScrape{desc: prometheus.NewDesc(name, help, labels, nil), typ: prometheus.GaugeValue, read: fn})
}

// CountersFunc registers a counter family kept elsewhere (a crawler's
// running totals) and read by fn at each scrape.
func (r *Registry) CountersFunc(name, help string, labels []string, fn func() []Sample) {
	mustBeName(name)
	r.reg.MustRegister(&readAtScrape{desc: prometheus.NewDesc(name, help, labels, nil), typ: prometheus.CounterValue, read: fn})
}

// readAtScrape is a family whose values the program reports when scraped.
type readAtScrape struct {
	desc *prometheus.Desc
	typ  prometheus.ValueType
	read func() []Sample
}

func (c *readAtScrape) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *readAtScrape) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.read() {
		if math.IsNaN(s.Value) {
			continue
		}
		m, err := prometheus.NewConstMetric(c.desc, c.typ, s.Value, s.Labels...)
		if err != nil {
			continue // a mistake in the reader (label count); never a malformed line
		}
		ch <- m
	}
}
