package partner

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDefinitions checks the acronym detector on any text: every
// definition has a short form that is a short form, and a long form taken
// from the text's words. Then the resolver finds partners in the text without
// listing one twice. Seeds are in testdata/fuzz/FuzzDefinitions.
func FuzzDefinitions(f *testing.F) {
	for _, s := range []string{
		"signed with Korea Local Information Research & Development Institute (KLID) in",
		"KOICA (Korea International Cooperation Agency) funds",
		"a result (see annex) follows", "((()))", "(A) (B)", "Ünïcödé Öffice (ÜÖ)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		words := strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
		for _, d := range Definitions(text) {
			if !isShortForm(d.Short) {
				t.Fatalf("short form %q of %q is not a short form", d.Short, d.Long)
			}
			// The long form is the text's words, with white space collapsed.
			if d.Long == "" || !strings.Contains(words, d.Long) {
				t.Fatalf("long form %q is not in the text", d.Long)
			}
			if !utf8.ValidString(d.Long) {
				t.Fatalf("long form %q is not UTF-8", d.Long)
			}
		}
		r := NewResolver(DefaultGazetteer())
		seen := map[string]bool{}
		for _, p := range r.Find(text).Partners {
			if seen[p.Name] {
				t.Fatalf("partner %q listed twice", p.Name)
			}
			seen[p.Name] = true
		}
	})
}
