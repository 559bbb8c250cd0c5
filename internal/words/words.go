// Package words splits text into words and finds dictionary phrases in it.
// Partners and topics are both recognised as phrases ("Korea International
// Cooperation Agency", "civil registration") matched word by word, longest
// first, so they share this one matcher.
package words

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Word is one word of a text with its byte span, its spelling as written and
// its folded comparison key (see Fold).
type Word struct {
	Raw        string
	Key        string
	Start, End int
}

// Split breaks text into words: runs of letters and digits, with an
// apostrophe inside a word kept ("Children's"), and "&" as a word of its own
// whose key is "and", so "Research & Development" equals "Research and
// Development". Hyphens separate words: "capacity-building" is two words.
func Split(text string) []Word {
	var out []Word
	start := -1
	flush := func(end int) {
		if start >= 0 {
			raw := text[start:end]
			out = append(out, Word{Raw: raw, Key: Fold(raw), Start: start, End: end})
			start = -1
		}
	}
	for i, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’') && start >= 0 && letterAt(text, i+utf8.RuneLen(r)):
			// an apostrophe inside a word
		case r == '&':
			flush(i)
			out = append(out, Word{Raw: "&", Key: "and", Start: i, End: i + 1})
		default:
			flush(i)
		}
	}
	flush(len(text))
	return out
}

func letterAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r)
}

// Fold is the comparison form of one word: folded as FoldText (lower case,
// no accents on Latin letters), typographic apostrophe as ASCII, and a
// possessive "'s" dropped so "World Bank's" still names the World Bank.
func Fold(word string) string {
	k := strings.ReplaceAll(FoldText(word), "’", "'")
	return strings.TrimSuffix(k, "'s")
}

// Key is the comparison form of a phrase, the one rule by which names are
// compared everywhere (partners and their aliases, topics, facet values and
// filters): its folded words joined by single spaces, punctuation dropped
// and "&" read as "and", so "Korea Local Information Research &
// Development Institute", "korea local information research and
// development institute" and "Türkiye" / "Turkiye" each have one key.
func Key(phrase string) string {
	ws := Split(phrase)
	keys := make([]string, len(ws))
	for i, w := range ws {
		keys[i] = w.Key
	}
	return strings.Join(keys, " ")
}

// IsHangul reports whether s contains Korean letters.
func IsHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

// Shorten cuts s to at most n runes, at the last space in the second half
// of them, so no word is cut through (a text without such a space is cut
// at n runes). It reports whether it cut anything; what to add (an
// ellipsis) is the caller's.
func Shorten(s string, n int) (string, bool) {
	r := []rune(s)
	if len(r) <= n {
		return s, false
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut, true
}
