package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/partner"
)

// An organisation first learned from a notice ("Pacific Digital Governance
// Agency (PDGA)") that the admin later adds to the gazetteer under another
// acronym must not show under two names: at the next start the stored
// notices take the gazetteer's name, and new notices get it too.
func TestLearnedPartnerKeepsOneNameAfterGazetteerEdit(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	page := func(dir, name, title, text string) {
		html := "<html><head><title>" + title + " | UNPOG</title></head><body><article><h1>" + title +
			"</h1><p>Posted: 2021-03-04</p><p>" + text + "</p><p>" + strings.Repeat("The partners discussed the programme of work. ", 8) + "</p></article></body></html>"
		os.WriteFile(filepath.Join(dir, name), []byte(html), 0o644)
	}
	page(first, "a.html", "UNPOG and PDGA sign agreement", "UNPOG and the Pacific Digital Governance Agency (PDGA) signed an agreement. PDGA will host the meeting.")
	data := t.TempDir()
	if _, stderr, err := runCmd(t, "import", "--data", data, "--base-url", "https://www.unpog.org/", first); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if got := exportedPartners(t, data); !slices.Equal(got, []string{"PDGA"}) {
		t.Fatalf("first import: partners %q, want [PDGA]", got)
	}

	// The admin adds the organisation with its own acronym.
	orgs := partner.DefaultGazetteer()
	orgs = append(orgs, partner.Organisation{Name: "Pacific Digital Governance Agency", Acronym: "PDG-A"})
	gaz, _ := json.Marshal(map[string]any{"organisations": orgs})
	os.WriteFile(filepath.Join(data, "organisations.json"), gaz, 0o644)
	page(second, "b.html", "PDGA hosts meeting", "The Pacific Digital Governance Agency hosted the second meeting with PDGA staff.")
	if _, stderr, err := runCmd(t, "import", "--data", data, "--base-url", "https://www.unpog.org/b/", second); err != nil {
		t.Fatalf("second import: %v\n%s", err, stderr)
	}
	out, _, err := runCmd(t, "search", "--data", data, "--json", "meeting")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, `"PDGA"`) {
		t.Errorf("the old name PDGA is still a facet value:\n%s", out)
	}
	for _, p := range exportedPartners(t, data) {
		if p != "PDG-A" {
			t.Errorf("partner %q, want only PDG-A", p)
		}
	}
}

func exportedPartners(t *testing.T, data string) []string {
	t.Helper()
	out, _, err := runCmd(t, "export", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l exportLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		all = append(all, l.Partners...)
	}
	return all
}
