package bench

// The floor is Bleve on its own, used the plain way, which noticekb's search
// must beat while doing more. It is the one place besides index/ that
// imports Bleve, because measuring the bare library is its whole point.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/noticekb/noticekb/internal/notice"
)

// Floor is a plain Bleve index of the same notices.
type Floor struct {
	idx   bleve.Index
	years [2]int
}

// FloorBuild says how long batch indexing took.
type FloorBuild struct {
	Docs int
	Took time.Duration
}

// DocsPerSecond is the indexing throughput.
func (b FloorBuild) DocsPerSecond() float64 {
	if b.Took <= 0 {
		return 0
	}
	return float64(b.Docs) / b.Took.Seconds()
}

// BuildFloor batch-indexes notices into a new plain Bleve index at path:
// title and body with the English analyzer, partners, topics and publisher
// as keyword fields, the date as a datetime; batches of batchSize.
func BuildFloor(path string, each func(fn func(notice.Notice) error) error, batchSize int, years [2]int) (*Floor, FloorBuild, error) {
	var build FloorBuild
	idx, err := bleve.New(path, floorMapping())
	if err != nil {
		return nil, build, fmt.Errorf("bench: floor: %w", err)
	}
	f := &Floor{idx: idx, years: years}
	start := time.Now()
	b := idx.NewBatch()
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := idx.Batch(b); err != nil {
			return err
		}
		b = idx.NewBatch()
		return nil
	}
	err = each(func(n notice.Notice) error {
		if n.Withdrawn() {
			return nil
		}
		doc := map[string]any{"title": n.Title, "body": n.Body, "partner": n.Partners, "topic": n.Topics, "publisher": n.Publisher}
		if !n.Date.IsZero() {
			doc["date"] = n.Date.Time()
		}
		if err := b.Index(n.ID, doc); err != nil {
			return err
		}
		build.Docs++
		if b.Size() >= batchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	build.Took = time.Since(start)
	if err != nil {
		idx.Close()
		return nil, build, fmt.Errorf("bench: floor: %w", err)
	}
	return f, build, nil
}

func floorMapping() *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	doc := bleve.NewDocumentStaticMapping()
	text := bleve.NewTextFieldMapping()
	text.Analyzer = en.AnalyzerName
	doc.AddFieldMappingsAt("title", text)
	doc.AddFieldMappingsAt("body", text)
	kw := bleve.NewKeywordFieldMapping()
	kw.Analyzer = keyword.Name
	for _, f := range []string{"partner", "topic", "publisher"} {
		doc.AddFieldMappingsAt(f, kw)
	}
	doc.AddFieldMappingsAt("date", bleve.NewDateTimeFieldMapping())
	m.DefaultMapping = doc
	return m
}

// Close closes the floor's index.
func (f *Floor) Close() error { return f.idx.Close() }

// Search runs one query of the mix the plain way: every word in the title
// or the body, filters as plain conjunctions, term facets counted over the
// hits (not disjunctive), a year date-range facet, ten hits by score.
func (f *Floor) Search(ctx context.Context, q notice.Query) (uint64, error) {
	var must []query.Query
	for _, w := range strings.Fields(q.Text) {
		t := bleve.NewMatchQuery(w)
		t.SetField("title")
		b := bleve.NewMatchQuery(w)
		b.SetField("body")
		must = append(must, bleve.NewDisjunctionQuery(t, b))
	}
	for facet, values := range q.Filters {
		var any []query.Query
		for _, v := range values {
			t := bleve.NewTermQuery(v)
			t.SetField(facet)
			any = append(any, t)
		}
		if len(any) > 0 {
			must = append(must, bleve.NewDisjunctionQuery(any...))
		}
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		var from, to time.Time
		if !q.From.IsZero() {
			from = q.From.Time()
		}
		if !q.To.IsZero() {
			to = q.To.Time().AddDate(0, 0, 1)
		}
		r := bleve.NewDateRangeQuery(from, to)
		r.SetField("date")
		must = append(must, r)
	}
	var qq query.Query = bleve.NewMatchAllQuery()
	if len(must) > 0 {
		qq = bleve.NewConjunctionQuery(must...)
	}
	req := bleve.NewSearchRequestOptions(qq, 10, 0, false)
	req.Fields = []string{"title", "date"}
	for _, facet := range []string{"partner", "topic", "publisher"} {
		req.AddFacet(facet, bleve.NewFacetRequest(facet, 10))
	}
	years := bleve.NewFacetRequest("date", f.years[1]-f.years[0]+1)
	for y := f.years[0]; y <= f.years[1]; y++ {
		start := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(1, 0, 0)
		years.AddDateTimeRange(strconv.Itoa(y), start, end)
	}
	req.AddFacet("year", years)
	res, err := f.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("bench: floor search: %w", err)
	}
	return res.Total, nil
}
