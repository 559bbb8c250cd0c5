package index

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
)

// A view is what search reads besides the text postings, for one index
// snapshot: for every facet value and every month, the bitmap of notices
// that have it, and for every notice the day it was published. Facet
// counts are then intersections of bitmaps, date filters and the newest-
// first order need no stored fields, and Bleve's per-hit doc-value
// decoding (most of its faceted search time) is never used.
//
// Documents are numbered as in the snapshot (Bleve's internal numbers: a
// segment's offset plus the number within the segment). Segments never
// change once written, so each segment's columns are built once and kept
// while the segment lives; a new snapshot only stitches them together.
type view struct {
	key string
	// snap is the snapshot the view was built from, referenced while the
	// view is current; owner its index; generation the index's then.
	snap       *scorch.IndexSnapshot
	owner      bleve.Index
	generation uint64

	offsets []uint64 // first document number of each segment
	live    *roaring.Bitmap
	facets  map[string]*facetColumn // by facet name
	day     []int32                 // document number -> day, noDay when undated
	length  []uint32                // document number -> length of its text in words
	avgLen  float64                 // of the live notices
	months  []bucket                // in time order
	years   []bucket                // in time order
	undated *roaring.Bitmap
	// What searches of this snapshot worked out: what unfinished words
	// expand to, how notices write a word, the weights of common terms.
	prefixes snapshotCache[[]candidate]
	surfaces snapshotCache[string]
	terms    termCache
}

// facetColumn holds a facet's values and the notices having each, and
// the other way round, each notice's values: those of document d are
// values[start[d]:start[d+1]] (one array for all, not a slice per notice).
type facetColumn struct {
	terms  []string // sorted
	docs   []*roaring.Bitmap
	byTerm map[string]int
	start  []uint32
	values []uint32
	total  uint64 // of the docs' cardinalities
}

// index fills the notices' values from the values' notices.
func (col *facetColumn) index(docs int) {
	col.start = make([]uint32, docs+1)
	for _, b := range col.docs {
		col.total += b.GetCardinality()
		it := b.Iterator()
		for it.HasNext() {
			col.start[it.Next()+1]++
		}
	}
	for d := 1; d <= docs; d++ {
		col.start[d] += col.start[d-1]
	}
	col.values = make([]uint32, col.total)
	next := slices.Clone(col.start[:docs])
	for i, b := range col.docs {
		it := b.Iterator()
		for it.HasNext() {
			d := it.Next()
			col.values[next[d]] = uint32(i)
			next[d]++
		}
	}
}

// bucket is one year or month of publication.
type bucket struct {
	key         string // "2017" or "2017-08"
	first, last int32  // days
	docs        *roaring.Bitmap
}

// noDay marks an undated notice in view.day.
const noDay = math.MinInt32

// dayNumber counts days since 1970-01-01.
func dayNumber(t time.Time) int32 { return int32(t.Unix() / 86400) }

