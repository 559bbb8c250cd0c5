package partner

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Definition is an acronym defined in a text: "Long Form (SHORT)" or
// "SHORT (Long Form)".
type Definition struct {
	Short string
	Long  string
}

// Definitions finds acronym definitions with the Schwartz–Hearst algorithm
// (Schwartz & Hearst, "A simple algorithm for identifying abbreviation
// definitions in biomedical text", PSB 2003): a parenthesised short form is
// matched character by character, from the end, against the words before it;
// the shortest long form whose first word starts with the short form's first
// character wins.
func Definitions(text string) []Definition {
	// Long forms are cut out rune by rune; bytes that are no UTF-8 would
	// come back changed, so they are made replacement characters first.
	text = strings.ToValidUTF8(text, "\uFFFD")
	var defs []Definition
	for i := 0; i < len(text); {
		open := strings.IndexByte(text[i:], '(')
		if open < 0 {
			break
		}
		open += i
		closeAt := strings.IndexAny(text[open+1:], "()\n")
		if closeAt < 0 {
			break
		}
		closeAt += open + 1
		i = closeAt
		if text[closeAt] != ')' {
			continue
		}
		inside := strings.TrimSpace(text[open+1 : closeAt])
		if cut := strings.IndexAny(inside, ";,"); cut >= 0 {
			inside = strings.TrimSpace(inside[:cut])
		}
		before := sentenceBefore(text[:open])
		if d, ok := definition(inside, before); ok {
			defs = append(defs, d)
		}
	}
	return defs
}

// definition tries "before (inside)" both ways round.
func definition(inside, before string) (Definition, bool) {
	if isShortForm(inside) {
		words := strings.Fields(before)
		sfLen := utf8.RuneCountInString(inside)
		maxWords := min(sfLen+5, 2*sfLen)
		if len(words) > maxWords {
			words = words[len(words)-maxWords:]
		}
		if long := bestLongForm(inside, strings.Join(words, " ")); long != "" {
			return Definition{Short: inside, Long: long}, true
		}
		return Definition{}, false
	}
	// "SHORT (Long Form)": the short form is the last word before the parenthesis.
	words := strings.Fields(before)
	if len(words) == 0 || len(strings.Fields(inside)) < 2 {
		return Definition{}, false
	}
	short := strings.Trim(words[len(words)-1], ",.;:\"'")
	if !isShortForm(short) {
		return Definition{}, false
	}
	inside = strings.Join(strings.Fields(inside), " ")
	if long := bestLongForm(short, inside); long == inside {
		return Definition{Short: short, Long: long}, true
	}
	return Definition{}, false
}

// isShortForm accepts 2–10 characters, at most two words, starting with a
// letter or digit, with a letter and an upper-case letter in it.
func isShortForm(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 10 || len(strings.Fields(s)) > 2 {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(first) && !unicode.IsDigit(first) {
		return false
	}
	return hasUpper(s) && strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// bestLongForm walks the short form from its end and the candidate long
// form from its end, matching each letter or digit of the short form; the
// first character must match at the start of a word.
func bestLongForm(short, long string) string {
	sf := []rune(short)
	lf := []rune(long)
	l := len(lf) - 1
	for s := len(sf) - 1; s >= 0; s-- {
		c := unicode.ToLower(sf[s])
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			continue
		}
		for l >= 0 && (unicode.ToLower(lf[l]) != c || (s == 0 && l > 0 && isWordRune(lf[l-1]))) {
			l--
		}
		if l < 0 {
			return ""
		}
		l--
	}
	start := l + 1 // the rune matching the short form's first character
	for start > 0 && !unicode.IsSpace(lf[start-1]) {
		start--
	}
	result := strings.TrimSpace(string(lf[start:]))
	if strings.Contains(strings.ToLower(result), strings.ToLower(short)) ||
		utf8.RuneCountInString(result) <= utf8.RuneCountInString(short) {
		return ""
	}
	return result
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// sentenceBefore returns the text after the last sentence or clause break.
func sentenceBefore(text string) string {
	cut := strings.LastIndexAny(text, ".;:!?()\n\"“”")
	// A full stop inside an abbreviation such as "U.S." is not a sentence end;
	// Schwartz–Hearst only needs a bounded window, so this rough cut is enough.
	return strings.TrimSpace(text[cut+1:])
}

// organisationHeads are nouns that make a capitalised long form an
// organisation rather than a project, index or concept.
var organisationHeads = map[string]bool{
	"institute": true, "institution": true, "agency": true, "ministry": true,
	"organization": true, "organisation": true, "office": true, "programme": true,
	"program": true, "fund": true, "bank": true, "commission": true,
	"association": true, "union": true, "council": true, "centre": true,
	"center": true, "university": true, "department": true, "division": true,
	"authority": true, "foundation": true, "corporation": true, "committee": true,
	"partnership": true, "forum": true, "secretariat": true, "academy": true,
	"board": true, "bureau": true, "group": true, "government": true,
	"federation": true, "society": true, "alliance": true, "consortium": true,
	"college": true, "school": true, "parliament": true, "assembly": true,
	"administration": true, "telecommunity": true, "entity": true, "league": true,
	"coalition": true, "company": true, "commissioner": true, "observatory": true,
	"laboratory": true, "institutes": true, "agencies": true,
}

var minorWords = map[string]bool{
	"of": true, "the": true, "and": true, "for": true, "on": true, "in": true,
	"to": true, "at": true, "de": true, "des": true, "du": true, "la": true,
	"le": true, "für": true, "&": true, "a": true, "an": true,
}

// looksLikeOrganisation tells an organisation's name from other capitalised
// terms that get acronyms (projects, indexes, programmes of work).
func looksLikeOrganisation(long string) bool {
	words := strings.Fields(long)
	if len(words) < 2 || len(words) > 14 {
		return false
	}
	head := false
	for _, w := range words {
		w = strings.Trim(w, ",.;:\"'’“”")
		lw := strings.ToLower(w)
		if minorWords[lw] || w == "" {
			continue
		}
		if !isCapitalized(w) {
			return false
		}
		for _, part := range strings.Split(lw, "-") {
			if organisationHeads[part] {
				head = true
			}
		}
	}
	return head
}

func hasUpper(s string) bool {
	return strings.IndexFunc(s, unicode.IsUpper) >= 0
}

func isCapitalized(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r)
}
