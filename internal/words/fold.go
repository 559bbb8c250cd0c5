package words

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FoldText is the matching form of a text: lower case, with the accents
// of Latin letters taken off, so "Huế", "Türkiye", "İstanbul" and "Hà Nội"
// match "hue", "turkiye", "istanbul" and "ha noi" as people type them.
// Letters of other scripts keep their marks (a Hindi vowel sign is part of
// its word), and Korean is left as written. Whatever is not a letter is
// kept, so a text's words stay where they were.
func FoldText(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	latinBefore := false // the last letter written is Latin: its marks go
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(unicode.ToLower(r)))
			latinBefore = isASCIILetter(r)
		case unicode.Is(unicode.Mn, r) && latinBefore:
			// a combining accent on a Latin letter (text written decomposed)
		case unicode.Is(unicode.Latin, r):
			foldLatin(&b, unicode.ToLower(r))
			latinBefore = true
		default:
			b.WriteRune(unicode.ToLower(r))
			latinBefore = false
		}
	}
	return b.String()
}

// foldLatin writes a lower-case Latin letter without its accents: its
// canonical decomposition without the combining marks ("ế" is e, circumflex,
// acute), or the plain letters of the few that have none ("ø", "ı", "đ").
func foldLatin(b *strings.Builder, r rune) {
	if plain, ok := latinLetters[r]; ok {
		b.WriteString(plain)
		return
	}
	d := norm.NFD.PropertiesString(string(r)).Decomposition()
	if d == nil {
		b.WriteRune(r)
		return
	}
	for _, c := range string(d) {
		if !unicode.Is(unicode.Mn, c) {
			b.WriteRune(c)
		}
	}
}

// latinLetters are Latin letters with no decomposition, and how they are
// typed without their marks.
var latinLetters = map[rune]string{
	'ı': "i", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l", 'ħ': "h", 'ŧ': "t",
	'æ': "ae", 'œ': "oe", 'ß': "ss", 'þ': "th", 'ŀ': "l", 'ƒ': "f",
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isASCIILetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }
