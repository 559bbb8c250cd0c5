package partner

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// Resolver recognises organisations in text. It is safe for concurrent use:
// extraction workers share one Resolver, and what one notice defines
// ("Full Name (ACR)") is known when later notices write only "ACR".
type Resolver struct {
	mu       sync.RWMutex
	partners []notice.Partner // index = partner number
	byKey    map[string]int   // folded name, acronym or alias -> partner
	names    *words.Dict
}

// NewResolver builds a resolver over a gazetteer.
func NewResolver(orgs []Organisation) *Resolver {
	r := &Resolver{byKey: map[string]int{}, names: words.NewDict()}
	for _, o := range orgs {
		r.add(o.Partner())
	}
	return r
}

// add registers a partner under all its names; the caller holds the lock
// (or is the constructor).
func (r *Resolver) add(p notice.Partner) int {
	id := len(r.partners)
	r.partners = append(r.partners, p)
	for _, n := range append([]string{p.Name, p.FullName}, p.Aliases...) {
		r.addName(n, id)
	}
	return id
}

// addName registers one way of writing a partner. Acronyms and other short
// names are matched as written, so "WHO" is not "who" and "World Bank" is
// not "world bank"; longer names match in any case.
func (r *Resolver) addName(text string, id int) {
	key := words.Key(text)
	if key == "" {
		return
	}
	if _, taken := r.byKey[key]; taken {
		return
	}
	r.byKey[key] = id
	exact := strings.Count(key, " ") < 2 && !words.IsHangul(text)
	r.names.Add(text, id, exact)
}

// Lookup resolves any name, acronym or alias of a known partner.
func (r *Resolver) Lookup(anyName string) (notice.Partner, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	id, ok := r.byKey[words.Key(anyName)]
	if !ok {
		return notice.Partner{}, false
	}
	return r.partners[id], true
}

// Canonical maps partner names, acronyms or aliases to the names the
// resolver now gives those organisations, dropping repeats and keeping the
// order. Names it does not know stay as they are. Notices extracted before
// an organisation was learned or merged (a learned acronym later found in
// the gazetteer under another) are brought to one name per organisation
// this way, so the partner facet never shows one organisation twice.
func (r *Resolver) Canonical(names []string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		if id, ok := r.byKey[words.Key(n)]; ok {
			n = r.partners[id].Name
		}
		if k := words.Key(n); !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	return out
}

// Partners lists every known partner, gazetteer and learned, by name.
func (r *Resolver) Partners() []notice.Partner {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := slices.Clone(r.partners)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Learn adds an organisation defined in some text, unless one of its names
// is already known; it returns the partner the names now resolve to.
func (r *Resolver) Learn(p notice.Partner) notice.Partner {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.learnLocked(p)
}

func (r *Resolver) learnLocked(p notice.Partner) notice.Partner {
	if id, ok := r.byKey[words.Key(p.FullName)]; ok && p.FullName != "" {
		// A known organisation under a new acronym: remember the acronym.
		r.alias(id, p.Name)
		return r.partners[id]
	}
	if id, ok := r.byKey[words.Key(p.Name)]; ok && p.Name != "" {
		// A known acronym with another long form: the same organisation
		// written a little differently ("Island" for "Islands") gains the
		// form as an alias; a different organisation that happens to share
		// the acronym does not, so it never takes the known one's name.
		if known := r.partners[id]; known.FullName == "" || similarNames(known.FullName, p.FullName) {
			r.alias(id, p.FullName)
		}
		return r.partners[id]
	}
	return r.partners[r.add(p)]
}

// alias adds a name to a partner unless some partner has it already.
func (r *Resolver) alias(id int, name string) {
	if _, taken := r.byKey[words.Key(name)]; taken || name == "" {
		return
	}
	r.partners[id].Aliases = append(r.partners[id].Aliases, name)
	r.addName(name, id)
}

// similarNames reports whether two long names share most of their words.
func similarNames(a, b string) bool {
	wa, wb := words.Split(a), words.Split(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	in := map[string]bool{}
	for _, w := range wa {
		in[strings.TrimSuffix(w.Key, "s")] = true
	}
	shared := 0
	for _, w := range wb {
		if in[strings.TrimSuffix(w.Key, "s")] {
			shared++
		}
	}
	return shared*3 >= 2*max(len(wa), len(wb))
}

// Found is what Find saw in one text.
type Found struct {
	// Partners in order of first mention, each once.
	Partners []notice.Partner
	// Learned are organisations the text defined that were not known before.
	Learned []notice.Partner
	// Mentions are the byte spans of every mention of a known organisation,
	// the excluded ones too: words there name an organisation, not a topic
	// ("Division for Public Institutions and Digital Government").
	Mentions [][2]int
}

// Find names the organisations mentioned in text. Partners whose name,
// acronym or alias is in exclude (the publisher) are left out.
func (r *Resolver) Find(text string, exclude ...string) Found {
	var found Found
	r.learnDefinitions(text, &found)

	excluded := map[int]bool{}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, e := range exclude {
		if id, ok := r.byKey[words.Key(e)]; ok {
			excluded[id] = true
		}
	}
	seen := map[int]bool{}
	ws := words.Split(text)
	for _, m := range r.names.FindAll(ws) {
		start, end := ws[m.Start].Start, ws[m.Start+m.Width-1].End
		if partOfOtherName(text, start, end) {
			continue
		}
		found.Mentions = append(found.Mentions, [2]int{start, end})
		if !seen[m.Value] && !excluded[m.Value] {
			seen[m.Value] = true
			found.Partners = append(found.Partners, r.partners[m.Value])
		}
	}
	return found
}

// partOfOtherName reports whether a mention is joined by a hyphen to a
// capitalised word, as in "the Korea-ASEAN Forum": a compound name of
// something else (an event, a centre), not a mention of the organisation.
// "UNDP-supported" still names UNDP.
func partOfOtherName(text string, start, end int) bool {
	if start >= 2 && text[start-1] == '-' {
		r, _ := utf8.DecodeLastRuneInString(text[:start-1])
		if unicode.IsUpper(r) || unicode.IsLower(r) && capitalizedWordBefore(text[:start-1]) {
			return true
		}
	}
	if end+1 < len(text) && text[end] == '-' {
		r, _ := utf8.DecodeRuneInString(text[end+1:])
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// capitalizedWordBefore reports whether the word ending text starts with
// a capital letter.
func capitalizedWordBefore(text string) bool {
	i := strings.LastIndexFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	r, _ := utf8.DecodeRuneInString(text[i+1:])
	return unicode.IsUpper(r)
}

// learnDefinitions registers organisations defined in the text.
func (r *Resolver) learnDefinitions(text string, found *Found) {
	defs := Definitions(text)
	if len(defs) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range defs {
		_, longKnown := r.byKey[words.Key(d.Long)]
		_, shortKnown := r.byKey[words.Key(d.Short)]
		if !longKnown && !shortKnown && !looksLikeOrganisation(d.Long) {
			continue
		}
		if !longKnown && !shortKnown {
			found.Learned = append(found.Learned, notice.Partner{Name: d.Short, FullName: d.Long})
		}
		if longKnown && shortKnown {
			continue
		}
		if !longKnown && shortKnown && !looksLikeOrganisation(d.Long) {
			continue // a known acronym reused for something else
		}
		r.learnLocked(notice.Partner{Name: d.Short, FullName: d.Long})
	}
}
