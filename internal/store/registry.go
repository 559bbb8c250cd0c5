package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/noticekb/noticekb/internal/notice"
)

// The registry holds the sites registered to be kept current (by site
// ID), and each site's runs in a bucket of its own (by sequence number),
// the last KeepRuns of them.

// KeepRuns is how many runs of one site the history holds.
const KeepRuns = 100

// Site returns a registered site as this transaction sees it.
func (w *Writer) Site(id string) (notice.Site, bool, error) {
	return getSite(w.tx, id)
}

func getSite(tx *bolt.Tx, id string) (notice.Site, bool, error) {
	var site notice.Site
	v := tx.Bucket(bucketRegistry).Get([]byte(id))
	if v == nil {
		return site, false, nil
	}
	if err := json.Unmarshal(v, &site); err != nil {
		return site, false, fmt.Errorf("store: site %s: %w", id, err)
	}
	return site, true, nil
}

// PutSite registers a site or replaces its record.
func (w *Writer) PutSite(site notice.Site) error {
	if site.ID == "" {
		return fmt.Errorf("store: site without ID")
	}
	return putJSON(w.tx.Bucket(bucketRegistry), []byte(site.ID), site)
}

// DeleteSite removes a site from the registry with its run history and
// skip list. Its pages and notices stay.
func (w *Writer) DeleteSite(id string) error {
	if err := w.tx.Bucket(bucketRegistry).Delete([]byte(id)); err != nil {
		return err
	}
	for _, name := range [][]byte{bucketRuns, bucketSkips} {
		b := w.tx.Bucket(name)
		if b.Bucket([]byte(id)) == nil {
			continue
		}
		if err := b.DeleteBucket([]byte(id)); err != nil {
			return err
		}
	}
	return nil
}

// NewRun records a run that starts, giving it the site's next sequence
// number, and forgets the oldest runs beyond KeepRuns.
func (w *Writer) NewRun(run *notice.SiteRun) error {
	b, err := w.tx.Bucket(bucketRuns).CreateBucketIfNotExists([]byte(run.Site))
	if err != nil {
		return fmt.Errorf("store: runs of %s: %w", run.Site, err)
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	run.Seq = seq
	if err := putJSON(b, u64(seq), run); err != nil {
		return err
	}
	c := b.Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k)+KeepRuns <= seq; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// PutRun records a run's progress or end.
func (w *Writer) PutRun(run notice.SiteRun) error {
	b := w.tx.Bucket(bucketRuns).Bucket([]byte(run.Site))
	if b == nil || run.Seq == 0 {
		return fmt.Errorf("store: run %s/%d was never started: %w", run.Site, run.Seq, notice.ErrNotFound)
	}
	return putJSON(b, u64(run.Seq), run)
}

// RegisteredSites lists the registered sites by ID.
func (s *Store) RegisteredSites() ([]notice.Site, error) {
	var out []notice.Site
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRegistry).ForEach(func(k, v []byte) error {
			var site notice.Site
			if err := json.Unmarshal(v, &site); err != nil {
				return fmt.Errorf("store: site %s: %w", k, err)
			}
			out = append(out, site)
			return nil
		})
	})
	return out, err
}

// RegisteredSite returns one registered site, or an error wrapping
// notice.ErrNotFound.
func (s *Store) RegisteredSite(id string) (notice.Site, error) {
	var site notice.Site
	err := s.db.View(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		site, ok, err = getSite(tx, id)
		if err == nil && !ok {
			err = fmt.Errorf("store: site %s is not registered: %w", id, notice.ErrNotFound)
		}
		return err
	})
	return site, err
}

// SiteRuns returns up to limit runs of a site, newest first.
func (s *Store) SiteRuns(id string, limit int) ([]notice.SiteRun, error) {
	var out []notice.SiteRun
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRuns).Bucket([]byte(id))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var run notice.SiteRun
			if err := json.Unmarshal(v, &run); err != nil {
				return fmt.Errorf("store: run %s/%d: %w", id, binary.BigEndian.Uint64(k), err)
			}
			out = append(out, run)
		}
		return nil
	})
	return out, err
}

// SiteRun returns one run, or an error wrapping notice.ErrNotFound.
func (s *Store) SiteRun(id string, seq uint64) (notice.SiteRun, error) {
	var run notice.SiteRun
	err := s.db.View(func(tx *bolt.Tx) error {
		var v []byte
		if b := tx.Bucket(bucketRuns).Bucket([]byte(id)); b != nil {
			v = b.Get(u64(seq))
		}
		if v == nil {
			return fmt.Errorf("store: run %d of %s: %w", seq, id, notice.ErrNotFound)
		}
		return json.Unmarshal(v, &run)
	})
	return run, err
}

