package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/noticekb/noticekb/internal/notice"
)

// Sites is the registry of sites a serving process keeps current
// (kb.Sites); `noticekb sites` reaches it over the socket while serve
// holds the store.
type Sites interface {
	List() ([]notice.SiteStatus, error)
	Site(id string, runs int) (notice.SiteStatus, []notice.SiteRun, error)
	Register(ctx context.Context, spec notice.SiteSpec, remote bool) ([]notice.Site, []bool, error)
	Remove(id string) error
	SetEnabled(id string, on bool) (notice.Site, error)
	RunNow(ctx context.Context, id string, full bool, trigger string, progress func(notice.JobProgress)) (notice.SiteRun, error)
}

// siteAndRuns is one site's answer.
type siteAndRuns struct {
	Site notice.SiteStatus `json:"site"`
	Runs []notice.SiteRun  `json:"runs"`
}

// registered is a registration's answer.
type registered struct {
	Sites   []notice.Site `json:"sites"`
	Created []bool        `json:"created"`
}

// ServeSites offers the registry over the socket.
func (s *Server) ServeSites(sites Sites) {
	s.mux.HandleFunc("GET /sites", func(w http.ResponseWriter, r *http.Request) {
		list, err := sites.List()
		s.reply(w, list, err)
	})
	s.mux.HandleFunc("GET /sites/{id}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("runs"))
		st, runs, err := sites.Site(r.PathValue("id"), n)
		s.reply(w, siteAndRuns{Site: st, Runs: runs}, err)
	})
	s.mux.HandleFunc("POST /sites", func(w http.ResponseWriter, r *http.Request) {
		var spec notice.SiteSpec
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&spec); err != nil {
			s.reply(w, nil, fmt.Errorf("%w: %v", notice.ErrInvalidQuery, err))
			return
		}
		list, created, err := sites.Register(r.Context(), spec, false)
		s.reply(w, registered{Sites: list, Created: created}, err)
	})
	s.mux.HandleFunc("DELETE /sites/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.reply(w, struct{}{}, sites.Remove(r.PathValue("id")))
	})
	for action, on := range map[string]bool{"enable": true, "disable": false} {
		s.mux.HandleFunc("POST /sites/{id}/"+action, func(w http.ResponseWriter, r *http.Request) {
			site, err := sites.SetEnabled(r.PathValue("id"), on)
			s.reply(w, site, err)
		})
	}
	s.mux.HandleFunc("POST /sites/{id}/run", func(w http.ResponseWriter, r *http.Request) {
		run, err := sites.RunNow(r.Context(), r.PathValue("id"), r.URL.Query().Get("full") == "1", notice.TriggerCLI, nil)
		if err != nil && run.Seq != 0 {
			err = nil // the run's record says how it ended
		}
		s.reply(w, run, err)
	})
}

// errorStatus maps domain errors to the socket's answers, and back.
var errorStatus = []struct {
	err    error
	status int
}{
	{notice.ErrInvalidQuery, http.StatusBadRequest},
	{notice.ErrForbidden, http.StatusForbidden},
	{notice.ErrNotFound, http.StatusNotFound},
	{notice.ErrBusy, http.StatusConflict},
	{notice.ErrUnknownHost, http.StatusUnprocessableEntity},
}

func (s *Server) reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		status := http.StatusInternalServerError
		for _, e := range errorStatus {
			if errors.Is(err, e.err) {
				status = e.status
				break
			}
		}
		if status == http.StatusInternalServerError {
			s.log.Error("control: sites request failed", "err", err)
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	json.NewEncoder(w).Encode(v)
}

// SitesClient reaches the registry of the process serving the socket at
// a path; it implements Sites (RunNow reports no progress).
type SitesClient struct {
	path string
}

// NewSitesClient returns a client of the socket at path.
func NewSitesClient(path string) *SitesClient { return &SitesClient{path: path} }

var _ Sites = (*SitesClient)(nil)

func (c *SitesClient) call(ctx context.Context, method, path string, body, out any) error {
	var in io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		in = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://noticekb"+path, in)
	if err != nil {
		return fmt.Errorf("control: %w", err)
	}
	resp, err := client(c.path).Do(req)
	if err != nil {
		return noServer(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e)
		for _, m := range errorStatus {
			if m.status == resp.StatusCode {
				return fmt.Errorf("%s: %w", e.Error, m.err)
			}
		}
		return fmt.Errorf("control: %s: %s", resp.Status, e.Error)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// List lists the registered sites.
func (c *SitesClient) List() ([]notice.SiteStatus, error) {
	var out []notice.SiteStatus
	err := c.call(context.Background(), http.MethodGet, "/sites", nil, &out)
	return out, err
}

// Site returns one site and up to runs of its runs.
func (c *SitesClient) Site(id string, runs int) (notice.SiteStatus, []notice.SiteRun, error) {
	var out siteAndRuns
	err := c.call(context.Background(), http.MethodGet, "/sites/"+url.PathEscape(id)+"?runs="+strconv.Itoa(runs), nil, &out)
	return out.Site, out.Runs, err
}

// Register registers sites (remote is the server's to decide: false).
func (c *SitesClient) Register(ctx context.Context, spec notice.SiteSpec, _ bool) ([]notice.Site, []bool, error) {
	var out registered
	err := c.call(ctx, http.MethodPost, "/sites", spec, &out)
	return out.Sites, out.Created, err
}

// Remove removes a site from the registry.
func (c *SitesClient) Remove(id string) error {
	var out struct{}
	return c.call(context.Background(), http.MethodDelete, "/sites/"+url.PathEscape(id), nil, &out)
}

// SetEnabled enables or disables a site.
func (c *SitesClient) SetEnabled(id string, on bool) (notice.Site, error) {
	action := "/disable"
	if on {
		action = "/enable"
	}
	var out notice.Site
	err := c.call(context.Background(), http.MethodPost, "/sites/"+url.PathEscape(id)+action, nil, &out)
	return out, err
}

// RunNow runs a site in the serving process and waits for the run.
func (c *SitesClient) RunNow(ctx context.Context, id string, full bool, _ string, _ func(notice.JobProgress)) (notice.SiteRun, error) {
	q := ""
	if full {
		q = "?full=1"
	}
	var run notice.SiteRun
	err := c.call(ctx, http.MethodPost, "/sites/"+url.PathEscape(id)+"/run"+q, nil, &run)
	return run, err
}
