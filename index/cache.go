package index

import (
	"container/list"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/noticekb/noticekb/internal/notice"
)

// resultCache keeps recent results, valid only for the index generation
// they were computed at. The empty query and facet-only views repeat
// constantly; a write to the index makes every entry stale at once.
type resultCache struct {
	mu      sync.Mutex
	size    int
	order   *list.List // front = most recent
	entries map[string]*list.Element
}

type cacheEntry struct {
	key        string
	generation uint64
	result     *notice.Result
}

func newResultCache(size int) *resultCache {
	return &resultCache{size: size, order: list.New(), entries: map[string]*list.Element{}}
}

func (c *resultCache) get(key string, generation uint64) (*notice.Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if e.generation != generation {
		c.order.Remove(el)
		delete(c.entries, key)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e.result, true
}

func (c *resultCache) put(key string, generation uint64, r *notice.Result) {
	if c.size == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		el.Value = &cacheEntry{key, generation, r}
		c.order.MoveToFront(el)
		return
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key, generation, r})
	for c.order.Len() > c.size {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*cacheEntry).key)
	}
}

// cacheKey writes a normalised query as a string.
func cacheKey(q *notice.Query) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q|%s|%s|%s|%d|%d|%d|%v|%v|%q", q.Text, q.From, q.To, q.Sort, q.Page, q.Size, q.FacetTop, q.Months, q.Verbatim, q.After)
	if q.FacetsOfHits {
		b.WriteString("|facets-of-hits")
	}
	facets := make([]string, 0, len(q.Filters))
	for f := range q.Filters {
		facets = append(facets, f)
	}
	sort.Strings(facets)
	for _, f := range facets {
		values := append([]string(nil), q.Filters[f]...)
		sort.Strings(values)
		fmt.Fprintf(&b, "|%s=%q", f, values)
	}
	prefixed := make([]string, 0, len(q.FacetPrefix))
	for f := range q.FacetPrefix {
		prefixed = append(prefixed, f)
	}
	sort.Strings(prefixed)
	for _, f := range prefixed {
		fmt.Fprintf(&b, "|%s^%q", f, q.FacetPrefix[f])
	}
	return b.String()
}

// snapshotCache keeps, for one index snapshot, what recent searches
// worked out from its dictionary: what unfinished words expand to (a
// visitor typing "clim", "clima", "climat" asks for the same beginnings as
// the next one), how notices write a word. It starts again when full.
type snapshotCache[V any] struct {
	mu      sync.Mutex
	entries map[string]V
}

// maxSnapshotCached bounds a snapshotCache.
const maxSnapshotCached = 4096

func (c *snapshotCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[key]
	return v, ok
}

func (c *snapshotCache[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxSnapshotCached {
		c.entries = map[string]V{}
	}
	c.entries[key] = v
}
