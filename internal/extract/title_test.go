package extract

import (
	"strings"
	"testing"
)

// TestTitleNeverFromHiddenContent: a heading the reader does not see is
// never the title; the article's own heading is, whatever the <title>'s
// longest part (here the site's name) says.
func TestTitleNeverFromHiddenContent(t *testing.T) {
	body := "<p>" + strings.Repeat("The officials discussed the programme of cooperation. ", 6) + "</p>"
	page := func(hidden string) string {
		// The <title>'s longest part is the site's name, and the heading
		// stands in the post's header (which layout code takes for chrome).
		return "<html><head><title>Workshop on digital government - Service numérique canadien, gouvernement du Canada</title></head><body>" +
			"<main role='main'>" + hidden + "<article><div class='post-header'><h1>Workshop on digital government</h1></div>" + body + "</article></main></body></html>"
	}
	for _, tt := range []struct{ name, hidden string }{
		{"hidden attribute", "<div hidden><h2>Filtrer par type</h2></div>"},
		{"aria-hidden", "<div aria-hidden='true'><h2 class='title'>Filtrer par type</h2></div>"},
		{"inline display:none", "<div style='display: none'><h2>Filtrer par type</h2></div>"},
		{"template", "<template><h2>Filtrer par type</h2></template>"},
		{"dialog not open", "<dialog><h2>Filtrer par type</h2><p>Résultats</p></dialog>"},
		{"search modal", "<div class='search-modal-container'><div class='modal'><input type='search' name='q'>" +
			"<span id='filter-title'>Filtrer par type</span><h2>Sélection de la langue</h2></div></div>"},
		{"role=search", "<form role='search'><h2>Filtrer par type</h2><input name='q'></form>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := newTestExtractor().Extract(Page{Body: []byte(page(tt.hidden))})
			if err != nil {
				t.Fatal(err)
			}
			if res.Notice.Title != "Workshop on digital government" {
				t.Errorf("title = %q", res.Notice.Title)
			}
			if strings.Contains(res.Notice.Body, "Filtrer") {
				t.Errorf("hidden text in the body: %q", res.Notice.Body)
			}
		})
	}
}

// An open dialog is shown, and a site-name heading outside the article
// never agrees with a "Site » Post" <title>.
func TestTitleAgreement(t *testing.T) {
	body := "<p>" + strings.Repeat("The officials discussed the programme of cooperation. ", 6) + "</p>"
	tests := []struct{ name, html, want string }{
		{"an open dialog is shown", "<html><body><dialog open><h1>Workshop on digital government</h1>" + body + "</dialog></body></html>", "Workshop on digital government"},
		{"the <title>'s first part agrees with the article's heading",
			"<html><head><title>Bonjour, &lt;strike&gt;le Monde&lt;/strike&gt; Canada - Service numérique canadien, gouvernement du Canada</title></head><body><header><h2>Sélection de la langue</h2></header>" +
				"<main><article><div class='post-header'><h1>Bonjour, <strike>le Monde</strike> Canada</h1></div>" + body + "</article></main></body></html>", "Bonjour, le Monde Canada"},
		{"an ellipsis written two ways",
			"<html><head><title>Faire confiance aux humains... et aux robots - Service numérique canadien, gouvernement du Canada</title></head><body><header><h2>Sélection de la langue</h2></header>" +
				"<main><article><div class='post-header'><h1>Faire confiance aux humains&hellip; et aux robots</h1></div>" + body + "</article></main></body></html>", "Faire confiance aux humains… et aux robots"},
		{"a site-name heading outside the article",
			"<html><head><title>Four Years Remaining » Blog Archive » Interning of Small Integers in Python</title></head><body><div id='header'><h1><a href='/'>Four Years Remaining</a></h1></div>" +
				"<div class='post'><h2>Interning of Small Integers in Python</h2>" + body + "</div></body></html>", "Interning of Small Integers in Python"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := newTestExtractor().Extract(Page{Body: []byte(tt.html)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Notice.Title != tt.want {
				t.Errorf("title = %q, want %q", res.Notice.Title, tt.want)
			}
		})
	}
}
