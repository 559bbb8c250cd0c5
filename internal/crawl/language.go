package crawl

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/text/language"
)

// languageShape is a path segment that may name a language: "ko", "pt-br",
// "zh_tw", "zh-hant".
var languageShape = regexp.MustCompile(`^[a-z]{2}(?:[-_](?:[a-z]{2}|[a-z]{4}))?$`)

// languageSegment is the language a URL's path starts with, as written
// ("ko", "zh_tw"), or "" when its first segment names none: two letters
// that are an ISO 639-1 language, with a region or script after them.
func languageSegment(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	first = strings.ToLower(first)
	if !languageShape.MatchString(first) {
		return ""
	}
	if _, err := language.ParseBase(first[:2]); err != nil {
		return ""
	}
	return first
}

// startLanguages gives, for each site whose every start URL begins with a
// language, the set of them; a site with a start URL that names none
// (/news/) is crawled in every language it links to.
func startLanguages(starts []entry) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	open := map[string]bool{}
	for _, s := range starts {
		site := siteOf(s.url)
		lang := languageSegment(s.url)
		if lang == "" {
			open[site] = true
			continue
		}
		if out[site] == nil {
			out[site] = map[string]bool{}
		}
		out[site][lang] = true
	}
	for site := range open {
		delete(out, site)
	}
	return out
}
