package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/noticekb/noticekb/internal/notice"
)

// noDate is the admin filter's name for notices without a date.
const noDate = "none"

// dateSources name the places a notice's date is read from
// (notice.Notice.DateSource), strongest first, for the admin's filter of
// notices by where their dates were read: the weak ones are there to be
// reviewed.
var dateSources = []struct{ Name, Label string }{
	{"rule", "a site rule"},
	{"metadata", "publication metadata"},
	{"page", "shown on the page"},
	{"weak-metadata", "other metadata"},
	{"url", "its address"},
	{"title", "its title"},
	{"search", "found by date search"},
	{notice.DateFromUpdate, "weak: update date only"},
	{noDate, "no date"},
}

// DateSourceView is one place dates are read from, with how many notices
// in search have theirs from it, linking to their list.
type DateSourceView struct {
	Name, Label, URL string
	Count            uint64
	Current          bool
}

// dateFilter is the date source an admin chose ("" for none chosen) and
// the notice.Notice.DateSource it stands for; an unknown one is refused.
func dateFilter(name string) (source string, err error) {
	if name == noDate {
		return "", nil
	}
	if !slices.ContainsFunc(dateSources, func(d struct{ Name, Label string }) bool { return d.Name == name }) {
		return "", fiber.NewError(http.StatusBadRequest, "There is no date source “"+name+"”. Choose one of the sources listed on the Notices page.")
	}
	return name, nil
}

// dateSourceViews lists every date source with its count, each linking
// to its notices matching text.
func dateSourceViews(counts map[string]int, chosen, text string) []DateSourceView {
	out := make([]DateSourceView, 0, len(dateSources))
	for _, d := range dateSources {
		source, _ := dateFilter(d.Name)
		q := url.Values{"date": {d.Name}}
		if text != "" {
			q.Set("q", text)
		}
		out = append(out, DateSourceView{Name: d.Name, Label: d.Label, URL: "/admin/notices?" + q.Encode(),
			Count: uint64(counts[source]), Current: d.Name == chosen})
	}
	return out
}
