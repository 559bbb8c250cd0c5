package index

import (
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// Labels gives facet values their display labels and the other names a
// query may use for them (a partner's full name and aliases).
type Labels struct {
	// Partner maps a partner name (an acronym) to its full name.
	Partner map[string]string
	// PartnerAliases maps the key (words.Key) of each way of writing a
	// partner to its name.
	PartnerAliases map[string]string
}

// SetLabels replaces the display labels and partner aliases.
func (ix *Index) SetLabels(l Labels) {
	ix.labels.Store(&l)
	ix.generation.Add(1)
}

// NewLabels builds labels from the known partners: each partner's full
// name as its label, and every way of writing it as an alias.
func NewLabels(partners []notice.Partner) Labels {
	l := Labels{Partner: map[string]string{}, PartnerAliases: map[string]string{}}
	for _, p := range partners {
		if p.FullName != "" {
			l.Partner[p.Name] = p.FullName
		}
		for _, alias := range append([]string{p.Name, p.FullName}, p.Aliases...) {
			if k := words.Key(alias); k != "" {
				if _, taken := l.PartnerAliases[k]; !taken {
					l.PartnerAliases[k] = p.Name
				}
			}
		}
	}
	return l
}

// canonicalPartner resolves any name of a partner to the name the index
// stores; unknown names are kept as given.
func (l *Labels) canonicalPartner(s string) string {
	if name, ok := l.PartnerAliases[words.Key(s)]; ok {
		return name
	}
	return s
}
