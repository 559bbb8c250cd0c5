package index

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// clause is one part of a visitor's query: a word, a quoted phrase or a
// field:value pair, possibly negated with a leading "-".
type clause struct {
	field  string // "" for words and phrases
	text   string
	phrase bool
	negate bool
	// open marks the query's last word when the text ends inside it (no
	// punctuation after it): the visitor may still be typing it.
	open bool
}

// queryFields are the field names a visitor may write as "field:value".
var queryFields = map[string]string{
	"title": fieldTitleText, "body": fieldText, "text": fieldText,
	"partner": fieldPartner, "topic": fieldTopic, "publisher": fieldPublisher,
	"sdg": fieldSDG, "section": fieldSection, "year": fieldYear, "lang": fieldLang, "language": fieldLang,
}

// parseQuery splits a query into clauses. It never fails: an unterminated
// quote or an unknown field is read as plain words, because a visitor's
// typo should still find something.
func parseQuery(s string) []clause {
	var out []clause
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		c := clause{}
		if r == '-' || r == '+' {
			c.negate = r == '-'
			i += size
			if i >= len(s) {
				break
			}
		}
		if s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 { // unterminated: the rest is words
				i++
				continue
			}
			c.text, c.phrase = strings.TrimSpace(s[i+1:i+1+end]), true
			i += end + 2
			if c.text != "" {
				out = append(out, c)
			}
			continue
		}
		end := strings.IndexFunc(s[i:], unicode.IsSpace)
		if end < 0 {
			end = len(s) - i
		}
		token := s[i : i+end]
		i += end
		if name, value, ok := strings.Cut(token, ":"); ok && queryFields[strings.ToLower(name)] != "" {
			c.field = queryFields[strings.ToLower(name)]
			if strings.HasPrefix(value, `"`) {
				// A quoted value may hold spaces: partner:"UN Women".
				rest := value[1:] + s[i:]
				if q := strings.IndexByte(rest, '"'); q >= 0 {
					c.text, c.phrase = rest[:q], true
					i += q + 1 - len(value[1:])
				} else {
					c.text = strings.Trim(value, `"`)
				}
			} else {
				c.text = value
			}
			if strings.TrimSpace(c.text) != "" {
				out = append(out, c)
			}
			continue
		}
		token = strings.Trim(token, `"`)
		if token != "" {
			c.text = token
			last, _ := utf8.DecodeLastRuneInString(token)
			c.open = i == len(s) && (unicode.IsLetter(last) || unicode.IsDigit(last))
			out = append(out, c)
		}
	}
	return out
}

// maxFilterClauses bounds the phrases, field:value parts and exclusions
// of a query, each of which is a search of its own. Plain words are not
// bounded here: a pasted paragraph is answered (see maxQueryWords).
const maxFilterClauses = 32

// Reading a query: up to keywordWords words are keywords, every one of
// which a notice should have (a notice with fewer is shown only when none
// has them all, as Typesense and Meilisearch relax a query); a longer
// query describes what is sought, and notices with some of its words are
// found too, those with all of them first. Typos and unfinished words are
// looked for in queries of up to maxTolerantWords words (Meilisearch's
// limit); a longer text is matched as written. At most maxQueryWords
// different words are searched, the rarest.
const (
	keywordWords     = 3
	maxTolerantWords = 10
	maxQueryWords    = 64
)

// textPlan is what a query's text asks for: words to match and rank,
// Bleve queries that must or must not match, and what the highlighter and
// the spelling suggester need to know.
type textPlan struct {
	text    string
	clauses []clause
	words   []*qword
	must    []query.Query // field:value clauses
	mustNot []query.Query
	// partner is set when the whole text is a name of a partner in
	// several words ("Korea Local Information Research & Development
	// Institute"): notices that have the partner but only wrote its
	// acronym are found too.
	partner string
	// marks are the analysed terms to highlight; hangul the Korean words.
	marks  map[string]bool
	hangul []string
}

// empty reports whether the text has nothing to search for, so every
// notice (within the filters) matches.
func (p *textPlan) empty() bool {
	return len(p.words) == 0 && len(p.must) == 0 && len(p.mustNot) == 0
}

// tolerant reports whether typos and unfinished words are looked for.
func (p *textPlan) tolerant() bool { return len(p.words) <= maxTolerantWords }

// qword is one word (or quoted phrase) of a query, and the ways it
// matches once expanded against an index snapshot (see expand.go).
type qword struct {
	text   string   // as typed
	folded string   // words.FoldText of text
	terms  []string // its analysed terms in the text field
	phrase bool     // quoted, or several terms: they must be adjacent
	count  int      // times the query has it
	// open is the last word of the query, typed up to its end: it may be
	// the beginning of a longer word.
	open    bool
	partner string   // the partner this word names, if any
	hangul  []string // its Korean words

	// Filled per snapshot.
	alts    []alt
	exactDF uint64          // notices with the word as typed (its terms)
	fuzzy   []candidate     // dictionary words within the typos allowed
	matched *roaring.Bitmap // notices matching it any way
	idf     float64         // of its rarest exact way
}

