package extract

import (
	"strings"
	"unicode"
)

// language names the notice's language by the script of its letters, which
// settles Korean, Japanese, Chinese and others without a model; Latin-script
// text takes the page's declared language, English by default.
func language(text, declared string) string {
	counts := map[string]int{}
	letters := 0
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case unicode.Is(unicode.Hangul, r):
			counts["ko"]++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			counts["ja"] += 3 // Japanese mixes kana with Han
		case unicode.Is(unicode.Han, r):
			counts["zh"]++
		case unicode.Is(unicode.Cyrillic, r):
			counts["ru"]++
		case unicode.Is(unicode.Arabic, r):
			counts["ar"]++
		case unicode.Is(unicode.Thai, r):
			counts["th"]++
		case unicode.Is(unicode.Greek, r):
			counts["el"]++
		case unicode.Is(unicode.Devanagari, r):
			counts["hi"]++
		}
	}
	if letters == 0 {
		return ""
	}
	best, bestCount := "", 0
	for lang, c := range counts {
		if c > bestCount {
			best, bestCount = lang, c
		}
	}
	if float64(bestCount) >= 0.3*float64(letters) {
		return best
	}
	declared = strings.ToLower(strings.TrimSpace(declared))
	if i := strings.IndexAny(declared, "-_"); i > 0 {
		declared = declared[:i]
	}
	if len(declared) == 2 && declared != "ko" && declared != "ja" && declared != "zh" {
		return declared
	}
	return "en"
}
