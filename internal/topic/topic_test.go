package topic

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	c := NewClassifier(DefaultTaxonomy())
	tests := []struct {
		name  string
		title string
		body  string
		want  []string
	}{
		{
			name: "two mentions are evidence, one is not",
			body: "A smart city forum. Smart cities need data. Open data was mentioned once.",
			want: []string{"Smart city"},
		},
		{
			name:  "a title mention is evidence",
			title: "Workshop on Civil Registration",
			body:  "Officials met in Bangkok.",
			want:  []string{"Civil registration & vital statistics (CRVS)"},
		},
		{
			name: "longest keyword wins over a shorter one inside it",
			body: "The local e-government development index and the Local Online Service Index (LOSI).",
			want: []string{"Local e-government development index"},
		},
		{
			name: "acronym keywords are case-sensitive",
			body: "losi losi crvs crvs",
			want: nil,
		},
		{
			name: "at most three by weight",
			body: strings.Repeat("smart city, ", 5) + strings.Repeat("open data, ", 4) + strings.Repeat("digital ID, ", 3) + strings.Repeat("e-government, ", 2),
			want: []string{"Smart city", "Open government & transparency", "Digital identity"},
		},
		{
			name: "korean keyword with particle",
			body: "전자정부의 발전과 전자정부 서비스",
			want: []string{"E-government"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := c.Classify(tt.title, tt.body)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Classify = %q, want %q", got, tt.want)
			}
		})
	}
}

// The founding notice enumerates five areas of cooperation; each is a topic.
func TestClassifySeedNoticeFindsEnumeratedAreas(t *testing.T) {
	body, err := os.ReadFile("testdata/seed-body.txt")
	if err != nil {
		t.Fatal(err)
	}
	c := NewClassifier(DefaultTaxonomy())
	got, sdgs := c.Classify("UNPOG signed the Concept Note for Bilateral Cooperation with KLID", string(body))
	for _, want := range []string{
		"Localizing the SDGs", "Policy coherence & institutional coordination", "Public service innovation",
		"Local e-government development index", "Civil registration & vital statistics (CRVS)", "Digital identity",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("topics %q lack %q", got, want)
		}
	}
	if len(sdgs) == 0 {
		t.Errorf("no SDGs for a notice about SDG implementation and partnerships")
	}
}

func TestParseTaxonomyErrors(t *testing.T) {
	tests := []struct{ json, want string }{
		{`{"topics":[]}`, "no topics"},
		{`{"topics":[{"id":"a","label":"A","keywords":[]}]}`, "no keywords"},
		{`{"topics":[{"id":"a","label":"A","keywords":["x"]},{"id":"a","label":"B","keywords":["y"]}]}`, "used twice"},
		{`{"topics":[{"id":"","label":"A","keywords":["x"]}]}`, "id and label are required"},
		{`{"topics":[{"id":"a","label":"A","keywords":["--"]}]}`, "has no words"},
		{`{"topics":[{"id":"a","label":"A","keywords":["x"],"colour":"red"}]}`, "unknown field"},
		{`{"topics":[{"id":"a","label":"A","keywords":["smart city"]},{"id":"b","label":"B","keywords":["Smart City"]}]}`, `topics[1] (b): keyword "Smart City" is also listed for a`},
		{`{"topics":[{"id":"a","label":"A","keywords":["x"]}],"sdgs":[{"id":"s1","label":"","keywords":["y"]}]}`, "sdgs[0]: id and label are required"},
	}
	for _, tt := range tests {
		_, err := ParseTaxonomy(strings.NewReader(tt.json))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseTaxonomy(%s) error = %v, want %q", tt.json, err, tt.want)
		}
	}
}

// A notice gets its topics and SDGs in one order on every run: topics
// tied in weight come in the order the title (then the body) names them.
// A different order would make re-extraction store and re-index the
// notice again for nothing.
func TestClassifyOrderIsDeterministic(t *testing.T) {
	c := NewClassifier(DefaultTaxonomy())
	title := "Smart city, open data, e-government and digital identity for local governments"
	body := "Officials met. SDG 11 sustainable cities and communities, SDG 16 peace justice and strong institutions, SDG 17 partnerships for the goals."
	wantTopics, wantSDGs := c.Classify(title, body)
	if len(wantTopics) != 3 || wantTopics[0] != "Smart city" || wantTopics[1] != "Open government & transparency" || wantTopics[2] != "E-government" {
		t.Fatalf("topics %q, want the first three the title names, in its order", wantTopics)
	}
	for range 200 {
		topics, sdgs := c.Classify(title, body)
		if !slices.Equal(topics, wantTopics) || !slices.Equal(sdgs, wantSDGs) {
			t.Fatalf("order changed: %q %q, then %q %q", wantTopics, wantSDGs, topics, sdgs)
		}
	}
}
