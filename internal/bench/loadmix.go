package bench

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
	"unicode"
)

// mixIndex is what the request mix is drawn from: words of real titles,
// and real facet values and notice IDs, all read from the server.
type mixIndex struct {
	words    []string
	partners []string
	topics   []string
	years    []string
	ids      []string
}

// stopWords are not worth a search of their own.
var stopWords = map[string]bool{"with": true, "from": true, "that": true, "this": true, "into": true, "their": true, "about": true, "have": true, "will": true, "were": true, "been": true}

func readMix(base string) (mixIndex, error) {
	var m mixIndex
	var r struct {
		Hits []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"hits"`
		Facets map[string][]struct {
			Value string `json:"value"`
		} `json:"facets"`
	}
	if err := getJSON(base+"/api/v1/search?size=100&facet_size=40", &r); err != nil {
		return m, err
	}
	seen := map[string]bool{}
	for _, h := range r.Hits {
		m.ids = append(m.ids, h.ID)
		for _, w := range strings.FieldsFunc(strings.ToLower(h.Title), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len([]rune(w)) >= 4 && !stopWords[w] && !seen[w] {
				seen[w] = true
				m.words = append(m.words, w)
			}
		}
	}
	for _, f := range []struct {
		name string
		dst  *[]string
	}{{"partner", &m.partners}, {"topic", &m.topics}, {"year", &m.years}} {
		for _, v := range r.Facets[f.name] {
			*f.dst = append(*f.dst, v.Value)
		}
	}
	sort.Strings(m.years)
	if len(m.words) < 10 || len(m.partners) < 2 || len(m.topics) < 2 || len(m.years) < 2 || len(m.ids) == 0 {
		return m, fmt.Errorf("bench load: the data folder has too little to draw a mix from (%d words, %d partners, %d topics, %d years)",
			len(m.words), len(m.partners), len(m.topics), len(m.years))
	}
	return m, nil
}

// buildPaths draws n request paths. Words follow a Zipf law, as queries
// do, so popular searches repeat (and meet the result cache) while most
// are new. The shares: API searches with words, with a partner, with two
// partners and a topic (disjunctive counts), a topic and a year range,
// phrases sorted by date on a deeper page, the month histogram; the HTML
// search page and its live-search partial; notice pages.
func buildPaths(base string, n, seed int) ([]string, error) {
	m, err := readMix(base)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 42))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(m.words)-1))
	word := func() string { return m.words[zipf.Uint64()] }
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	q := url.QueryEscape
	kinds := []struct {
		weight int
		make   func() string
	}{
		{25, func() string { return "/api/v1/search?q=" + q(word()) }},
		{10, func() string { return "/api/v1/search?q=" + q(word()+" "+word()) }},
		{15, func() string { return "/api/v1/search?q=" + q(word()) + "&partner=" + q(pick(m.partners)) }},
		{10, func() string {
			return "/api/v1/search?partner=" + q(pick(m.partners)) + "&partner=" + q(pick(m.partners)) + "&topic=" + q(pick(m.topics))
		}},
		{10, func() string {
			y := rng.IntN(len(m.years) - 1)
			return "/api/v1/search?topic=" + q(pick(m.topics)) + "&from=" + m.years[y] + "&to=" + m.years[y+1]
		}},
		{5, func() string { return "/api/v1/search?q=" + q(`"`+word()+" "+word()+`"`) + "&sort=newest&page=2" }},
		{5, func() string { return "/api/v1/search?q=" + q(word()) + "&months=1&from=" + pick(m.years) }},
		{10, func() string { return "/?q=" + q(word()) + "&partner=" + q(pick(m.partners)) }},
		{5, func() string { return "/?q=" + q(word()) + "&partial=1" }},
		{5, func() string { return "/notices/" + pick(m.ids) }},
	}
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	paths := make([]string, 0, n)
	for range n {
		r := rng.IntN(total)
		for _, k := range kinds {
			if r < k.weight {
				paths = append(paths, k.make())
				break
			}
			r -= k.weight
		}
	}
	return paths, nil
}

// describeMix counts the paths by kind for the report.
func describeMix(paths []string) string {
	var api, page, partial, notices, facets, distinct int
	seen := map[string]bool{}
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			distinct++
		}
		switch {
		case strings.HasPrefix(p, "/api/"):
			api++
		case strings.HasPrefix(p, "/notices/"):
			notices++
		case strings.Contains(p, "partial=1"):
			partial++
		default:
			page++
		}
		if strings.Contains(p, "partner=") || strings.Contains(p, "topic=") {
			facets++
		}
	}
	return fmt.Sprintf("%d distinct; API %d, search pages %d, live-search partials %d, notice pages %d; %d with facet filters",
		distinct, api, page, partial, notices, facets)
}

// kindOf names a path's kind in the mix, for latency by kind.
func kindOf(p string) string {
	switch {
	case strings.HasPrefix(p, "/notices/"):
		return "notice page"
	case strings.Contains(p, "partial=1"):
		return "live-search partial"
	case strings.HasPrefix(p, "/?"):
		return "search page, word + partner"
	case strings.Contains(p, "months=1"):
		return "API word + month histogram"
	case strings.Contains(p, "sort=newest"):
		return "API phrase, newest, page 2"
	case strings.Contains(p, "from="):
		return "API topic + year range"
	case strings.Count(p, "partner=") == 2:
		return "API 2 partners + topic"
	case strings.Contains(p, "partner="):
		return "API word + partner"
	case strings.Contains(p, "+"):
		return "API two words"
	}
	return "API one word"
}
