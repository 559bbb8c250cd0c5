package crawl

import "testing"

func TestLanguageSegment(t *testing.T) {
	for raw, want := range map[string]string{
		"https://www.ruby-lang.org/ko/news/2014/02/24/x/": "ko",
		"https://example.org/zh_tw/news/":                 "zh_tw",
		"https://example.org/PT-BR/noticias/":             "pt-br",
		"https://example.org/zh-hant/":                    "zh-hant",
		"https://example.org/en":                          "en",
		"https://example.org/news/2024/":                  "", // not a language
		"https://example.org/us/news/":                    "", // two letters, no language
		"https://example.org/db/x":                        "",
		"https://example.org/":                            "",
		"https://example.org/ko-kr-x/":                    "",
	} {
		if got := languageSegment(raw); got != want {
			t.Errorf("languageSegment(%q) = %q, want %q", raw, got, want)
		}
	}
}