// RecentRuns returns up to limit runs of every site, newest first.
func (s *Store) RecentRuns(limit int) ([]notice.SiteRun, error) {
	var out []notice.SiteRun
	err := s.eachRunBucket(func(site []byte, b *bolt.Bucket) error {
		c, n := b.Cursor(), 0
		for k, v := c.Last(); k != nil && n < limit; k, v = c.Prev() {
			var run notice.SiteRun
			if err := json.Unmarshal(v, &run); err != nil {
				return fmt.Errorf("store: run %s/%d: %w", site, binary.BigEndian.Uint64(k), err)
			}
			out = append(out, run)
			n++
		}
		return nil
	})
	sortRuns(out)
	return out[:min(len(out), limit)], err
}

func sortRuns(runs []notice.SiteRun) {
	sort.SliceStable(runs, func(i, j int) bool {
		if !runs[i].Started.Equal(runs[j].Started) {
			return runs[i].Started.After(runs[j].Started)
		}
		return runs[i].Site < runs[j].Site
	})
}

// RunningRuns returns the runs recorded as running.
func (s *Store) RunningRuns() ([]notice.SiteRun, error) {
	var out []notice.SiteRun
	marker := []byte(`"state":"running"`)
	err := s.eachRunBucket(func(site []byte, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if !bytes.Contains(v, marker) {
				return nil
			}
			var run notice.SiteRun
			if err := json.Unmarshal(v, &run); err != nil {
				return fmt.Errorf("store: run %s/%d: %w", site, binary.BigEndian.Uint64(k), err)
			}
			out = append(out, run)
			return nil
		})
	})
	return out, err
}

func (s *Store) eachRunBucket(fn func(site []byte, b *bolt.Bucket) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		runs := tx.Bucket(bucketRuns)
		return runs.ForEachBucket(func(k []byte) error { return fn(k, runs.Bucket(k)) })
	})
}

// UpdateSite changes a registered site in one transaction: fn sees the
// record as stored. A site that is not registered gives an error
// wrapping notice.ErrNotFound.
func (s *Store) UpdateSite(id string, fn func(*notice.Site) error) (notice.Site, error) {
	var site notice.Site
	err := s.Write(func(w *Writer) error {
		var ok bool
		var err error
		if site, ok, err = w.Site(id); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("store: site %s is not registered: %w", id, notice.ErrNotFound)
		}
		if err := fn(&site); err != nil {
			return err
		}
		return w.PutSite(site)
	})
	return site, err
}

// StartRun records a run that starts (setting its Seq) and lets fn update
// its site in the same transaction. A site that is not registered gives
// an error wrapping notice.ErrNotFound.
func (s *Store) StartRun(run *notice.SiteRun, fn func(*notice.Site)) (notice.Site, error) {
	var site notice.Site
	err := s.Write(func(w *Writer) error {
		var ok bool
		var err error
		if site, ok, err = w.Site(run.Site); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("store: site %s is not registered: %w", run.Site, notice.ErrNotFound)
		}
		if err := w.NewRun(run); err != nil {
			return err
		}
		fn(&site)
		return w.PutSite(site)
	})
	return site, err
}

// FinishRun records a run's end and updates its site in the same
// transaction, so no run is recorded as ended without its site's next
// run, nor the reverse. A site removed meanwhile stays removed (the run
// went with its history).
func (s *Store) FinishRun(run notice.SiteRun, fn func(*notice.Site)) error {
	return s.Write(func(w *Writer) error {
		site, ok, err := w.Site(run.Site)
		if err != nil || !ok {
			return err
		}
		if err := w.PutRun(run); err != nil {
			return err
		}
		fn(&site)
		return w.PutSite(site)
	})
}

// PutSiteRun records a run's progress (its lease renewed).
func (s *Store) PutSiteRun(run notice.SiteRun) error {
	return s.Write(func(w *Writer) error { return w.PutRun(run) })
}

// MaxSkips bounds the URLs a site's skip list holds.
const MaxSkips = 10_000

// Each registered site keeps a list of URLs its check runs need not ask
// for, with why: links that answered a redirect or 404 and hold no page,
// list pages that repeat another under a second URL. Runs learn them;
// the list outlives the process, so a run from cron knows them too.

// SiteSkips returns a site's skip list: URL → why.
func (s *Store) SiteSkips(id string) (map[string]string, error) {
	out := map[string]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSkips).Bucket([]byte(id))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	})
	return out, err
}

// PutSiteSkips adds URLs to a site's skip list, up to MaxSkips; a nil
// map with clear empties it first.
func (s *Store) PutSiteSkips(id string, skips map[string]string, clear bool) error {
	return s.Write(func(w *Writer) error {
		all := w.tx.Bucket(bucketSkips)
		if clear && all.Bucket([]byte(id)) != nil {
			if err := all.DeleteBucket([]byte(id)); err != nil {
				return err
			}
		}
		if len(skips) == 0 {
			return nil
		}
		b, err := all.CreateBucketIfNotExists([]byte(id))
		if err != nil {
			return err
		}
		n, c := 0, b.Cursor()
		for k, _ := c.First(); k != nil && n < MaxSkips; k, _ = c.Next() {
			n++
		}
		for u, why := range skips {
			if n >= MaxSkips {
				break
			}
			if err := b.Put([]byte(u), []byte(why)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
}