func dayTime(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// segmentColumns are one segment's columns, numbered within the segment.
type segmentColumns struct {
	terms  map[string]map[string]*roaring.Bitmap // field -> term -> docs
	day    []int32
	length []uint32
	months map[int32]*roaring.Bitmap // year*12+month-1 -> docs
}

// views builds views and keeps the segment columns they are made of.
//
// The current view holds a reference to the snapshot it was built from.
// When a snapshot differs from it only because Bleve merged segments in
// the background (the index generation, which every write moves, is the
// same), searches go on reading the current view's own snapshot while the
// new view is built aside: the notices are the same, and no search waits
// for the stitching (a write prepares its view itself, see Apply).
type views struct {
	mu       sync.Mutex // held while building
	owner    bleve.Index
	segments map[uint64]*segmentColumns

	refMu    sync.Mutex // held to swap current and take its snapshot
	current  atomic.Pointer[view]
	building atomic.Bool
	builds   sync.WaitGroup
}

// snapshotKey names a snapshot by its segments and how many documents of
// each are deleted (deletions only grow during a segment's life).
func snapshotKey(snap *scorch.IndexSnapshot) string {
	var b strings.Builder
	for _, s := range snap.Segments() {
		var deleted uint64
		if d := s.Deleted(); d != nil {
			deleted = d.GetCardinality()
		}
		fmt.Fprintf(&b, "%d/%d/%d;", s.Id(), s.Segment().Count(), deleted)
	}
	return b.String()
}

// get returns the view to read a snapshot with and the snapshot to read,
// which the caller closes: snap itself, or, when snap only merges the
// segments of the current view's snapshot, that snapshot (snap is closed
// then, and its view is built in the background). generation is the
// index's when snap was taken.
func (vs *views) get(idx bleve.Index, snap *scorch.IndexSnapshot, generation uint64) (*view, *scorch.IndexSnapshot, error) {
	key := snapshotKey(snap)
	if v := vs.current.Load(); v != nil && v.key == key {
		return v, snap, nil
	}
	if v := vs.sameNotices(idx, generation); v != nil {
		vs.buildAside(idx, snap, key, generation)
		snap.Close()
		return v, v.snap, nil
	}
	v, err := vs.build(idx, snap, key, generation)
	return v, snap, err
}

// sameNotices returns the current view, with a new reference to its
// snapshot, when it holds the notices of the index at generation.
func (vs *views) sameNotices(idx bleve.Index, generation uint64) *view {
	vs.refMu.Lock()
	defer vs.refMu.Unlock()
	v := vs.current.Load()
	if v == nil || v.owner != idx || v.generation != generation {
		return nil
	}
	v.snap.AddRef()
	return v
}

// buildAside builds a snapshot's view in the background, one at a time.
func (vs *views) buildAside(idx bleve.Index, snap *scorch.IndexSnapshot, key string, generation uint64) {
	if !vs.building.CompareAndSwap(false, true) {
		return // the next search after the build in progress tries again
	}
	snap.AddRef()
	vs.builds.Add(1)
	go func() {
		defer vs.builds.Done()
		defer vs.building.Store(false)
		defer snap.Close()
		vs.build(idx, snap, key, generation) // an error is met again by a search
	}()
}

// build makes the view of a snapshot and makes it current.
func (vs *views) build(idx bleve.Index, snap *scorch.IndexSnapshot, key string, generation uint64) (*view, error) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if v := vs.current.Load(); v != nil && v.key == key && v.owner == idx {
		return v, nil
	}
	if vs.owner != idx {
		vs.owner, vs.segments = idx, map[uint64]*segmentColumns{}
	}
	cols := make([]*segmentColumns, 0, len(snap.Segments()))
	keep := map[uint64]*segmentColumns{}
	for _, s := range snap.Segments() {
		c := vs.segments[s.Id()]
		if c == nil {
			var err error
			if c, err = buildSegmentColumns(s.Segment()); err != nil {
				return nil, err
			}
		}
		keep[s.Id()] = c
		cols = append(cols, c)
	}
	vs.segments = keep // forget segments that were merged away
	v := assemble(key, snap, cols)
	v.owner, v.generation = idx, generation
	snap.AddRef() // the view's own
	v.snap = snap
	vs.install(v)
	return v, nil
}

// install makes v current unless a view of a later generation is, and
// lets go of the snapshot of the view that is not kept.
func (vs *views) install(v *view) {
	vs.refMu.Lock()
	old := vs.current.Load()
	if old != nil && old.owner == v.owner && old.generation > v.generation {
		vs.refMu.Unlock()
		v.snap.Close()
		return
	}
	vs.current.Store(v)
	vs.refMu.Unlock()
	if old != nil {
		old.snap.Close()
	}
}

// reset forgets every view, after the index was replaced or before it is
// closed, once the builds under way are done.
func (vs *views) reset() {
	vs.builds.Wait()
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.owner, vs.segments = nil, nil
	vs.refMu.Lock()
	old := vs.current.Swap(nil)
	vs.refMu.Unlock()
	if old != nil {
		old.snap.Close()
	}
}

