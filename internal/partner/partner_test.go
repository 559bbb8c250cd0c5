package partner

import (
	"slices"
	"strings"
	"testing"
)

func names(found Found) []string {
	var out []string
	for _, p := range found.Partners {
		out = append(out, p.Name)
	}
	return out
}

func TestFind(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		exclude []string
		want    []string
	}{
		{"full name with acronym", "between UNPOG and Korea Local Information Research & Development Institute (KLID) was signed. KLID is", []string{"UNPOG"}, []string{"KLID"}},
		{"acronym only", "KLID and UNDP met.", nil, []string{"KLID", "UNDP"}},
		{"full name with and", "the Korea Local Information Research and Development Institute hosted", nil, []string{"KLID"}},
		{"alias", "DESA and UNESCAP and the World Bank", nil, []string{"UN DESA", "ESCAP", "WBG"}},
		{"longest match wins", "UN DESA/DPIDG and UN DESA", nil, []string{"UN DESA", "DPIDG"}},
		{"acronyms are case-sensitive", "who knows what the world bank does", nil, nil},
		{"long names ignore case", "the korea international cooperation agency", nil, []string{"KOICA"}},
		{"typographic apostrophe", "the United Nations Children’s Fund", nil, []string{"UNICEF"}},
		{"korean with particle", "한국지역정보개발원은 행정안전부 산하", nil, []string{"KLID", "MOIS"}},
		{"publisher excluded by full name", "United Nations Project Office on Governance (UNPOG) and ITU", []string{"United Nations Project Office on Governance"}, []string{"ITU"}},
		{"hyphenated acronym", "UN-Habitat and UN Women", nil, []string{"UN-Habitat", "UN Women"}},
		{"not an organisation", "civil registration and vital statistics (CRVS) and Information Network Village (INVIL)", nil, nil},
		{"a hyphen compound names something else", "the 2010 Korea-ASEAN Forum and the ASEAN-Korea Centre", nil, nil},
		{"a hyphen to a lower-case word still names it", "UNDP-supported projects and ITU-led work", nil, []string{"UNDP", "ITU"}},
		{"possessive", "the World Bank's report", nil, []string{"WBG"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewResolver(DefaultGazetteer())
			got := names(r.Find(tt.text, tt.exclude...))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Find(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestFindLearnsNewOrganisation(t *testing.T) {
	r := NewResolver(DefaultGazetteer())
	first := r.Find("The Pacific Islands Digital Governance Agency (PIDGA) joined. PIDGA will host it.")
	if got := names(first); !slices.Equal(got, []string{"PIDGA"}) {
		t.Fatalf("first notice: partners %q, want [PIDGA]", got)
	}
	if len(first.Learned) != 1 || first.Learned[0].FullName != "Pacific Islands Digital Governance Agency" {
		t.Fatalf("learned %+v", first.Learned)
	}
	later := r.Find("A later notice mentions PIDGA only, and the Pacific Islands Digital Governance Agency by name.")
	if got := names(later); !slices.Equal(got, []string{"PIDGA"}) {
		t.Errorf("later notice: partners %q, want [PIDGA] once", got)
	}
}

func TestDefinitions(t *testing.T) {
	tests := []struct {
		text      string
		wantShort string
		wantLong  string
	}{
		{"signed with Korea Local Information Research & Development Institute (KLID) in", "KLID", "Korea Local Information Research & Development Institute"},
		{"the two entities, civil registration and vital statistics (CRVS) & digital", "CRVS", "civil registration and vital statistics"},
		{"support from the Ministry of the Interior and Safety (MOIS).", "MOIS", "Ministry of the Interior and Safety"},
		{"KOICA (Korea International Cooperation Agency) funds", "KOICA", "Korea International Cooperation Agency"},
		{"a result (see annex) follows", "", ""},
		{"the Korea Internet & Security Agency (KISA) said", "KISA", "Korea Internet & Security Agency"},
		{"the United Nations Department of Economic and Social Affairs (UN DESA) and", "UN DESA", "United Nations Department of Economic and Social Affairs"},
		{"the Local Online Service Index (LOSI; 2020 edition)", "LOSI", "Local Online Service Index"},
		{"the Digital Government Development Agency (DGA, Thailand)", "DGA", "Digital Government Development Agency"},
		{"the Ministry of Foreign Affairs (MOFA) of Korea", "MOFA", "Ministry of Foreign Affairs"},
		{"the World Health Organization (WHO) (2020)", "WHO", "World Health Organization"},
		{"the office (UNPOG) and", "", ""},
		{"in 2020 (COVID) times", "", ""},
		{"the Pacific Islands\nAgency (PIA)", "", ""}, // a line break ends a long form
	}
	for _, tt := range tests {
		defs := Definitions(tt.text)
		if tt.wantShort == "" {
			if len(defs) != 0 {
				t.Errorf("Definitions(%q) = %+v, want none", tt.text, defs)
			}
			continue
		}
		if len(defs) != 1 || defs[0].Short != tt.wantShort || defs[0].Long != tt.wantLong {
			t.Errorf("Definitions(%q) = %+v, want %s = %s", tt.text, defs, tt.wantShort, tt.wantLong)
		}
	}
}

func TestParseGazetteerRejectsSharedAlias(t *testing.T) {
	_, err := ParseGazetteer(strings.NewReader(`{"organisations":[
		{"name":"Alpha Agency","acronym":"AA","aliases":[]},
		{"name":"Another Agency","acronym":"AA","aliases":[]}]}`))
	if err == nil || !strings.Contains(err.Error(), `"AA" is listed for both`) {
		t.Fatalf("err = %v, want a duplicate-alias error", err)
	}
}

func TestCanonicalGivesOneNamePerOrganisation(t *testing.T) {
	r := NewResolver(DefaultGazetteer())
	r.Find("The Pacific Islands Digital Governance Agency (PIDGA) joined.")
	got := r.Canonical([]string{"Korea Local Information Research and Development Institute", "KLID", "PIDGA",
		"Pacific Islands Digital Governance Agency", "UNDESA", "Unknown Body"})
	want := []string{"KLID", "PIDGA", "UN DESA", "Unknown Body"}
	if !slices.Equal(got, want) {
		t.Errorf("Canonical = %q, want %q", got, want)
	}
}

func TestLearningAcronyms(t *testing.T) {
	tests := []struct {
		name  string
		texts []string
		// lookups maps a name to the partner it must resolve to ("" = unknown).
		lookups map[string]string
	}{
		{
			name:    "a variant long form joins the organisation",
			texts:   []string{"the Pacific Islands Digital Governance Agency (PIDGA)", "the Pacific Island Digital Governance Agency (PIDGA)"},
			lookups: map[string]string{"Pacific Island Digital Governance Agency": "PIDGA"},
		},
		{
			name:    "another organisation sharing a known acronym gets no alias",
			texts:   []string{"the Asian Productivity Tribunal (APO) met"},
			lookups: map[string]string{"Asian Productivity Tribunal": "", "APO": "APO"},
		},
		{
			name:    "a new acronym for a known organisation becomes an alias",
			texts:   []string{"the Korea International Cooperation Agency (KICA) funded it"},
			lookups: map[string]string{"KICA": "KOICA"},
		},
		{
			name:    "a project is not an organisation",
			texts:   []string{"the Information Network Village (INVIL) project"},
			lookups: map[string]string{"INVIL": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewResolver(DefaultGazetteer())
			for _, text := range tt.texts {
				r.Find(text)
			}
			for name, want := range tt.lookups {
				p, ok := r.Lookup(name)
				if got := map[bool]string{true: p.Name}[ok]; got != want {
					t.Errorf("Lookup(%q) = %q, want %q", name, got, want)
				}
			}
		})
	}
}
