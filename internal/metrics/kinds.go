package metrics

import (
	"math"
	"sort"
	"sync/atomic"
)

// Counter is a value that only goes up.
type Counter struct{ v atomicFloat }

// Inc adds one.
func (c *Counter) Inc() { c.v.add(1) }

// Add adds v, which must not be negative.
func (c *Counter) Add(v float64) {
	if v < 0 {
		panic("metrics: a counter cannot go down")
	}
	c.v.add(v)
}

// Value is the current count.
func (c *Counter) Value() float64 { return c.v.load() }

// CounterVec is a counter family with labels.
type CounterVec struct {
	name, help string
	s          series[Counter]
}

// Counter registers a counter family.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	v := &CounterVec{name: name, help: help, s: series[Counter]{labels: labels, kids: map[string]*child[Counter]{}, make: func() *Counter { return &Counter{} }}}
	r.add(v)
	return v
}

// With returns the counter for these label values (in the labels' order).
func (v *CounterVec) With(values ...string) *Counter { return v.s.with(values) }

func (v *CounterVec) header() (string, string, string) { return v.name, v.help, "counter" }

func (v *CounterVec) write(w *writer) {
	for _, c := range v.s.sorted() {
		w.sample(v.name, v.s.labels, c.values, c.v.Value())
	}
}

// Histogram counts observations into cumulative buckets.
type Histogram struct {
	upper  []float64 // bucket upper bounds, ascending, without +Inf
	counts []atomic.Uint64
	count  atomic.Uint64
	sum    atomicFloat
}

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.upper, v) // first bound >= v: buckets are "le"
	if i < len(h.counts) {
		h.counts[i].Add(1)
	}
	h.count.Add(1)
	h.sum.add(v)
}

// HistogramVec is a histogram family with labels.
type HistogramVec struct {
	name, help string
	s          series[Histogram]
}

// DefaultBuckets suit request latencies in seconds, 1 ms to 10 s.
var DefaultBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Histogram registers a histogram family with the given bucket bounds.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	upper := append([]float64(nil), buckets...)
	sort.Float64s(upper)
	for _, l := range labels {
		if l == "le" {
			panic("metrics: le is the histogram's own label")
		}
	}
	v := &HistogramVec{name: name, help: help}
	v.s = series[Histogram]{labels: labels, kids: map[string]*child[Histogram]{}, make: func() *Histogram {
		return &Histogram{upper: upper, counts: make([]atomic.Uint64, len(upper))}
	}}
	r.add(v)
	return v
}

// With returns the histogram for these label values.
func (v *HistogramVec) With(values ...string) *Histogram { return v.s.with(values) }

func (v *HistogramVec) header() (string, string, string) { return v.name, v.help, "histogram" }

func (v *HistogramVec) write(w *writer) {
	labels := append(append([]string(nil), v.s.labels...), "le")
	for _, c := range v.s.sorted() {
		h := c.v
		// Read the total first: buckets observed after it can only make
		// the cumulative counts larger, never smaller than a bucket below.
		count := h.count.Load()
		var cum uint64
		values := append(append([]string(nil), c.values...), "")
		for i, ub := range h.upper {
			cum += h.counts[i].Load()
			values[len(values)-1] = formatFloat(ub)
			w.sample(v.name+"_bucket", labels, values, float64(min(cum, count)))
		}
		values[len(values)-1] = "+Inf"
		w.sample(v.name+"_bucket", labels, values, float64(max(count, cum)))
		w.sample(v.name+"_sum", v.s.labels, c.values, h.sum.load())
		w.sample(v.name+"_count", v.s.labels, c.values, float64(max(count, cum)))
	}
}

// Sample is one value of a gauge read at scrape time.
type Sample struct {
	Labels []string // values of the family's labels, in order
	Value  float64
}

// gaugeFunc is a gauge (or counter) family whose values are read from
// the program at each scrape: sizes, counts, job states.
type gaugeFunc struct {
	name, help, typ string
	labels          []string
	read            func() []Sample
}

// GaugeFunc registers a gauge without labels read by fn at each scrape.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	r.add(&gaugeFunc{name: name, help: help, typ: "gauge", read: func() []Sample { return []Sample{{Value: fn()}} }})
}

// GaugesFunc registers a labelled gauge family read by fn at each scrape.
func (r *Registry) GaugesFunc(name, help string, labels []string, fn func() []Sample) {
	r.add(&gaugeFunc{name: name, help: help, typ: "gauge", labels: labels, read: fn})
}

// CountersFunc registers a labelled counter family kept elsewhere (a
// crawler's running totals) and read by fn at each scrape.
func (r *Registry) CountersFunc(name, help string, labels []string, fn func() []Sample) {
	r.add(&gaugeFunc{name: name, help: help, typ: "counter", labels: labels, read: fn})
}

func (g *gaugeFunc) header() (string, string, string) { return g.name, g.help, g.typ }

func (g *gaugeFunc) write(w *writer) {
	for _, s := range g.read() {
		if len(s.Labels) != len(g.labels) {
			continue // a mistake in the reader; never a malformed line
		}
		if math.IsNaN(s.Value) {
			continue
		}
		w.sample(g.name, g.labels, s.Labels, s.Value)
	}
}
