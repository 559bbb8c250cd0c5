package control

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/noticekb/noticekb/internal/notice"
)

// oneSite is a registry holding example.org.
type oneSite struct{ ran []string }

func (o *oneSite) List() ([]notice.SiteStatus, error) {
	return []notice.SiteStatus{{Site: notice.Site{ID: "example.org"}}}, nil
}

func (o *oneSite) Site(id string, runs int) (notice.SiteStatus, []notice.SiteRun, error) {
	if id != "example.org" {
		return notice.SiteStatus{}, nil, fmt.Errorf("site %s is not registered: %w", id, notice.ErrNotFound)
	}
	return notice.SiteStatus{Site: notice.Site{ID: id}}, []notice.SiteRun{{Site: id, Seq: 1}}[:min(runs, 1)], nil
}

func (o *oneSite) Register(_ context.Context, spec notice.SiteSpec, remote bool) ([]notice.Site, []bool, error) {
	if remote || len(spec.URLs) == 0 || spec.Every.D() == 0 {
		return nil, nil, fmt.Errorf("%w: no URL, or no interval, or a remote request", notice.ErrInvalidQuery)
	}
	return []notice.Site{{ID: "example.org", Starts: spec.URLs, Every: spec.Every}}, []bool{true}, nil
}

func (o *oneSite) Remove(id string) error { return nil }

func (o *oneSite) SetEnabled(id string, on bool) (notice.Site, error) {
	st := notice.SiteDisabled
	if on {
		st = notice.SiteActive
	}
	return notice.Site{ID: id, Schedule: notice.SiteSchedule{State: st}}, nil
}

func (o *oneSite) RunNow(_ context.Context, id string, full bool, trigger string, _ func(notice.JobProgress)) (notice.SiteRun, error) {
	o.ran = append(o.ran, fmt.Sprintf("%s %v %s", id, full, trigger))
	return notice.SiteRun{Site: id, Seq: 2, State: notice.RunFailed, Error: "HTTP 500"}, errors.New("run failed")
}

// The sites commands reach a serving process's registry over the socket:
// answers come back whole, and domain errors as the same errors.
func TestSitesOverTheSocket(t *testing.T) {
	path := socketPath(t)
	s, err := Listen(path, fakeStore{}, Status{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reg := &oneSite{}
	s.ServeSites(reg)
	c := NewSitesClient(path)
	if list, err := c.List(); err != nil || len(list) != 1 || list[0].ID != "example.org" {
		t.Errorf("list: %+v, %v", list, err)
	}
	if _, _, err := c.Site("nowhere.example", 5); !errors.Is(err, notice.ErrNotFound) {
		t.Errorf("an unknown site: %v", err)
	}
	if st, runs, err := c.Site("example.org", 5); err != nil || st.ID != "example.org" || len(runs) != 1 {
		t.Errorf("one site: %+v %+v %v", st, runs, err)
	}
	if _, _, err := c.Register(t.Context(), notice.SiteSpec{URLs: []string{"https://example.org/"}}, false); !errors.Is(err, notice.ErrInvalidQuery) {
		t.Errorf("a refused registration: %v", err)
	}
	sites, created, err := c.Register(t.Context(), notice.SiteSpec{URLs: []string{"https://example.org/"}, Every: notice.Duration(3600e9)}, false)
	if err != nil || len(sites) != 1 || !created[0] || sites[0].Every.D().Hours() != 1 {
		t.Errorf("register: %+v %v %v", sites, created, err)
	}
	if site, err := c.SetEnabled("example.org", false); err != nil || site.Schedule.State != notice.SiteDisabled {
		t.Errorf("disable: %+v %v", site, err)
	}
	run, err := c.RunNow(t.Context(), "example.org", true, notice.TriggerCLI, nil)
	if err != nil || run.Seq != 2 || run.State != notice.RunFailed || len(reg.ran) != 1 || reg.ran[0] != "example.org true cli" {
		t.Errorf("run: %+v %v %v", run, err, reg.ran)
	}
	if err := c.Remove("example.org"); err != nil {
		t.Errorf("remove: %v", err)
	}
	if _, err := NewSitesClient(path + ".none").List(); !errors.Is(err, ErrNoServer) {
		t.Errorf("no server: %v", err)
	}
}
