package ingest

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/noticekb/noticekb/internal/extract"
	"github.com/noticekb/noticekb/internal/store"
	"github.com/noticekb/noticekb/internal/urlnorm"
	"github.com/noticekb/noticekb/internal/verdict"
)

// siteJudge makes a run's "is this page a notice?" decisions with what the
// run learns of its sites, and revises them as it learns more: a list's
// link to a page, or the other pages of its template, can make a notice of
// a page read earlier, or take one back. Every decision is
// verdict.Judge's, on the page's evidence and the site's.
type siteJudge struct {
	s    *Session
	know *verdict.Knowledge
	// mu is held while a decision is made and queued, so the operations
	// on one page reach the session in the order they were decided.
	mu    sync.Mutex
	pages map[string]*judged // by URL
	keys  map[string]string  // URL by listing key (/a and /a/ are one page)
	hosts map[string]bool
}

// judged is a page as the run has decided it.
type judged struct {
	page Page // without its body; Verdict is the decision stored
	// res is the extraction, kept while a revision could make the page a
	// notice; pages of earlier runs are read again from the store.
	res     *extract.Result
	notice  bool // stored as a notice
	thisRun bool // read (and counted) by this run
}

func newSiteJudge(s *Session) *siteJudge {
	return &siteJudge{s: s, know: verdict.NewKnowledge(), pages: map[string]*judged{}, keys: map[string]string{}, hosts: map[string]bool{}}
}

// read decides a page read by the run and queues it.
func (j *siteJudge) read(p Page, res *extract.Result) (verdict.Verdict, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := j.learn(p, res)
	p.Verdict = &v
	j.note(p, res, v, true)
	return v, j.s.Add(p, res, nil)
}

// reread decides a stored page read again from its stored bytes
// (reextract) and queues it.
func (j *siteJudge) reread(p Page, res *extract.Result) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := j.learn(p, res)
	p.Verdict = &v
	j.note(p, res, v, true)
	return j.s.Reread(p, res, nil)
}

// storedNotice learns a notice page the run found unchanged from its
// stored evidence.
func (j *siteJudge) storedNotice(p Page, rec store.PageRecord) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.know.Learn(p.URL, *rec.Evidence)
	if s := siteOf(p.Origin); s.Listing > verdict.Unlisted {
		j.know.List(p.URL, s.Listing)
	}
	p.Verdict = rec.Verdict
	j.note(p, nil, verdict.Verdict{Kind: verdict.Notice}, true)
	j.pages[p.URL].page.Verdict = rec.Verdict
}

// readUnchanged learns a page the run found unchanged and read again from
// its stored bytes. It is noted unchanged, as stored: whether what the run
// learns changes its decision is for finish to say, with all of it. A page
// stored before its evidence was kept is stored again, judged now.
func (j *siteJudge) readUnchanged(p Page, res *extract.Result, rec store.PageRecord) (verdict.Verdict, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := j.learn(p, res)
	if rec.Evidence == nil {
		p.Verdict = &v
		j.note(p, res, v, true)
		return v, j.s.Add(p, res, nil)
	}
	stored := verdict.Verdict{Kind: verdict.Other}
	if rec.Verdict != nil {
		stored = *rec.Verdict
	}
	if rec.NoticeID != "" {
		stored.Kind = verdict.Notice
	}
	p.Verdict = &stored
	j.note(p, res, stored, true)
	return v, j.s.Unchanged(withBody(p, nil))
}

// learn records a page's evidence and what its origin says, and judges it.
func (j *siteJudge) learn(p Page, res *extract.Result) verdict.Verdict {
	j.know.Learn(p.URL, res.Page)
	if s := siteOf(p.Origin); s.Listing > verdict.Unlisted {
		j.know.List(p.URL, s.Listing)
	}
	v, _ := j.know.Judge(p.URL)
	return v
}