// planText reads the visitor's words: words and quoted phrases to match
// and rank; "-" excludes; field:value filters. A word that names a known
// partner also finds notices that only write another name of it.
func planText(analyzer analysis.Analyzer, text string, labels *Labels) (*textPlan, error) {
	p := &textPlan{text: text, clauses: parseQuery(text), marks: map[string]bool{}}
	filters := 0
	for _, c := range p.clauses {
		if c.field != "" || c.phrase || c.negate {
			filters++
		}
	}
	if filters > maxFilterClauses {
		return nil, fmt.Errorf("%w: a query may have at most %d phrases, filters and excluded words", notice.ErrInvalidQuery, maxFilterClauses)
	}
	if name, ok := labels.PartnerAliases[words.Key(text)]; ok && len(p.clauses) > 1 {
		p.partner = name
	}
	byText := map[string]*qword{}
	for _, c := range p.clauses {
		switch {
		case c.negate:
			if q := excludedQuery(c, analyzer, labels); q != nil {
				p.mustNot = append(p.mustNot, q)
			}
		case c.field != "":
			p.must = append(p.must, fieldClauseQuery(c, labels))
			p.mark(c, analyzer)
		default:
			w := newWord(c, analyzer, labels)
			if w == nil {
				continue
			}
			key := fmt.Sprint(w.phrase, w.folded)
			if prev := byText[key]; prev != nil {
				prev.count++
				prev.open = prev.open || w.open
				continue
			}
			byText[key] = w
			p.words = append(p.words, w)
			p.mark(c, analyzer)
		}
	}
	if !p.tolerant() {
		for _, w := range p.words {
			w.open = false
		}
	}
	return p, nil
}

// newWord reads a word or phrase clause; nil when it has nothing to
// search for (a stop word alone: "the").
func newWord(c clause, analyzer analysis.Analyzer, labels *Labels) *qword {
	w := &qword{text: c.text, folded: words.FoldText(c.text), phrase: c.phrase, open: c.open, count: 1, hangul: hangulWords(c.text)}
	for _, t := range analyzer.Analyze([]byte(w.folded)) {
		w.terms = append(w.terms, string(t.Term))
	}
	w.phrase = w.phrase || len(w.terms) > 1
	if !c.phrase {
		// Extraction resolves every name of a partner to one partner
		// value, so the partner field finds notices that wrote another
		// name than the query ("WHO", a stop word, included).
		w.partner = labels.PartnerAliases[words.Key(c.text)]
	}
	if len(w.terms) == 0 && len(w.hangul) == 0 && w.partner == "" {
		return nil
	}
	return w
}

// mark notes what of a clause a snippet should highlight.
func (p *textPlan) mark(c clause, analyzer analysis.Analyzer) {
	switch c.field {
	case "", fieldTitleText, fieldText:
	default:
		return
	}
	p.hangul = append(p.hangul, hangulWords(c.text)...)
	for _, t := range analyzer.Analyze([]byte(words.FoldText(c.text))) {
		p.marks[string(t.Term)] = true
	}
}

// fieldClauseQuery is the filter a field:value clause stands for.
func fieldClauseQuery(c clause, labels *Labels) query.Query {
	switch c.field {
	case fieldPartner:
		return termQuery(fieldPartner, labels.canonicalPartner(c.text))
	case fieldTitleText, fieldText:
		return fieldQuery(c.field, words.FoldText(c.text), c.phrase)
	}
	return termQuery(c.field, c.text)
}

// excludedQuery is what an excluded clause ("-smart") must not match.
func excludedQuery(c clause, analyzer analysis.Analyzer, labels *Labels) query.Query {
	if c.field != "" {
		return fieldClauseQuery(c, labels)
	}
	folded := words.FoldText(c.text)
	ko := hangulWords(c.text)
	var alternatives []query.Query
	if len(analyzer.Analyze([]byte(folded))) > 0 {
		alternatives = append(alternatives, fieldQuery(fieldText, folded, c.phrase))
	}
	if len(ko) > 0 {
		alternatives = append(alternatives, koreanQuery(ko))
	}
	if name, ok := labels.PartnerAliases[words.Key(c.text)]; ok && !c.phrase {
		alternatives = append(alternatives, termQuery(fieldPartner, name))
	}
	switch len(alternatives) {
	case 0:
		return nil
	case 1:
		return alternatives[0]
	}
	return bleve.NewDisjunctionQuery(alternatives...)
}

// koreanQuery finds Korean words inside longer word forms: each word is a
// phrase of its two-syllable grams (see hangulBigrams); a one-syllable word
// matches any gram it begins.
func koreanQuery(words []string) query.Query {
	var all []query.Query
	for _, w := range words {
		if len([]rune(w)) == 1 {
			p := bleve.NewPrefixQuery(w)
			p.SetField(fieldKorean)
			all = append(all, p)
			continue
		}
		grams := strings.Fields(hangulBigrams(w))
		if len(grams) == 1 {
			all = append(all, termQuery(fieldKorean, grams[0]))
			continue
		}
		q := bleve.NewPhraseQuery(grams, fieldKorean)
		all = append(all, q)
	}
	if len(all) == 1 {
		return all[0]
	}
	return bleve.NewConjunctionQuery(all...)
}

func fieldQuery(field, text string, phrase bool) query.Query {
	if phrase || strings.ContainsAny(text, "-'’") {
		q := bleve.NewMatchPhraseQuery(text)
		q.SetField(field)
		return q
	}
	q := bleve.NewMatchQuery(text)
	q.SetField(field)
	q.SetOperator(query.MatchQueryOperatorAnd)
	return q
}

func termQuery(field, value string) query.Query {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	return q
}
