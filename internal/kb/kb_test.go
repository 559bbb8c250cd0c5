package kb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noticekb/noticekb/internal/config"
	"github.com/noticekb/noticekb/internal/ingest"
	"github.com/noticekb/noticekb/internal/notice"
)

// A write that teaches extraction an organisation ("Full Name (ACR)")
// ends with the index knowing it: its facet value carries the full name,
// and a search for the full name finds the notice that names the acronym.
func TestWritesSettleLabels(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	k, err := Open(t.Context(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	dir := t.TempDir()
	html := "<html><head><title>Agreement signed</title></head><body><article><h1>Agreement signed</h1><p>Posted: 2021-03-04</p>" +
		"<p>UNPOG and the Pacific Digital Governance Agency (PDGA) signed an agreement. PDGA will host the meeting.</p><p>" +
		strings.Repeat("The partners discussed the programme of work. ", 8) + "</p></article></body></html>"
	os.WriteFile(filepath.Join(dir, "a.html"), []byte(html), 0o644)
	if _, err := k.Import(t.Context(), []string{dir}, ingest.ImportOptions{BaseURL: "https://example.org/"}); err != nil {
		t.Fatal(err)
	}
	res, err := k.Index().Search(t.Context(), notice.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var label string
	for _, v := range res.Facets[notice.FacetPartner] {
		if v.Value == "PDGA" {
			label = v.Label
		}
	}
	if label != "Pacific Digital Governance Agency" {
		t.Errorf("facet label of PDGA %q, want the full name learned in the import; facets %+v", label, res.Facets[notice.FacetPartner])
	}
}
