package index

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/noticekb/noticekb/internal/notice"
)

// clause is one part of a visitor's query: a word, a quoted phrase or a
// field:value pair, possibly negated with a leading "-".
type clause struct {
	field  string // "" for words and phrases
	text   string
	phrase bool
	negate bool
}

// queryFields are the field names a visitor may write as "field:value".
var queryFields = map[string]string{
	"title": fieldTitle, "body": fieldText, "text": fieldText,
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
			out = append(out, c)
		}
	}
	return out
}

// maxClauses bounds the words, phrases and field:value parts of a query,
// so one request cannot make a search of hundreds of disjunctions.
const maxClauses = 32

// textPlan is a query's words made into a Bleve query, with what the
// highlighter and the spelling suggester need to know of them.
type textPlan struct {
	query   query.Query // nil when the query has no searchable words
	clauses []clause
	// marks are the analysed terms to highlight; hangul the Korean words.
	marks  map[string]bool
	hangul []string
}

// planText turns the visitor's words into a Bleve query: every word must
// match in the title (boosted) or the body; phrases match in order; "-"
// excludes; field:value filters. An acronym of a known partner also finds
// notices that only write the full name, and the reverse.
func planText(analyzer analysis.Analyzer, text string, labels *Labels) (*textPlan, error) {
	p := &textPlan{clauses: parseQuery(text), marks: map[string]bool{}}
	if len(p.clauses) > maxClauses {
		return nil, fmt.Errorf("%w: a query may have at most %d words, phrases and filters", notice.ErrInvalidQuery, maxClauses)
	}
	// A query that is another name of a partner, in several words ("Korea
	// Local Information Research & Development Institute"), also finds the
	// notices that have the partner but only wrote its acronym.
	partner, isPartner := labels.PartnerAliases[aliasKey(text)]
	var must, mustNot []query.Query
	for _, c := range p.clauses {
		q := clauseQuery(c, analyzer, labels)
		if q == nil {
			continue
		}
		if c.negate {
			mustNot = append(mustNot, q)
			continue
		}
		must = append(must, q)
		p.mark(c, analyzer)
	}
	if len(must) == 0 && len(mustNot) == 0 {
		return p, nil
	}
	b := bleve.NewBooleanQuery()
	if len(must) > 0 {
		b.AddMust(must...)
	} else {
		b.AddMust(bleve.NewMatchAllQuery())
	}
	if len(mustNot) > 0 {
		b.AddMustNot(mustNot...)
	}
	p.query = b
	if isPartner && len(p.clauses) > 1 {
		p.query = bleve.NewDisjunctionQuery(b, termQuery(fieldPartner, partner))
	}
	return p, nil
}

// mark notes what of a clause a snippet should highlight.
func (p *textPlan) mark(c clause, analyzer analysis.Analyzer) {
	switch c.field {
	case "", fieldTitle, fieldText:
	default:
		return
	}
	p.hangul = append(p.hangul, hangulWords(c.text)...)
	for _, t := range analyzer.Analyze([]byte(c.text)) {
		p.marks[string(t.Term)] = true
	}
}

func clauseQuery(c clause, analyzer analysis.Analyzer, labels *Labels) query.Query {
	switch c.field {
	case fieldPartner:
		return termQuery(fieldPartner, labels.canonicalPartner(c.text))
	case fieldTopic, fieldPublisher, fieldSDG, fieldSection, fieldYear, fieldLang:
		return termQuery(c.field, c.text)
	case fieldTitle, fieldText:
		return fieldQuery(c.field, c.text, c.phrase, 1)
	}
	ko := hangulWords(c.text)
	if len(ko) == 0 && len(analyzer.Analyze([]byte(c.text))) == 0 {
		return nil // a stop word alone ("the") would match nothing
	}
	words := fieldQuery(fieldText, c.text, c.phrase, 1)
	alternatives := []query.Query{words}
	if len(ko) > 0 {
		alternatives = append(alternatives, koreanQuery(ko))
	}
	// Extraction resolves every name of a partner to one partner value, so
	// the partner field finds notices that wrote another name than the query.
	if name, ok := labels.PartnerAliases[aliasKey(c.text)]; ok {
		alternatives = append(alternatives, termQuery(fieldPartner, name))
	}
	if len(alternatives) == 1 {
		return words
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

func fieldQuery(field, text string, phrase bool, boost float64) query.Query {
	if phrase || strings.ContainsAny(text, "-'’") {
		q := bleve.NewMatchPhraseQuery(text)
		q.SetField(field)
		q.SetBoost(boost)
		return q
	}
	q := bleve.NewMatchQuery(text)
	q.SetField(field)
	q.SetBoost(boost)
	q.SetOperator(query.MatchQueryOperatorAnd)
	return q
}

func termQuery(field, value string) query.Query {
	q := bleve.NewTermQuery(value)
	q.SetField(field)
	return q
}

func hasHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

// aliasKey folds a way of writing a partner for lookup.
func aliasKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(s, "&", " and "))), " ")
}

// canonicalPartner resolves any name of a partner to the name the index
// stores; unknown names are kept as given.
func (l *Labels) canonicalPartner(s string) string {
	if name, ok := l.PartnerAliases[aliasKey(s)]; ok {
		return name
	}
	return s
}
