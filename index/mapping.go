package index

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/words"
)

// Field names in the index.
const (
	fieldTitle     = "title"       // as written, stored
	fieldTitleText = "title_terms" // folded, for title: queries
	fieldBody      = "body"
	fieldText      = "text"  // folded title (weighted) and body, stemmed: what words match
	fieldWords     = "words" // folded title and body, unstemmed: the dictionary of typed words
	fieldLength    = "len"   // the text field's length in words, for BM25
	fieldKorean    = "ko"
	fieldSummary   = "summary"
	fieldURL       = "url"
	fieldDate      = "date"
	fieldYear      = "year"
	fieldDay       = "day"
	fieldPartner   = "partner"
	fieldTopic     = "topic"
	fieldPublisher = "publisher"
	fieldSDG       = "sdg"
	fieldSection   = "section"
	fieldLang      = "lang"
	fieldID        = "_id"

	koreanAnalyzer = "ko_bigram"
	plainAnalyzer  = "plain"
	summaryRunes   = 320

	// mappingVersion changes whenever the fields below change meaning; an
	// index built with another version is rebuilt from the store.
	mappingVersion = "5"
	dayLayout      = "20060102"
)

// facetField maps a facet name to its keyword field.
var facetField = map[string]string{
	notice.FacetPartner:   fieldPartner,
	notice.FacetTopic:     fieldTopic,
	notice.FacetPublisher: fieldPublisher,
	notice.FacetSDG:       fieldSDG,
	notice.FacetSection:   fieldSection,
}

// newMapping describes a notice to Bleve: the English-analysed text (title
// and body in one field, the title weighted, so each word of a query is
// one term to look up, not a choice of two) and title (for title:
// queries), both with term locations, which phrase queries need; the same
// words unstemmed, whose dictionary holds every word as notices write it
// (for typos, unfinished words and spelling suggestions); Korean bigrams so
// a Korean word is found inside longer word forms, and keyword fields (one
// term per value, never tokenised) for every facet, for the day of
// publication and for the text's length. Facet counts, dates, sorting and
// lengths are read from the keyword fields' postings (see view.go), so no
// field needs doc values.
//
// Every text is indexed folded (words.FoldText: lower case, Latin letters
// without accents), while the stored title and body keep what was written;
// queries are folded the same way.
func newMapping() (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomAnalyzer(koreanAnalyzer, map[string]any{
		"type":      custom.Name,
		"tokenizer": whitespace.Name,
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(plainAnalyzer, map[string]any{
		"type":      custom.Name,
		"tokenizer": unicodetok.Name,
	}); err != nil {
		return nil, err
	}
	text := func(analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	keywordField := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	storedOnly := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}

	plain := text(plainAnalyzer, false)
	plain.IncludeTermVectors = false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldTitleText, text(en.AnalyzerName, false))
	doc.AddFieldMappingsAt(fieldText, text(en.AnalyzerName, false))
	doc.AddFieldMappingsAt(fieldWords, plain)
	doc.AddFieldMappingsAt(fieldKorean, text(koreanAnalyzer, false))
	for _, f := range []string{fieldTitle, fieldBody, fieldSummary, fieldURL, fieldDate} {
		doc.AddFieldMappingsAt(f, storedOnly())
	}
	for _, f := range []string{fieldPartner, fieldTopic, fieldPublisher, fieldSDG, fieldSection, fieldLang} {
		doc.AddFieldMappingsAt(f, keywordField(true))
	}
	for _, f := range []string{fieldYear, fieldDay, fieldLength} {
		doc.AddFieldMappingsAt(f, keywordField(false))
	}

	m.DefaultMapping = doc
	m.DefaultAnalyzer = en.AnalyzerName
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

// document turns a notice into the fields Bleve indexes.
func document(n *notice.Notice) map[string]any {
	title, body := words.FoldText(n.Title), words.FoldText(n.Body)
	text := weightedText(title, body)
	d := map[string]any{
		fieldTitle:     n.Title,
		fieldTitleText: title,
		fieldBody:      n.Body,
		fieldText:      text,
		fieldWords:     title + "\n\n" + body,
		fieldLength:    strconv.Itoa(countWords(text)),
		fieldSummary:   summary(n.Body),
		fieldURL:       n.URL,
		fieldPublisher: n.Publisher,
		fieldPartner:   n.Partners,
		fieldTopic:     n.Topics,
		fieldSDG:       n.SDGs,
		fieldSection:   n.Sections,
		fieldLang:      n.Language,
	}
	if ko := hangulBigrams(n.Title + " " + n.Body); ko != "" {
		d[fieldKorean] = ko
	}
	if !n.Date.IsZero() {
		t := n.Date.Time()
		d[fieldDate] = n.Date.String()
		d[fieldYear] = t.Format("2006")
		d[fieldDay] = t.Format(dayLayout)
	}
	return d
}

// titleWeight is how many times the title counts in the text field. A
// word of the title then weighs as if written that many times, and each
// query word stays a single term to look up; a separate title field
// searched alongside costs a second lookup per word and notice.
const titleWeight = 3

// weightedText is the title, titleWeight times, then the body.
func weightedText(title, body string) string {
	var b strings.Builder
	for range titleWeight {
		b.WriteString(title)
		b.WriteString("\n\n")
	}
	b.WriteString(body)
	return b.String()
}

// countWords is the length of a text for BM25: its runs of letters and
// digits. Stop words count too; what matters is that every notice is
// measured the same way.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
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

// hangulBigrams writes the Korean words of a text as overlapping
// two-syllable grams, in order: "지역정보" becomes "지역 역정 정보". A
// Korean word then matches, as a phrase of its grams, inside any longer
// word form (particles and compounds attach without spaces in Korean). A
// one-syllable word is kept whole.
func hangulBigrams(s string) string {
	var b strings.Builder
	for _, w := range hangulWords(s) {
		r := []rune(w)
		if len(r) == 1 {
			b.WriteString(w)
			b.WriteByte(' ')
			continue
		}
		for i := 0; i+1 < len(r); i++ {
			b.WriteString(string(r[i : i+2]))
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// hangulWords are the runs of Hangul letters in a text.
func hangulWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Hangul, r) })
}

func dateOf(v string) notice.Date {
	d, err := notice.ParseDate(v)
	if err != nil {
		return notice.Date{}
	}
	return d
}
