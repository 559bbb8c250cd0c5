package ingest

import (
	"context"
	"errors"
	"net/url"
	"runtime"
	"sync"

	"noticekb/internal/extract"
	"noticekb/internal/notice"
	"noticekb/internal/store"
)

// Reextract reads every stored page again with the current rules,
// taxonomy and gazetteer, without network, and updates the notices whose
// extraction changed.
func (g *Ingester) Reextract(ctx context.Context) (notice.RunSummary, error) {
	var records []store.PageRecord
	err := g.store.EachPage(func(rec store.PageRecord) error {
		if rec.Error == "" && rec.GoneAt.IsZero() {
			records = append(records, rec)
		}
		return nil
	})
	if err != nil {
		return notice.RunSummary{}, err
	}
	session := g.Begin(ctx)
	jobs := make(chan store.PageRecord)
	var wg sync.WaitGroup
	var addErr error
	var once sync.Once
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rec := range jobs {
				page := Page{URL: rec.URL, FetchURL: rec.FetchURL, ContentType: rec.ContentType, Status: rec.Status,
					ETag: rec.ETag, LastModified: rec.LastModified, Origin: Origin(rec.Origin), Depth: rec.Depth}
				if page.FetchURL == "" {
					page.FetchURL = rec.URL
				}
				body, err := g.store.RawPage(rec.URL)
				var res *extract.Result
				if err == nil {
					page.Body = body
					res, err = session.Extract(page)
				}
				if err := session.Reread(page, res, err); err != nil {
					once.Do(func() { addErr = err })
				}
			}
		}()
	}
	for _, rec := range records {
		if ctx.Err() != nil {
			break
		}
		jobs <- rec
	}
	close(jobs)
	wg.Wait()
	summary, err := session.Close()
	return summary, errors.Join(addErr, err, ctx.Err())
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
