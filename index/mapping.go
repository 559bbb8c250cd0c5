package index

import (
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/ngram"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"

	"noticekb/internal/notice"
)

// Field names in the index.
const (
	fieldTitle     = "title"
	fieldBody      = "body"
	fieldKorean    = "ko"
	fieldSummary   = "summary"
	fieldURL       = "url"
	fieldDate      = "date"
	fieldYear      = "year"
	fieldMonth     = "month"
	fieldPartner   = "partner"
	fieldTopic     = "topic"
	fieldPublisher = "publisher"
	fieldSDG       = "sdg"
	fieldLang      = "lang"

	koreanAnalyzer = "ko_bigram"
	summaryRunes   = 320
)

// facetField maps a facet name to its keyword field.
var facetField = map[string]string{
	notice.FacetPartner:   fieldPartner,
	notice.FacetTopic:     fieldTopic,
	notice.FacetPublisher: fieldPublisher,
	notice.FacetSDG:       fieldSDG,
	notice.FacetYear:      fieldYear,
	notice.FacetMonth:     fieldMonth,
}

// newMapping describes a notice to Bleve: English-analysed title and body
// with term vectors for highlighting, Korean bigrams so a Korean word is
// found inside longer word forms, and keyword fields (one term per value,
// never tokenised) for every facet.
func newMapping() (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomTokenFilter("bigram", map[string]any{"type": ngram.Name, "min": 2.0, "max": 2.0}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(koreanAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicodetok.Name,
		"token_filters": []any{lowercase.Name, "bigram"},
	}); err != nil {
		return nil, err
	}
	text := func(analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = store
		f.IncludeInAll = false
		return f
	}
	keywordField := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.IncludeInAll = false
		f.DocValues = true
		return f
	}
	storedOnly := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		return f
	}
	date := bleve.NewDateTimeFieldMapping()
	date.Store = true
	date.IncludeInAll = false
	date.DocValues = true

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldTitle, text(en.AnalyzerName, true))
	doc.AddFieldMappingsAt(fieldBody, text(en.AnalyzerName, true))
	doc.AddFieldMappingsAt(fieldKorean, text(koreanAnalyzer, false))
	doc.AddFieldMappingsAt(fieldSummary, storedOnly())
	doc.AddFieldMappingsAt(fieldURL, storedOnly())
	doc.AddFieldMappingsAt(fieldDate, date)
	for _, f := range []string{fieldPartner, fieldTopic, fieldPublisher, fieldSDG, fieldLang} {
		doc.AddFieldMappingsAt(f, keywordField(true))
	}
	doc.AddFieldMappingsAt(fieldYear, keywordField(false))
	doc.AddFieldMappingsAt(fieldMonth, keywordField(false))

	m.DefaultMapping = doc
	m.DefaultAnalyzer = en.AnalyzerName
	m.StoreDynamic = false
	m.IndexDynamic = false
	return m, nil
}

// document turns a notice into the fields Bleve indexes.
func document(n *notice.Notice) map[string]any {
	d := map[string]any{
		fieldTitle:     n.Title,
		fieldBody:      n.Body,
		fieldSummary:   summary(n.Body),
		fieldURL:       n.URL,
		fieldPublisher: n.Publisher,
		fieldPartner:   n.Partners,
		fieldTopic:     n.Topics,
		fieldSDG:       n.SDGs,
		fieldLang:      n.Language,
	}
	if ko := hangulText(n.Title + " " + n.Body); ko != "" {
		d[fieldKorean] = ko
	}
	if !n.Date.IsZero() {
		t := n.Date.Time()
		d[fieldDate] = t
		d[fieldYear] = t.Format("2006")
		d[fieldMonth] = t.Format("2006-01")
	}
	return d
}

// summary is the start of the body, for result snippets when the query has
// no words to highlight.
func summary(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	r := []rune(body)
	if len(r) <= summaryRunes {
		return body
	}
	cut := string(r[:summaryRunes])
	if i := strings.LastIndexByte(cut, ' '); i > summaryRunes/2 {
		cut = cut[:i]
	}
	return cut + " …"
}

// hangulText keeps only the Korean words of a text, for the bigram field.
func hangulText(s string) string {
	var words []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		for _, r := range w {
			if unicode.Is(unicode.Hangul, r) {
				words = append(words, w)
				break
			}
		}
	}
	return strings.Join(words, " ")
}

func dateOf(v any) notice.Date {
	s, ok := v.(string)
	if !ok {
		return notice.Date{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return notice.Date{}
	}
	return notice.DateOf(t)
}
