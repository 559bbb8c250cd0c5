package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/noticekb/noticekb/internal/notice"
)

// Sites and their runs survive reopening the store; a site's history
// keeps its last KeepRuns runs; removing a site drops its history only.
func TestRegistryAndRunHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	site := notice.Site{ID: "a.example", Starts: []string{"https://a.example/news/"}, Every: notice.Duration(time.Hour), Added: t0,
		Schedule: notice.SiteSchedule{State: notice.SiteActive, NextRun: t0}}
	other := notice.Site{ID: "b.example:8080", Starts: []string{"http://b.example:8080/"}, Added: t0}
	var last notice.SiteRun
	err = s.Write(func(w *Writer) error {
		if err := w.PutSite(site); err != nil {
			return err
		}
		if err := w.PutSite(other); err != nil {
			return err
		}
		for i := range KeepRuns + 5 {
			run := notice.SiteRun{Site: site.ID, Kind: notice.RunCheck, State: notice.RunRunning, Started: t0.Add(time.Duration(i) * time.Minute)}
			if err := w.NewRun(&run); err != nil {
				return err
			}
			last = run
		}
		run := notice.SiteRun{Site: other.ID, Kind: notice.RunFull, State: notice.RunSucceeded, Started: t0.Add(30 * time.Second)}
		return w.NewRun(&run)
	})
	if err != nil {
		t.Fatal(err)
	}
	if last.Seq != KeepRuns+5 {
		t.Errorf("last run's seq %d, want %d", last.Seq, KeepRuns+5)
	}
	last.State, last.Summary.Added = notice.RunSucceeded, 3
	if err := s.Write(func(w *Writer) error { return w.PutRun(last) }); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sites, err := s.RegisteredSites()
	if err != nil || len(sites) != 2 || sites[0].ID != "a.example" || sites[0].Every.D() != time.Hour || !sites[0].Schedule.NextRun.Equal(t0) {
		t.Fatalf("sites after reopening: %+v, %v", sites, err)
	}
	runs, err := s.SiteRuns(site.ID, 1000)
	if err != nil || len(runs) != KeepRuns || runs[0].Seq != last.Seq || runs[0].Summary.Added != 3 || runs[len(runs)-1].Seq != 6 {
		t.Fatalf("history: %d runs (newest %+v), %v", len(runs), runs[0], err)
	}
	running, err := s.RunningRuns()
	if err != nil || len(running) != KeepRuns-1 {
		t.Errorf("running runs: %d, %v", len(running), err)
	}
	recent, err := s.RecentRuns(3)
	if err != nil || len(recent) != 3 || recent[0].Seq != last.Seq || recent[1].Seq != last.Seq-1 {
		t.Errorf("recent runs: %+v, %v", recent, err)
	}
	if all, _ := s.RecentRuns(1000); len(all) != KeepRuns+1 || all[len(all)-1].Site != other.ID {
		t.Errorf("every run: %d, oldest %+v", len(all), all[len(all)-1])
	}
	if r, err := s.SiteRun(site.ID, last.Seq); err != nil || r.State != notice.RunSucceeded {
		t.Errorf("one run: %+v, %v", r, err)
	}
	if _, err := s.SiteRun(site.ID, 1); !errors.Is(err, notice.ErrNotFound) {
		t.Errorf("a pruned run: %v, want not found", err)
	}

	if err := s.Write(func(w *Writer) error { return w.DeleteSite(site.ID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RegisteredSite(site.ID); !errors.Is(err, notice.ErrNotFound) {
		t.Errorf("removed site: %v", err)
	}
	if runs, _ := s.SiteRuns(site.ID, 10); len(runs) != 0 {
		t.Errorf("a removed site's history: %d runs", len(runs))
	}
	if err := s.Write(func(w *Writer) error { return w.PutRun(last) }); !errors.Is(err, notice.ErrNotFound) {
		t.Errorf("a run of a removed site: %v", err)
	}
}