var viewFields = []string{fieldPartner, fieldTopic, fieldPublisher, fieldSDG, fieldSection}

// bitmapPostings is implemented by zap's postings lists, which are bitmaps.
type bitmapPostings interface{ OrInto(*roaring.Bitmap) }

func buildSegmentColumns(seg segment.Segment) (*segmentColumns, error) {
	c := &segmentColumns{terms: map[string]map[string]*roaring.Bitmap{}, day: make([]int32, seg.Count()), length: make([]uint32, seg.Count()), months: map[int32]*roaring.Bitmap{}}
	for i := range c.day {
		c.day[i] = noDay
	}
	for _, field := range viewFields {
		c.terms[field] = map[string]*roaring.Bitmap{}
		err := eachPosting(seg, field, func(term string, docs *roaring.Bitmap) {
			c.terms[field][term] = docs
		})
		if err != nil {
			return nil, err
		}
	}
	err := eachPosting(seg, fieldDay, func(term string, docs *roaring.Bitmap) {
		t, err := time.Parse(dayLayout, term)
		if err != nil {
			return
		}
		d := dayNumber(t)
		it := docs.Iterator()
		for it.HasNext() {
			c.day[it.Next()] = d
		}
		m := int32(t.Year()*12 + int(t.Month()) - 1)
		if c.months[m] == nil {
			c.months[m] = roaring.New()
		}
		c.months[m].Or(docs)
	})
	if err != nil {
		return nil, err
	}
	err = eachPosting(seg, fieldLength, func(term string, docs *roaring.Bitmap) {
		n, err := strconv.ParseUint(term, 10, 32)
		if err != nil {
			return
		}
		it := docs.Iterator()
		for it.HasNext() {
			c.length[it.Next()] = uint32(n)
		}
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// eachPosting calls fn with every term of a field in one segment and the
// segment's documents that have it.
func eachPosting(seg segment.Segment, field string, fn func(term string, docs *roaring.Bitmap)) error {
	dict, err := seg.Dictionary(field)
	if err != nil {
		return fmt.Errorf("index: dictionary %s: %w", field, err)
	}
	if dict == nil {
		return nil
	}
	it := dict.AutomatonIterator(&vellum.AlwaysMatch{}, nil, nil)
	var pl segment.PostingsList
	for {
		e, err := it.Next()
		if err != nil {
			return fmt.Errorf("index: terms of %s: %w", field, err)
		}
		if e == nil {
			return nil
		}
		term := e.Term
		if pl, err = dict.PostingsList([]byte(term), nil, pl); err != nil {
			return fmt.Errorf("index: postings of %s:%s: %w", field, term, err)
		}
		docs := roaring.New()
		if bp, ok := pl.(bitmapPostings); ok {
			bp.OrInto(docs)
		} else {
			pi := pl.Iterator(false, false, false, nil)
			for p, err := pi.Next(); p != nil || err != nil; p, err = pi.Next() {
				if err != nil {
					return fmt.Errorf("index: postings of %s:%s: %w", field, term, err)
				}
				docs.Add(uint32(p.Number()))
			}
		}
		fn(term, docs)
	}
}

// assemble stitches segment columns into one view of the snapshot.
func assemble(key string, snap *scorch.IndexSnapshot, cols []*segmentColumns) *view {
	segs := snap.Segments()
	v := &view{key: key, live: roaring.New(), facets: map[string]*facetColumn{}}
	var total uint64
	for _, s := range segs {
		v.offsets = append(v.offsets, total)
		n := s.Segment().Count()
		local := roaring.New()
		local.AddRange(0, n)
		if d := s.Deleted(); d != nil {
			local.AndNot(d)
		}
		v.live.Or(roaring.AddOffset64(local, int64(total)))
		total += n
	}
	v.day = make([]int32, total)
	v.length = make([]uint32, total)
	for i, c := range cols {
		copy(v.day[v.offsets[i]:], c.day)
		copy(v.length[v.offsets[i]:], c.length)
	}
	v.avgLen = averageLength(v.length, v.live)
	for facet, field := range facetField {
		parts := map[string][]*roaring.Bitmap{}
		for i, c := range cols {
			for term, docs := range c.terms[field] {
				parts[term] = append(parts[term], shifted(docs, v.offsets[i]))
			}
		}
		col := &facetColumn{byTerm: map[string]int{}}
		for term := range parts {
			col.terms = append(col.terms, term)
		}
		slices.Sort(col.terms)
		for i, term := range col.terms {
			docs := roaring.FastOr(parts[term]...)
			docs.And(v.live)
			col.docs = append(col.docs, docs)
			col.byTerm[term] = i
		}
		col.index(len(v.day))
		v.facets[facet] = col
	}
	v.buildBuckets(cols)
	return v
}

// averageLength is the mean text length of the live notices (at least 1).
func averageLength(length []uint32, live *roaring.Bitmap) float64 {
	var sum uint64
	it := live.Iterator()
	for it.HasNext() {
		sum += uint64(length[it.Next()])
	}
	n := live.GetCardinality()
	if n == 0 || sum == 0 {
		return 1
	}
	return float64(sum) / float64(n)
}

func shifted(b *roaring.Bitmap, offset uint64) *roaring.Bitmap {
	if offset == 0 {
		return b
	}
	return roaring.AddOffset64(b, int64(offset))
}

// buildBuckets makes the month and year bitmaps, every month and year from
// the first to the last of the index, empty ones included.
func (v *view) buildBuckets(cols []*segmentColumns) {
	parts := map[int32][]*roaring.Bitmap{}
	for i, c := range cols {
		for m, docs := range c.months {
			parts[m] = append(parts[m], shifted(docs, v.offsets[i]))
		}
	}
	dated := roaring.New()
	monthDocs := map[int32]*roaring.Bitmap{}
	first, last := int32(math.MaxInt32), int32(math.MinInt32)
	for m, p := range parts {
		docs := roaring.FastOr(p...)
		docs.And(v.live)
		if docs.IsEmpty() {
			continue
		}
		monthDocs[m] = docs
		dated.Or(docs)
		first, last = min(first, m), max(last, m)
	}
	v.undated = roaring.AndNot(v.live, dated)
	if len(monthDocs) == 0 {
		return
	}
	for y := first / 12; y <= last/12; y++ {
		start := time.Date(int(y), 1, 1, 0, 0, 0, 0, time.UTC)
		year := bucket{key: strconv.Itoa(int(y)), first: dayNumber(start), last: dayNumber(start.AddDate(1, 0, -1)), docs: roaring.New()}
		for m := max(y*12, first); m <= min(y*12+11, last); m++ {
			ms := time.Date(int(y), time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC)
			docs := monthDocs[m]
			if docs == nil {
				docs = roaring.New()
			}
			v.months = append(v.months, bucket{key: ms.Format("2006-01"), first: dayNumber(ms), last: dayNumber(ms.AddDate(0, 1, -1)), docs: docs})
			year.docs.Or(docs)
		}
		v.years = append(v.years, year)
	}
}

// segmentOf finds the segment of a document number and its number there.
func (v *view) segmentOf(doc uint32) (int, uint64) {
	i := sort.Search(len(v.offsets), func(x int) bool { return v.offsets[x] > uint64(doc) }) - 1
	return i, uint64(doc) - v.offsets[i]
}

// dateMask is the set of notices published between two days, inclusive;
// an open end is noDay.
func (v *view) dateMask(from, to int32) *roaring.Bitmap {
	out := roaring.New()
	for _, m := range v.months {
		if (from != noDay && m.last < from) || (to != noDay && m.first > to) {
			continue
		}
		if (from == noDay || m.first >= from) && (to == noDay || m.last <= to) {
			out.Or(m.docs)
			continue
		}
		it := m.docs.Iterator()
		for it.HasNext() {
			doc := it.Next()
			if d := v.day[doc]; (from == noDay || d >= from) && (to == noDay || d <= to) {
				out.Add(doc)
			}
		}
	}
	return out
}
