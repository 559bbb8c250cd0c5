package crawl

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

var digitRun = regexp.MustCompile(`\d+`)

// pattern abstracts a URL to the shape its siblings share, so an endless
// link space (a calendar's next month, a search's next page, ever longer
// queries) shows up as one pattern with many URLs. Digits become #, long
// or slug-like path segments *, and every query value is abstracted: to #
// when it holds digits only (and separators), else to *.
func pattern(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(u.Host))
	for _, seg := range strings.Split(strings.TrimPrefix(u.Path, "/"), "/") {
		b.WriteByte('/')
		if strings.Count(seg, "-") >= 2 || len(seg) > 40 {
			b.WriteByte('*')
			continue
		}
		b.WriteString(digitRun.ReplaceAllString(seg, "#"))
	}
	q := u.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		v := digitRun.ReplaceAllString(q.Get(k), "#")
		if strings.Trim(v, "#-_.:/ ") != "" {
			v = "*"
		}
		b.WriteString(k + "=" + v)
	}
	return b.String()
}

// budget counts, per URL pattern, the pages that were worth fetching
// (notices, lists, redirects to them) and those that were not.
type budget struct {
	limit    int
	counts   map[string]*[2]int // useful, wasted
	reported map[string]bool
}

func newBudget(limit int) *budget {
	return &budget{limit: limit, counts: map[string]*[2]int{}, reported: map[string]bool{}}
}

// spent reports whether the pattern has used its budget: at least limit
// wasted pages, and more wasted than useful ones. A pattern of notice
// pages never runs out; a calendar of empty months does after limit.
func (b *budget) spent(p string) bool {
	c := b.counts[p]
	return c != nil && c[1] >= b.limit && c[1] > c[0]
}

func (b *budget) note(p string, useful bool) {
	c := b.counts[p]
	if c == nil {
		c = &[2]int{}
		b.counts[p] = c
	}
	if useful {
		c[0]++
	} else {
		c[1]++
	}
}
