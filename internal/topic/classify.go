package topic

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// Limits on how many tags one notice gets. A notice is about a few things;
// tagging every passing mention would make facets useless.
const (
	maxTopics       = 3
	maxListedTopics = 6 // a notice that enumerates cooperation areas may name more
	maxSDGs         = 3
	minEvidence     = 2 // weighted mentions needed
	titleWeight     = 2
)

// Classifier assigns topics and SDGs to notices. It is immutable and safe
// for concurrent use; to change the taxonomy, build a new Classifier.
type Classifier struct {
	topics, sdgs       []notice.Topic
	topicDict, sdgDict *words.Dict
}

// NewClassifier compiles a taxonomy's keywords.
func NewClassifier(t Taxonomy) *Classifier {
	return &Classifier{
		topics: t.Topics, sdgs: t.SDGs,
		topicDict: compile(t.Topics), sdgDict: compile(t.SDGs),
	}
}

func compile(topics []notice.Topic) *words.Dict {
	d := words.NewDict()
	for i, tp := range topics {
		for _, k := range tp.Keywords {
			d.Add(k, i, isAcronym(k))
		}
	}
	return d
}

// isAcronym tells keywords to match as written: one word with two or more
// capitals ("CRVS", "LOSI", "eID"), so "losi" in other text does not count.
func isAcronym(k string) bool {
	k = strings.TrimSuffix(k, "*")
	if strings.ContainsAny(k, " -") {
		return false
	}
	upper := 0
	for _, r := range k {
		if unicode.IsUpper(r) {
			upper++
		}
	}
	return upper >= 2
}

// Topics returns the taxonomy's topics.
func (c *Classifier) Topics() []notice.Topic { return c.topics }

// SDGs returns the taxonomy's SDG tags.
func (c *Classifier) SDGs() []notice.Topic { return c.sdgs }

// Classify returns the labels of the notice's topics and SDGs, most
// relevant first.
func (c *Classifier) Classify(title, body string) (topics, sdgs []string) {
	topics = pick(score(c.topicDict, title, body), listed(c.topicDict, body), c.topics, maxTopics, maxListedTopics)
	sdgs = pick(score(c.sdgDict, title, body), nil, c.sdgs, maxSDGs, maxSDGs)
	return topics, sdgs
}

// evidence is how strongly a notice speaks of one topic.
type evidence struct {
	weight    int
	firstSeen int
}

type scores map[int]*evidence

func score(d *words.Dict, title, body string) scores {
	s := scores{}
	add := func(i, weight, pos int) {
		e, ok := s[i]
		if !ok {
			e = &evidence{firstSeen: pos}
			s[i] = e
		}
		e.weight += weight
	}
	for _, m := range d.FindAll(words.Split(title)) {
		add(m.Value, titleWeight, m.Start-titleFirst) // before any body mention, in title order
	}
	for _, m := range d.FindAll(words.Split(body)) {
		add(m.Value, 1, m.Start)
	}
	return s
}

// titleFirst places title mentions before all body mentions.
const titleFirst = 1 << 30

// pick ranks topics with enough evidence by weight, then by first mention,
// then in taxonomy order, so that a notice gets its topics in one order on
// every run (a changed order would re-store and re-index it for nothing),
// and keeps the first limit; then it adds the topics of an enumerated list,
// in list order, up to listedLimit in all.
func pick(s scores, listed []int, topics []notice.Topic, limit, listedLimit int) []string {
	var ranked []int
	for i, e := range s {
		if e.weight >= minEvidence {
			ranked = append(ranked, i)
		}
	}
	slices.SortFunc(ranked, func(a, b int) int {
		ea, eb := s[a], s[b]
		return cmp.Or(cmp.Compare(eb.weight, ea.weight), cmp.Compare(ea.firstSeen, eb.firstSeen), cmp.Compare(a, b))
	})
	if len(ranked) > limit {
		ranked = ranked[:limit]
	}
	for _, i := range listed {
		if len(ranked) < listedLimit && !slices.Contains(ranked, i) {
			ranked = append(ranked, i)
		}
	}
	labels := make([]string, len(ranked))
	for k, i := range ranked {
		labels[k] = topics[i].Label
	}
	return labels
}

// listMarkers find the items of enumerations: "i) … ii) …" or "(a) … (b) …"
// anywhere, and "1. …", "a) …", "- …", "• …" at the start of a line.
var listMarkers = regexp.MustCompile(`(?m)(?:^|[\s;:,])\(?(?:i{1,3}|iv|vi{0,3}|ix|x)\)\s+|(?:^|[\s;:,])\((?:[a-h]|\d{1,2})\)\s+|^[ \t]*(?:(?:[a-h]|\d{1,2})[.)]|[-•·▪–*])[ \t]+`)

// listed returns the topics named in the items of an enumerated list in the
// body, in list order. A notice that enumerates its areas of cooperation
// names each of them on purpose, so each counts even when mentioned once.
func listed(d *words.Dict, body string) []int {
	locs := listMarkers.FindAllStringIndex(body, -1)
	if len(locs) < 2 {
		return nil
	}
	var out []int
	for k, loc := range locs {
		end := len(body)
		if k+1 < len(locs) {
			end = locs[k+1][0]
		}
		item := body[loc[1]:end]
		if para := strings.Index(item, "\n\n"); para >= 0 {
			item = item[:para]
		}
		for _, m := range d.FindAll(words.Split(item)) {
			if !slices.Contains(out, m.Value) {
				out = append(out, m.Value)
			}
		}
	}
	return out
}