// note keeps what was decided of a page.
func (j *siteJudge) note(p Page, res *extract.Result, v verdict.Verdict, thisRun bool) {
	notice := v.Kind == verdict.Notice
	st := &judged{page: withBody(p, nil), notice: notice, thisRun: thisRun}
	if res != nil && res.Page.Title && res.Page.Enough {
		st.res = res
	}
	j.pages[p.URL] = st
	j.keys[listingKey(p.URL)] = p.URL
	j.hosts[hostOf(p.URL)] = true
}

func withBody(p Page, body []byte) Page {
	p.Body = body
	return p
}

// listed records what a list says of the page at u and, if that raised
// what was known, judges the page again.
func (j *siteJudge) listed(u string, l verdict.Listing) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.know.List(u, l) {
		return nil
	}
	st := j.pages[j.keys[listingKey(u)]]
	if st == nil {
		return nil
	}
	return j.rejudgeLocked(st, false)
}

// lists records what a list page says of the pages it links to: its
// entries, shown with dates or not, and its other links with a title for
// text (a pinned notice, a notice moved elsewhere — or a service page).
func (j *siteJudge) lists(res *extract.Result) error {
	if res.Kind != extract.KindList {
		return nil
	}
	var firstErr error
	for _, l := range res.Links {
		listing := verdict.Linked
		switch {
		case l.Item && l.Dated:
			listing = verdict.DatedItem
		case l.Item:
			listing = verdict.Item
		case l.Chrome || l.Next || utf8.RuneCountInString(strings.TrimSpace(l.Text)) < minTitleRunes:
			continue
		}
		u, err := urlnorm.Normalize(l.URL)
		if err != nil {
			continue
		}
		if err := j.listed(u, listing); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// rejudgeLocked judges a page again with all that is known and queues
// what changed. With note set, a verdict whose decision stands is queued
// too when its reasons changed, so the stored explanation is the last one.
func (j *siteJudge) rejudgeLocked(st *judged, note bool) error {
	v, ok := j.know.Judge(st.page.URL)
	if !ok {
		return nil
	}
	notice := v.Kind == verdict.Notice
	if notice == st.notice {
		if !note || sameVerdict(st.page.Verdict, v) {
			return nil
		}
		st.page.Verdict = &v
		return j.s.Rejudge(st.page, nil, v, st.thisRun)
	}
	res := st.res
	if notice && res == nil {
		var err error
		if res, err = j.fromStore(st.page); err != nil || res == nil {
			return err // the stored bytes are gone: it stays as it is
		}
	}
	st.notice, st.page.Verdict = notice, &v
	return j.s.Rejudge(st.page, res, v, st.thisRun)
}

// fromStore extracts a stored page again from its stored bytes.
func (j *siteJudge) fromStore(p Page) (*extract.Result, error) {
	body, err := j.s.g.store.RawPage(p.URL)
	if err != nil || body == nil {
		return nil, nil
	}
	p.Body = body
	return j.s.Extract(p)
}

func sameVerdict(a *verdict.Verdict, b verdict.Verdict) bool {
	return a != nil && a.Kind == b.Kind && a.Score == b.Score
}

// finish judges the run's pages again with all the run learned, and with
// what the store knows of their sites' other pages (their templates).
func (j *siteJudge) finish() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	hosts := make([]string, 0, len(j.hosts))
	for h := range j.hosts {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	for _, h := range hosts {
		err := j.s.g.store.EachPageOfHost(h, func(rec store.PageRecord) error {
			if _, ok := j.pages[rec.URL]; !ok && rec.Evidence != nil && rec.Error == "" && rec.GoneAt.IsZero() {
				j.know.Learn(rec.URL, *rec.Evidence)
				if s := siteOf(Origin(rec.Origin)); s.Listing > verdict.Unlisted {
					j.know.List(rec.URL, s.Listing)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	urls := make([]string, 0, len(j.pages))
	for u, st := range j.pages {
		if st.thisRun {
			urls = append(urls, u)
		}
	}
	slices.Sort(urls)
	for _, u := range urls {
		if err := j.rejudgeLocked(j.pages[u], true); err != nil {
			return err
		}
	}
	return nil
}

// listingKey is the URL a list's link is matched on: /a and the page /a/
// it redirects to are one page.
func listingKey(u string) string { return strings.TrimSuffix(u, "/") }
