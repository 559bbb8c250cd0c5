package index

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"noticekb/internal/notice"
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
	"title": fieldTitle, "body": fieldBody, "text": fieldBody,
	"partner": fieldPartner, "topic": fieldTopic, "publisher": fieldPublisher,
	"sdg": fieldSDG, "year": fieldYear, "lang": fieldLang, "language": fieldLang,
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

// textQuery turns the visitor's words into a Bleve query: every word must
// match in the title (boosted) or the body; phrases match in order; "-"
// excludes; field:value filters. An acronym of a known partner also finds
// notices that only write the full name, and the reverse. It returns nil
// for a query with no searchable words.
func (ix *Index) textQuery(idx bleve.Index, text string, labels *Labels) query.Query {
	var must, mustNot []query.Query
	analyzer := idx.Mapping().AnalyzerNamed("en")
	clauses := parseQuery(text)
	// A query that is a partner's full name ("Korea Local Information
	// Research & Development Institute") is one clause, so it also finds
	// notices that only wrote the acronym.
	if _, ok := labels.PartnerAliases[aliasKey(strings.Trim(text, `"`))]; ok && len(clauses) > 1 {
		clauses = []clause{{text: strings.Trim(text, `"`), phrase: true}}
	}
	for _, c := range clauses {
		q := ix.clauseQuery(c, analyzer, labels)
		if q == nil {
			continue
		}
		if c.negate {
			mustNot = append(mustNot, q)
		} else {
			must = append(must, q)
		}
	}
	if len(must) == 0 && len(mustNot) == 0 {
		return nil
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
	return b
}

const titleBoost = 3.0

func (ix *Index) clauseQuery(c clause, analyzer analysis.Analyzer, labels *Labels) query.Query {
	switch c.field {
	case fieldPartner:
		return termQuery(fieldPartner, labels.canonicalPartner(c.text))
	case fieldTopic, fieldPublisher, fieldSDG, fieldYear, fieldLang:
		return termQuery(c.field, c.text)
	case fieldTitle, fieldBody:
		return fieldText(c.field, c.text, c.phrase, 1)
	}
	if analyzer != nil && !hasHangul(c.text) && len(analyzer.Analyze([]byte(c.text))) == 0 {
		return nil // a stop word alone ("the") would match nothing
	}
	alternatives := []query.Query{
		fieldText(fieldTitle, c.text, c.phrase, titleBoost),
		fieldText(fieldBody, c.text, c.phrase, 1),
	}
	if hasHangul(c.text) {
		ko := bleve.NewMatchQuery(hangulText(c.text))
		ko.SetField(fieldKorean)
		ko.SetOperator(query.MatchQueryOperatorAnd)
		alternatives = append(alternatives, ko)
	}
	// Extraction resolves every name of a partner to one partner value, so
	// the partner field finds notices that wrote another name than the query.
	if name, ok := labels.PartnerAliases[aliasKey(c.text)]; ok {
		alternatives = append(alternatives, termQuery(fieldPartner, name))
	}
	return bleve.NewDisjunctionQuery(alternatives...)
}

func fieldText(field, text string, phrase bool, boost float64) query.Query {
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

// canonicalFilter resolves a filter value the way the index stores it.
func (l *Labels) canonicalFilter(facet, value string) string {
	if facet == notice.FacetPartner {
		return l.canonicalPartner(value)
	}
	return value
}
