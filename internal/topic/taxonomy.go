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

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
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

// ParseTaxonomy reads a taxonomy in JSON and validates it.
func ParseTaxonomy(r io.Reader) (Taxonomy, error) {
	var t Taxonomy
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Taxonomy{}, fmt.Errorf("topic: taxonomy: %w (a topic has id, label and keywords)", err)
	}
	if err := t.Validate(); err != nil {
		return Taxonomy{}, err
	}
	return t, nil
}

// Validate checks a taxonomy: it has topics; every topic and SDG has an
// id, a label and at least one keyword with words in it; ids and labels
// are unique; no keyword is listed for two topics of one set. Errors name
// the set, the position, the id and the keyword.
func (t Taxonomy) Validate() error {
	if len(t.Topics) == 0 {
		return fmt.Errorf("topic: taxonomy: no topics")
	}
	seen := map[string]string{}
	for _, set := range []struct {
		name   string
		topics []notice.Topic
	}{{"topics", t.Topics}, {"sdgs", t.SDGs}} {
		owner := map[string]string{}
		for i, tp := range set.topics {
			where := fmt.Sprintf("%s[%d]", set.name, i)
			if strings.TrimSpace(tp.ID) == "" || strings.TrimSpace(tp.Label) == "" {
				return fmt.Errorf("topic: taxonomy: %s: id and label are required", where)
			}
			for _, k := range []string{"id " + tp.ID, "label " + strings.ToLower(tp.Label)} {
				if other, dup := seen[k]; dup {
					return fmt.Errorf("topic: taxonomy: %s: %s is used twice (also %s)", where, k, other)
				}
				seen[k] = where
			}
			if len(tp.Keywords) == 0 {
				return fmt.Errorf("topic: taxonomy: %s (%s): no keywords", where, tp.ID)
			}
			for _, k := range tp.Keywords {
				key := words.Key(strings.TrimSuffix(k, "*"))
				if key == "" {
					return fmt.Errorf("topic: taxonomy: %s (%s): keyword %q has no words", where, tp.ID, k)
				}
				if isAcronym(k) {
					key = "=" + strings.TrimSuffix(k, "*") // acronyms match as written
				}
				if other, dup := owner[key]; dup && other != tp.ID {
					return fmt.Errorf("topic: taxonomy: %s (%s): keyword %q is also listed for %s", where, tp.ID, k, other)
				}
				owner[key] = tp.ID
			}
		}
	}
	return nil
}
