package verdict

import "testing"

func TestReadURL(t *testing.T) {
	tests := []struct {
		url  string
		want Address
	}{
		{"https://example.org/", Address{Home: true}},
		{"https://www.ruby-lang.org/ko/", Address{Home: true, SlugWords: 1}},
		{"https://example.org/index.php", Address{Home: true, SlugWords: 1}},
		{"https://www.ruby-lang.org/ko/news/2003/01/", Address{Archive: true, SlugWords: 1}},
		{"https://www.ruby-lang.org/ko/news/2003/", Address{Archive: true, SlugWords: 1}},
		{"https://example.org/2021/04/05/", Address{Archive: true, SlugWords: 1}},
		{"https://example.org/2021/04/page/2/", Address{Archive: true, Paged: true, SlugWords: 1}},
		{"https://www.ruby-lang.org/ko/news/2014/02/24/ruby-2-1-1-is-released/", Address{DatedSlug: true, SlugWords: 6}},
		{"https://example.org/news/2020-05-06-city-council-approves-budget", Address{DatedSlug: true, SlugWords: 7}},
		{"https://numerique.canada.ca/blogue/page/28/", Address{Paged: true, SlugWords: 1}},
		{"https://example.org/news/?page=3", Address{Paged: true, SlugWords: 1}},
		{"https://example.org/news/?page=1", Address{SlugWords: 1}},
		{"https://example.org/category/press-releases/", Address{Taxonomy: "category", SlugWords: 2}},
		{"https://example.org/fr/categorie/annonces/page/2/", Address{Taxonomy: "category", Paged: true, SlugWords: 1}},
		{"https://example.org/author/jane-doe/", Address{Taxonomy: "author", SlugWords: 2}},
		{"https://example.org/tag/climate", Address{Taxonomy: "tag", SlugWords: 1}},
		{"https://example.org/blog/태그/행정/", Address{Taxonomy: "tag", SlugWords: 1}},
		{"https://example.org/?s=budget", Address{Taxonomy: "search"}},
		// A long slug after "topics" is an article, not a topic's list.
		{"https://example.org/topics/why-the-city-is-planting-ten-thousand-trees/", Address{SlugWords: 8}},
		{"https://example.org/topics/climate/why-the-city-plants-trees/", Address{SlugWords: 5}},
		{"https://example.org/services/waste-collection/", Address{SlugWords: 2}},
		{"https://example.org/a/p/123", Address{SlugWords: 1}},
		{"https://example.org/ok", Address{SlugWords: 1}},
		// Not web addresses: nothing to read.
		{"", Address{}},
		{"file:///home/me/pages/tag/x.html", Address{}},
	}
	for _, tt := range tests {
		if got := ReadURL(tt.url); got != tt.want {
			t.Errorf("ReadURL(%q) = %+v, want %+v", tt.url, got, tt.want)
		}
	}
}

func TestPattern(t *testing.T) {
	tests := []struct{ url, want string }{
		{"https://www.ruby-lang.org/ko/news/2014/02/24/ruby-2-1-1-is-released/", "/ko/news/#/#/#/*"},
		{"https://www.ruby-lang.org/ko/news/2002/12/07/raa-2-1-0/", "/ko/news/#/#/#/*"},
		{"https://www.ruby-lang.org/ko/news/2003/01/", "/ko/news/#/#"},
		{"https://numerique.canada.ca/carrieres/", "/*"},
		{"https://numerique.canada.ca/guides/guide-entrevue/", "/guides/*"},
		{"https://example.org/bbs/view.php?idx=12&bo_table=notice", "/bbs/*?bo_table=#&idx=#"},
		{"https://example.org/", "/"},
	}
	for _, tt := range tests {
		if got := Pattern(tt.url); got != tt.want {
			t.Errorf("Pattern(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}
