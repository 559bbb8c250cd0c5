// Package partner finds the organisations a notice names and resolves every
// way of writing one ("Korea Local Information Research & Development
// Institute (KLID)", "KLID", "한국지역정보개발원") to one canonical partner.
//
// Two sources of knowledge are combined: a gazetteer file of known
// organisations with acronyms and aliases, and acronym definitions found in
// the text itself ("Full Name (ACR)", detected with the Schwartz–Hearst
// algorithm) that the Resolver remembers for later notices.
package partner

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

//go:embed organisations.json
var defaultGazetteer []byte

// Organisation is one entry of the gazetteer file.
type Organisation struct {
	Name    string   `json:"name"`
	Acronym string   `json:"acronym"`
	Aliases []string `json:"aliases"`
}

// Partner returns the organisation as the domain knows it: named by its
// acronym when it has one, so facets show "KLID" rather than a 60-character name.
func (o Organisation) Partner() notice.Partner {
	p := notice.Partner{Name: o.Name, Aliases: o.Aliases}
	if o.Acronym != "" {
		p.Name, p.FullName = o.Acronym, o.Name
	}
	return p
}

type gazetteerFile struct {
	Comment       string         `json:"comment,omitempty"`
	Organisations []Organisation `json:"organisations"`
}

// DefaultGazetteer returns the gazetteer shipped with noticekb.
func DefaultGazetteer() []Organisation {
	orgs, err := ParseGazetteer(strings.NewReader(string(defaultGazetteer)))
	if err != nil {
		panic("partner: shipped gazetteer is invalid: " + err.Error())
	}
	return orgs
}

// DefaultGazetteerJSON is the shipped gazetteer file, for admins to start from.
func DefaultGazetteerJSON() []byte { return defaultGazetteer }

// LoadGazetteer reads and validates a gazetteer file.
func LoadGazetteer(path string) ([]Organisation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("partner: %w", err)
	}
	defer f.Close()
	orgs, err := ParseGazetteer(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return orgs, nil
}

// ParseGazetteer reads a gazetteer in JSON and checks that every name is
// present and that no name or alias belongs to two organisations.
func ParseGazetteer(r io.Reader) ([]Organisation, error) {
	var file gazetteerFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("partner: gazetteer: %w", err)
	}
	owner := map[string]int{}
	for i, o := range file.Organisations {
		if strings.TrimSpace(o.Name) == "" {
			return nil, fmt.Errorf("partner: gazetteer: organisation %d has no name", i+1)
		}
		for _, name := range o.names() {
			key := words.Key(name)
			if key == "" {
				return nil, fmt.Errorf("partner: gazetteer: %q: empty alias", o.Name)
			}
			if j, dup := owner[key]; dup && j != i {
				return nil, fmt.Errorf("partner: gazetteer: %q is listed for both %q and %q",
					name, file.Organisations[j].Name, o.Name)
			}
			owner[key] = i
		}
	}
	return file.Organisations, nil
}

// names lists every way of writing the organisation.
func (o Organisation) names() []string {
	names := []string{o.Name}
	if o.Acronym != "" {
		names = append(names, o.Acronym)
	}
	return append(names, o.Aliases...)
}
