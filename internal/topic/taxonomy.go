// Package topic assigns cooperation topics and Sustainable Development Goals
// to notices from a taxonomy of keyword phrases that admins can edit.
package topic

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"noticekb/internal/notice"
	"noticekb/internal/words"
)

//go:embed taxonomy.json
var defaultTaxonomy []byte

// Taxonomy is the set of cooperation topics and the SDG tag set.
type Taxonomy struct {
	Comment string         `json:"comment,omitempty"`
	Topics  []notice.Topic `json:"topics"`
	SDGs    []notice.Topic `json:"sdgs"`
}

// DefaultTaxonomy returns the taxonomy shipped with noticekb.
func DefaultTaxonomy() Taxonomy {
	t, err := ParseTaxonomy(strings.NewReader(string(defaultTaxonomy)))
	if err != nil {
		panic("topic: shipped taxonomy is invalid: " + err.Error())
	}
	return t
}

// DefaultTaxonomyJSON is the shipped taxonomy file, for admins to start from.
func DefaultTaxonomyJSON() []byte { return defaultTaxonomy }

// LoadTaxonomy reads and validates a taxonomy file.
func LoadTaxonomy(path string) (Taxonomy, error) {
	f, err := os.Open(path)
	if err != nil {
		return Taxonomy{}, fmt.Errorf("topic: %w", err)
	}
	defer f.Close()
	t, err := ParseTaxonomy(f)
	if err != nil {
		return Taxonomy{}, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ParseTaxonomy reads a taxonomy in JSON and checks it: every topic has an
// id, a label and at least one keyword; ids and labels are unique.
func ParseTaxonomy(r io.Reader) (Taxonomy, error) {
	var t Taxonomy
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Taxonomy{}, fmt.Errorf("topic: taxonomy: %w", err)
	}
	if len(t.Topics) == 0 {
		return Taxonomy{}, fmt.Errorf("topic: taxonomy: no topics")
	}
	seen := map[string]string{}
	for set, topics := range map[string][]notice.Topic{"topics": t.Topics, "sdgs": t.SDGs} {
		for i, tp := range topics {
			where := fmt.Sprintf("%s[%d]", set, i)
			if strings.TrimSpace(tp.ID) == "" || strings.TrimSpace(tp.Label) == "" {
				return Taxonomy{}, fmt.Errorf("topic: taxonomy: %s: id and label are required", where)
			}
			for _, k := range []string{"id " + tp.ID, "label " + strings.ToLower(tp.Label)} {
				if other, dup := seen[k]; dup {
					return Taxonomy{}, fmt.Errorf("topic: taxonomy: %s: %s is used twice (also %s)", where, k, other)
				}
				seen[k] = where
			}
			if len(tp.Keywords) == 0 {
				return Taxonomy{}, fmt.Errorf("topic: taxonomy: %s (%s): no keywords", where, tp.ID)
			}
			for _, k := range tp.Keywords {
				if words.Key(strings.TrimSuffix(k, "*")) == "" {
					return Taxonomy{}, fmt.Errorf("topic: taxonomy: %s (%s): keyword %q has no words", where, tp.ID, k)
				}
			}
		}
	}
	return t, nil
}
