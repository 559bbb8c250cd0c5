package ingest

import (
	"context"
	"errors"
	"net/url"
	"runtime"
	"sync"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/notice"
	"github.com/noticekb/noticekb/internal/parallel"
	"github.com/noticekb/noticekb/internal/store"
)

// Reextract reads every stored page again with the current rules,
// taxonomy and gazetteer, without network, and updates the notices whose
// extraction changed.
func (g *Ingester) Reextract(ctx context.Context) (notice.RunSummary, error) {
	session := g.Begin(ctx)
	err := g.reread(ctx, session, nil)
	summary, closeErr := session.Close()
	return summary, errors.Join(err, closeErr, ctx.Err())
}

// ReextractStaged is Reextract run as an admin job: its writes are staged
// under name and applied in one commit at the end, so a run that fails or
// is cancelled leaves the knowledge base as it was. progress hears how
// many pages have been read of how many, one call at a time.
func (g *Ingester) ReextractStaged(ctx context.Context, name string, progress func(read, total int)) (notice.RunSummary, error) {
	session, err := g.BeginStaged(ctx, name)
	if err != nil {
		return notice.RunSummary{}, err
	}
	if err := errors.Join(g.reread(ctx, session, progress), ctx.Err()); err != nil {
		summary, abortErr := session.Abort()
		return summary, errors.Join(err, abortErr)
	}
	return session.Close()
}

// reread hands every stored page that was read without error and is
// still on its site to the session, extracted again.
func (g *Ingester) reread(ctx context.Context, session *Session, progress func(read, total int)) error {
	var records []store.PageRecord
	err := g.store.EachPage(func(rec store.PageRecord) error {
		if rec.Error == "" && rec.GoneAt.IsZero() {
			records = append(records, rec)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// progress is called under mu, so its callers see one count at a time,
	// rising.
	var mu sync.Mutex
	var firstErr error
	read := 0
	judge := newSiteJudge(session)
	parallel.For(ctx, len(records), runtime.GOMAXPROCS(0), func(i int) {
		err := g.rereadPage(session, judge, records[i])
		mu.Lock()
		defer mu.Unlock()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		read++
		if progress != nil {
			progress(read, len(records))
		}
	})
	if firstErr != nil || ctx.Err() != nil {
		return firstErr
	}
	// Every page is judged again with what all the others say of its site.
	return judge.finish()
}

// rereadPage extracts a stored page again and queues it, judged by judge
// with what the run learns of its site, or as it was judged before when
// judge is nil.
func (g *Ingester) rereadPage(session *Session, judge *siteJudge, rec store.PageRecord) error {
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
	if err != nil || judge == nil {
		// Without a judge the stored decision stands (a backfill only tags).
		page.Verdict = rec.Verdict
		return session.Reread(page, res, err)
	}
	return errors.Join(judge.reread(page, res), judge.lists(res))
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
